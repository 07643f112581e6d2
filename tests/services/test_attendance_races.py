"""Two identical attendance batches at once, on committed data: XP is awarded once, not twice
(the sessions are locked; the ledger's unique source key backs it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select

from core.clock import utcnow
from core.db import Database
from core.models import (
    AbsenceAlert,
    Attendance,
    AuditEvent,
    CertificateRequest,
    ClassEnrollment,
    ClassMembershipPeriod,
    ClubClass,
    ClubMentor,
    Kruzhok,
    LessonSession,
    Notification,
    RateLimitHit,
    SessionCheckin,
    Subscription,
    User,
    XpEvent,
)
from core.services import attendance
from tests.concurrency import delete_history_free_children, run_concurrently
from tests.factories import make_user
from tests.factories_clubs import make_class, make_club, make_enrollment, make_mentor, make_subscription
from tests.factories_schedule import make_lesson_session


def _cleanup(db: Database, user_ids: list[str]) -> None:
    with db.transaction() as session:
        clubs = select(Kruzhok.id).where(Kruzhok.owner_id.in_(user_ids))
        classes = select(ClubClass.id).where(ClubClass.kruzhok_id.in_(clubs))
        sessions = select(LessonSession.id).where(LessonSession.class_id.in_(classes))
        session.execute(delete(Attendance).where(Attendance.session_id.in_(sessions)))
        session.execute(delete(AbsenceAlert).where(AbsenceAlert.class_id.in_(classes)))
        session.execute(delete(SessionCheckin).where(SessionCheckin.session_id.in_(sessions)))
        session.execute(delete(XpEvent).where(XpEvent.user_id.in_(user_ids)))
        session.execute(delete(CertificateRequest).where(CertificateRequest.user_id.in_(user_ids)))
        session.execute(delete(LessonSession).where(LessonSession.class_id.in_(classes)))
        enrollments = select(ClassEnrollment.id).where(ClassEnrollment.student_id.in_(user_ids))
        session.execute(delete(ClassMembershipPeriod).where(ClassMembershipPeriod.enrollment_id.in_(enrollments)))
        session.execute(delete(ClassEnrollment).where(ClassEnrollment.student_id.in_(user_ids)))
        session.execute(delete(ClubClass).where(ClubClass.kruzhok_id.in_(clubs)))
        session.execute(delete(ClubMentor).where(ClubMentor.kruzhok_id.in_(clubs)))
        delete_history_free_children(session, users=user_ids)
        session.execute(delete(Kruzhok).where(Kruzhok.owner_id.in_(user_ids)))
        session.execute(delete(Subscription).where(Subscription.user_id.in_(user_ids)))
        session.execute(delete(AuditEvent).where(AuditEvent.actor_id.in_(user_ids)))
        session.execute(delete(RateLimitHit).where(or_(*[RateLimitHit.bucket.like(f"%:{u}") for u in user_ids])))
        session.execute(delete(Notification).where(Notification.user_id.in_(user_ids)))
        session.execute(delete(User).where(User.id.in_(user_ids)))


def test_two_identical_batches_at_once_award_xp_once(engine):
    """The owner and a mentor save the same marks at the same moment (two rate-limit buckets)."""
    db = Database(engine)
    with db.transaction() as session:
        owner = make_user(session)
        make_subscription(session, owner)
        club = make_club(session, owner)
        klass = make_class(session, club)
        students = [make_user(session) for _ in range(5)]
        for student in students:
            make_enrollment(session, klass, student)
        lesson = make_lesson_session(session, klass)
        mentor = make_mentor(session, club).user
        owner_id, mentor_id, club_id, lesson_id = owner.id, mentor.id, club.id, lesson.id
        student_ids = [s.id for s in students]
    marks = [attendance.MarkIn(student_id=s, session_id=lesson_id, status="present") for s in student_ids]
    try:
        def save(actor_id: str) -> Callable[[], Any]:
            def run() -> Any:
                with db.transaction() as session:
                    return attendance.save_batch(session, actor=session.get(User, actor_id), kruzhok_id=club_id,
                                                 marks=marks, now=utcnow())
            return run

        results = run_concurrently([save(owner_id), save(mentor_id)])
        assert all(isinstance(r, attendance.BatchResult) for r in results), results
        assert sorted(r.changed for r in results) == [0, 5]
        with db.transaction() as session:
            xp = session.scalars(select(User.experience_points).where(User.id.in_(student_ids))).all()
            assert list(xp) == [100] * 5
            ledger = session.scalar(select(func.sum(XpEvent.amount)).where(XpEvent.user_id.in_(student_ids)))
            assert ledger == 500
            assert session.scalar(select(func.count()).select_from(Attendance)
                                  .where(Attendance.session_id == lesson_id)) == 5
            # 100 XP crosses the default threshold once: one certificate request per student, not two.
            requests = session.scalars(select(CertificateRequest.user_id)
                                       .where(CertificateRequest.user_id.in_(student_ids))).all()
            assert sorted(requests) == sorted(student_ids)
    finally:
        _cleanup(db, [owner_id, mentor_id, *student_ids])


def test_two_saves_completing_one_absence_streak_alert_once(engine):
    """The 2nd and 3rd misses are saved at the same moment (owner and mentor, different sessions): the
    streak is seen by exactly one of them (classes locked), and told once."""
    db = Database(engine)
    now = utcnow()
    with db.transaction() as session:
        owner = make_user(session)
        make_subscription(session, owner)
        club = make_club(session, owner)
        klass = make_class(session, club)
        student = make_user(session)
        make_enrollment(session, klass, student)
        lessons = [make_lesson_session(session, klass, starts_at=now - timedelta(days=3 - i)) for i in range(3)]
        mentor = make_mentor(session, club).user
        owner_id, mentor_id, club_id, student_id = owner.id, mentor.id, club.id, student.id
        lesson_ids = [x.id for x in lessons]
        attendance.save_batch(session, actor=owner, kruzhok_id=club_id, now=now, marks=[
            attendance.MarkIn(student_id=student_id, session_id=lesson_ids[0], status="absent")])
    try:
        def save(actor_id: str, lesson_id: str) -> Callable[[], Any]:
            def run() -> Any:
                with db.transaction() as session:
                    return attendance.save_batch(session, actor=session.get(User, actor_id), kruzhok_id=club_id,
                                                 now=utcnow(), marks=[attendance.MarkIn(
                                                     student_id=student_id, session_id=lesson_id, status="absent")])
            return run

        results = run_concurrently([save(owner_id, lesson_ids[1]), save(mentor_id, lesson_ids[2])])
        assert all(isinstance(r, attendance.BatchResult) for r in results), results
        with db.transaction() as session:
            alerts = session.scalars(select(AbsenceAlert).where(AbsenceAlert.student_id == student_id)).all()
            assert [(a.first_session_id, a.missed) for a in alerts] == [(lesson_ids[0], 3)]
            told = session.scalars(select(Notification.user_id).where(Notification.type == "ABSENCE_STREAK",
                                                                      Notification.user_id.in_([owner_id, mentor_id])))
            assert sorted(told) == sorted([owner_id, mentor_id])
    finally:
        _cleanup(db, [owner_id, mentor_id, student_id])
