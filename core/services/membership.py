"""Students in classes: join by code, seated on accepting an invitation (core/services/invitations.py),
soft removal (history stays).

Capacity = the club owner's maxStudentsPerClass. The class row is locked (FOR UPDATE; BEGIN IMMEDIATE
on SQLite) before counting, so the last seat goes to exactly one of two concurrent joins.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.errors import Conflict, ErrorCode, InvalidCode, NotFound, field_error
from core.models import (
    AuditAction,
    ClassEnrollment,
    ClassMembershipPeriod,
    ClubClass,
    ClubMentor,
    EnrollmentStatus,
    Kruzhok,
    User,
)
from core.services import audit, clean, ratelimit
from core.services.club_access import owned_class
from core.services.limits import effective_limits
from core.services.permissions import require_user

CODE = "[0-9]{6}"  # a class join code
CODE_RE = re.compile(CODE)
CODE_PATTERN = clean.trimmed_pattern(CODE)  # the same rule in the API schema


def lock_class(session: Session, class_id: str) -> ClubClass:
    return session.scalars(select(ClubClass).where(ClubClass.id == class_id).with_for_update()
                           .execution_options(populate_existing=True)).one()


def seat_student(session: Session, *, klass: ClubClass, student: User, now: datetime) -> ClassEnrollment:
    """Seat `student` in the (already locked) class, or raise 409. Reactivates a REMOVED row."""
    club = klass.kruzhok
    if club.owner_id == student.id or session.scalar(
            select(ClubMentor.id).where(ClubMentor.kruzhok_id == club.id, ClubMentor.user_id == student.id)):
        raise Conflict("Вы ведёте этот кружок и не можете вступить в него как ученик", code=ErrorCode.IS_MENTOR)
    existing = session.scalar(select(ClassEnrollment).where(ClassEnrollment.class_id == klass.id,
                                                            ClassEnrollment.student_id == student.id))
    if existing is not None and existing.status == EnrollmentStatus.ACTIVE:
        raise Conflict("Вы уже состоите в этом классе", code=ErrorCode.ALREADY_MEMBER)
    limits = effective_limits(session, club.owner_id, now=now)
    if not limits.active:
        raise Conflict("Кружок временно не принимает новых учеников: подписка руководителя неактивна",
                       code=ErrorCode.CLUB_INACTIVE)
    seated = session.scalar(select(func.count()).select_from(ClassEnrollment)
                            .where(ClassEnrollment.class_id == klass.id,
                                   ClassEnrollment.status == EnrollmentStatus.ACTIVE)) or 0
    if seated >= limits.max_students_per_class:
        raise Conflict("В классе нет свободных мест", code=ErrorCode.CLASS_FULL,
                       details={"current": seated, "max": limits.max_students_per_class})
    if existing is not None:
        existing.status, existing.joined_at, existing.removed_at = EnrollmentStatus.ACTIVE, now, None
        enrollment = existing
    else:
        enrollment = ClassEnrollment(class_id=klass.id, student_id=student.id, status=EnrollmentStatus.ACTIVE,
                                     joined_at=now)
        session.add(enrollment)
    session.flush()
    # Each stay is its own period: a re-join keeps the earlier ones (reports show when they were a member).
    session.add(ClassMembershipPeriod(enrollment_id=enrollment.id, joined_at=now))
    session.flush()
    return enrollment


def join_by_code(session: Session, *, actor: User | None, code: str, now: datetime,
                 ip: str | None = None) -> ClassEnrollment:
    """422 not 6 digits; 404 `invalid_code` (counted: 10 failures/hour per user and 30 per client IP
    → 429); 409 class_full/already_member."""
    actor = require_user(actor)
    code = (code or "").strip()
    if not CODE_RE.fullmatch(code):
        raise field_error("code", "Код должен состоять из 6 цифр")
    ratelimit.check(session, "join_code_fail", actor.id, now=now)
    if ip is not None:
        ratelimit.check(session, "join_code_fail_ip", ip[:64], now=now)
    class_id = session.scalar(
        select(ClubClass.id).join(Kruzhok, Kruzhok.id == ClubClass.kruzhok_id)
        .where(ClubClass.join_code == code, ClubClass.is_active.is_(True), Kruzhok.is_active.is_(True)))
    if class_id is None:
        ratelimit.record(session, "join_code_fail", actor.id, now=now)
        if ip is not None:
            ratelimit.record(session, "join_code_fail_ip", ip[:64], now=now)
        raise InvalidCode()
    klass = lock_class(session, class_id)
    enrollment = seat_student(session, klass=klass, student=actor, now=now)
    audit.record(session, actor=actor, action=AuditAction.CLASS_JOIN, entity="club_class", entity_id=klass.id, now=now)
    return enrollment


def remove_student(session: Session, *, actor: User | None, class_id: str, student_id: str,
                   now: datetime) -> ClassEnrollment:
    """Owner removes a student softly: REMOVED with removed_at; attendance and XP history stay."""
    actor = require_user(actor)
    klass = owned_class(session, actor, class_id)
    enrollment = session.scalar(select(ClassEnrollment).where(ClassEnrollment.class_id == klass.id,
                                                              ClassEnrollment.student_id == student_id,
                                                              ClassEnrollment.status == EnrollmentStatus.ACTIVE))
    if enrollment is None:
        raise NotFound("Ученик не состоит в этом классе")
    enrollment.status, enrollment.removed_at = EnrollmentStatus.REMOVED, now
    period = ClassMembershipPeriod
    session.execute(update(period).where(period.enrollment_id == enrollment.id, period.left_at.is_(None))
                    .values(left_at=now).execution_options(synchronize_session=False))
    audit.record(session, actor=actor, action=AuditAction.CLASS_REMOVE_STUDENT, entity="club_class", entity_id=klass.id,
                 now=now, data={"studentId": student_id})
    return enrollment
