"""Clubs (kruzhoks): create, the public directory, "my clubs", assigning mentors."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from core.clock import as_utc
from core.errors import NotFound, field_error
from core.models import (
    AuditAction,
    ClassEnrollment,
    ClubClass,
    ClubMentor,
    EnrollmentStatus,
    Kruzhok,
    LessonSession,
    SessionStatus,
    User,
)
from core.services import audit, clean
from core.services.limits import effective_limits, limit_exceeded, subscription_required
from core.services.pagination import Page
from core.services.permissions import require_admin, require_user

MAX_DESCRIPTION, MAX_TIMEZONE = 5000, 64


def clean_title(value: str | None, *, field: str = "title", label: str = "Название") -> str:
    return clean.clean_title(value, field=field, label=label)


def clean_description(value: str | None) -> str | None:
    return clean.clean_text(value, field="description", label="Описание", max_length=MAX_DESCRIPTION, required=False,
                            multiline=True)


def clean_timezone(value: str | None, default: str) -> str:
    name = clean.clean_text(value, field="timezone", label="Часовой пояс", max_length=MAX_TIMEZONE,
                            required=False) or default
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise field_error("timezone", "Неизвестный часовой пояс (например, Asia/Almaty)") from None
    return name


def create_club(session: Session, *, actor: User | None, title: str, description: str | None = None,
                timezone: str | None = None, default_timezone: str, now: datetime) -> Kruzhok:
    """Needs an ACTIVE subscription (403 `subscription_required`) with a free club slot (403 `limit_exceeded`)."""
    actor = require_user(actor)
    title = clean_title(title)
    description = clean_description(description)
    tz = clean_timezone(timezone, default_timezone)
    # Lock the owner's row: two simultaneous creates cannot both take the last slot.
    session.scalar(select(User.id).where(User.id == actor.id).with_for_update())
    limits = effective_limits(session, actor.id, now=now)
    if not limits.active:
        raise subscription_required(session)
    owned = session.scalar(select(func.count()).select_from(Kruzhok)
                           .where(Kruzhok.owner_id == actor.id, Kruzhok.is_active.is_(True))) or 0
    if owned >= limits.max_kruzhoks:
        raise limit_exceeded(session, limit="maxKruzhoks", current=owned, maximum=limits.max_kruzhoks)
    club = Kruzhok(owner_id=actor.id, title=title, description=description, timezone=tz, created_at=now)
    session.add(club)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.CLUB_CREATE, entity="kruzhok", entity_id=club.id, now=now,
                 data={"title": title})
    return club


def _member_count() -> Any:
    return (select(func.count(func.distinct(ClassEnrollment.student_id)))
            .join(ClubClass, ClubClass.id == ClassEnrollment.class_id)
            .where(ClubClass.kruzhok_id == Kruzhok.id, ClassEnrollment.status == EnrollmentStatus.ACTIVE)
            .correlate(Kruzhok).scalar_subquery())


def _next_session(now: datetime) -> Any:
    return (select(func.min(LessonSession.starts_at)).join(ClubClass, ClubClass.id == LessonSession.class_id)
            .where(ClubClass.kruzhok_id == Kruzhok.id, LessonSession.status == SessionStatus.SCHEDULED,
                   LessonSession.starts_at >= now)
            .correlate(Kruzhok).scalar_subquery())


@dataclass(frozen=True)
class DirectoryEntry:
    id: str
    title: str
    description: str | None
    timezone: str
    owner_name: str
    member_count: int
    next_session_at: datetime | None


@dataclass(frozen=True)
class ClassEntry:
    """A class in "my clubs": staff see the join code and head count (owners also the capacity),
    students see when they joined."""

    id: str
    name: str
    join_code: str | None = None
    student_count: int | None = None
    max_students: int | None = None
    joined_at: datetime | None = None


@dataclass(frozen=True)
class ClubEntry:
    id: str
    title: str
    description: str | None
    timezone: str
    owner_id: str
    owner_name: str
    role: str  # owner | mentor | student
    classes: list[ClassEntry]


@dataclass(frozen=True)
class MyClubs:
    owned: list[ClubEntry]
    mentored: list[ClubEntry]
    enrolled: list[ClubEntry]


def list_directory(session: Session, *, page: Page, now: datetime) -> tuple[list[DirectoryEntry], int]:
    """Public directory, newest first: title, description, members, next session, owner — never codes.
    Two queries whatever the page size."""
    next_at = _next_session(now)
    rows = session.execute(
        select(Kruzhok.id, Kruzhok.title, Kruzhok.description, Kruzhok.timezone, User.full_name,
               _member_count(), next_at)
        .join(User, User.id == Kruzhok.owner_id).where(Kruzhok.is_active.is_(True))
        .order_by(Kruzhok.created_at.desc(), Kruzhok.id).limit(page.limit).offset(page.offset)
    ).all()
    total = session.scalar(select(func.count()).select_from(Kruzhok).where(Kruzhok.is_active.is_(True))) or 0
    items = [DirectoryEntry(id=r[0], title=r[1], description=r[2], timezone=r[3], owner_name=r[4],
                            member_count=int(r[5] or 0), next_session_at=as_utc(r[6]) if r[6] else None)
             for r in rows]
    return items, int(total)


def _club_entry(club: Kruzhok, role: str, classes: list[ClassEntry]) -> ClubEntry:
    return ClubEntry(id=club.id, title=club.title, description=club.description, timezone=club.timezone,
                     owner_id=club.owner_id, owner_name=club.owner.full_name, role=role, classes=classes)


def my_clubs(session: Session, *, actor: User | None, now: datetime) -> MyClubs:
    """Clubs the caller owns, mentors and studies in. Join codes only for owners and mentors.
    A fixed number of queries."""
    actor = require_user(actor)
    active = Kruzhok.is_active.is_(True)
    owned = session.scalars(select(Kruzhok).options(joinedload(Kruzhok.owner))
                            .where(Kruzhok.owner_id == actor.id, active).order_by(Kruzhok.created_at)).all()
    mentored = session.scalars(
        select(Kruzhok).options(joinedload(Kruzhok.owner)).join(ClubMentor, ClubMentor.kruzhok_id == Kruzhok.id)
        .where(ClubMentor.user_id == actor.id, active).order_by(Kruzhok.created_at)).all()
    staff_ids = [c.id for c in [*owned, *mentored]]
    classes: dict[str, list[ClassEntry]] = {cid: [] for cid in staff_ids}
    limit_of = effective_limits(session, actor.id, now=now).max_students_per_class
    if staff_ids:
        counts = (select(func.count()).where(ClassEnrollment.class_id == ClubClass.id,
                                             ClassEnrollment.status == EnrollmentStatus.ACTIVE)
                  .correlate(ClubClass).scalar_subquery())
        for klass, count in session.execute(
            select(ClubClass, counts).where(ClubClass.kruzhok_id.in_(staff_ids), ClubClass.is_active.is_(True))
            .order_by(ClubClass.created_at)
        ).all():
            classes[klass.kruzhok_id].append(ClassEntry(id=klass.id, name=klass.name, join_code=klass.join_code,
                                                        student_count=int(count or 0)))
    for club in owned:  # the owner's own limit is the class capacity
        classes[club.id] = [replace(c, max_students=limit_of) for c in classes[club.id]]
    enrolled_rows = session.execute(
        select(ClassEnrollment, ClubClass, Kruzhok).join(ClubClass, ClubClass.id == ClassEnrollment.class_id)
        .join(Kruzhok, Kruzhok.id == ClubClass.kruzhok_id).options(joinedload(Kruzhok.owner))
        .where(ClassEnrollment.student_id == actor.id, ClassEnrollment.status == EnrollmentStatus.ACTIVE, active,
               ClubClass.is_active.is_(True))
        .order_by(ClassEnrollment.joined_at)
    ).all()
    enrolled: dict[str, ClubEntry] = {}
    for enrollment, klass, club in enrolled_rows:
        entry = enrolled.setdefault(club.id, _club_entry(club, "student", []))
        entry.classes.append(ClassEntry(id=klass.id, name=klass.name, joined_at=enrollment.joined_at))
    return MyClubs(owned=[_club_entry(c, "owner", classes[c.id]) for c in owned],
                   mentored=[_club_entry(c, "mentor", classes[c.id]) for c in mentored],
                   enrolled=list(enrolled.values()))


def admin_edit_club(session: Session, *, actor: User | None, kruzhok_id: str, values: dict[str, Any],
                    now: datetime) -> Kruzhok:
    """Back-office edit of a club's title/description/timezone/active flag (ADMIN; audited)."""
    actor = require_admin(actor)
    club = clean.get_row(session, Kruzhok, kruzhok_id)
    if club is None:
        raise NotFound("Кружок не найден")
    values = dict(values)
    cleaned: dict[str, Any] = {}
    if "title" in values:
        cleaned["title"] = clean_title(values["title"])
    if "description" in values:
        cleaned["description"] = clean_description(values["description"])
    if "timezone" in values:
        cleaned["timezone"] = clean_timezone(values["timezone"], club.timezone)
    if "is_active" in values:
        cleaned["is_active"] = bool(values["is_active"])
    for key, value in cleaned.items():
        setattr(club, key, value)
    audit.record(session, actor=actor, action=AuditAction.CLUB_ADMIN_EDIT, entity="kruzhok", entity_id=club.id, now=now,
                 data=dict(cleaned))
    return club
