"""Quiz distribution racing itself on committed PostgreSQL data: an attendance save (automatic send) and
two manual sends of the same quiz at the same moment end with one assignment and one notification per
student — the unique (student, quiz, session) and INSERT … ON CONFLICT DO NOTHING decide, not memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, func, or_, select

from core.clock import utcnow
from core.db import Database
from core.models import (
    Attendance,
    AuditEvent,
    CertificateRequest,
    ClassEnrollment,
    ClassMembershipPeriod,
    ClubClass,
    ClubQuizAssignment,
    Kruzhok,
    LessonSession,
    Notification,
    Program,
    ProgramLesson,
    Quiz,
    QuizQuestion,
    RateLimitHit,
    Subscription,
    User,
    XpEvent,
)
from core.services import attendance, quiz_distribution
from tests.concurrency import delete_history_free_children, run_concurrently
from tests.factories import make_user
from tests.factories_clubs import make_class, make_club, make_enrollment, make_subscription
from tests.factories_schedule import make_lesson_quiz, make_lesson_session


def _cleanup(db: Database, user_ids: list[str], lesson_id: str) -> None:
    with db.transaction() as session:
        lesson = session.get(ProgramLesson, lesson_id)
        quiz_id, program_id = lesson.quiz_id, lesson.program_id
        clubs = select(Kruzhok.id).where(Kruzhok.owner_id.in_(user_ids))
        classes = select(ClubClass.id).where(ClubClass.kruzhok_id.in_(clubs))
        sessions = select(LessonSession.id).where(LessonSession.class_id.in_(classes))
        session.execute(delete(ClubQuizAssignment).where(ClubQuizAssignment.session_id.in_(sessions)))
        session.execute(delete(Attendance).where(Attendance.session_id.in_(sessions)))
        session.execute(delete(XpEvent).where(XpEvent.user_id.in_(user_ids)))
        session.execute(delete(CertificateRequest).where(CertificateRequest.user_id.in_(user_ids)))
        session.execute(delete(LessonSession).where(LessonSession.class_id.in_(classes)))
        enrollments = select(ClassEnrollment.id).where(ClassEnrollment.student_id.in_(user_ids))
        session.execute(delete(ClassMembershipPeriod).where(ClassMembershipPeriod.enrollment_id.in_(enrollments)))
        session.execute(delete(ClassEnrollment).where(ClassEnrollment.student_id.in_(user_ids)))
        session.execute(delete(ClubClass).where(ClubClass.kruzhok_id.in_(clubs)))
        delete_history_free_children(session, users=user_ids, quizzes=[quiz_id])
        session.execute(delete(Kruzhok).where(Kruzhok.owner_id.in_(user_ids)))
        session.execute(delete(Subscription).where(Subscription.user_id.in_(user_ids)))
        session.execute(delete(AuditEvent).where(AuditEvent.actor_id.in_(user_ids)))
        session.execute(delete(RateLimitHit).where(or_(*[RateLimitHit.bucket.like(f"%:{u}") for u in user_ids])))
        session.execute(delete(Notification).where(Notification.user_id.in_(user_ids)))
        session.execute(delete(ProgramLesson).where(ProgramLesson.id == lesson_id))
        session.execute(delete(Program).where(Program.id == program_id))
        session.execute(delete(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id))
        session.execute(delete(Quiz).where(Quiz.id == quiz_id))
        session.execute(delete(User).where(User.id.in_(user_ids)))


@pytest.mark.postgres_only
def test_save_and_two_manual_sends_at_once_assign_and_notify_once(engine):
    db = Database(engine)
    with db.transaction() as session:
        owner = make_user(session)
        make_subscription(session, owner)
        club = make_club(session, owner)
        klass = make_class(session, club)
        students = [make_user(session) for _ in range(6)]
        for student in students:
            make_enrollment(session, klass, student)
        lesson = make_lesson_quiz(session)
        row = make_lesson_session(session, klass, program_lesson_id=lesson.id)
        owner_id, club_id, row_id, lesson_id, quiz_id = owner.id, club.id, row.id, lesson.id, lesson.quiz_id
        student_ids = [s.id for s in students]
        # Marked already (so the manual send targets the same present students as the save).
        session.add_all([Attendance(session_id=row.id, student_id=s, status="present", xp_awarded=0, revision=0,
                                    marked_at=utcnow()) for s in student_ids])
    marks = [attendance.MarkIn(student_id=s, session_id=row_id, status="present") for s in student_ids]
    try:
        def save() -> Any:
            with db.transaction() as session:
                return attendance.save_batch(session, actor=session.get(User, owner_id), kruzhok_id=club_id,
                                             marks=marks, now=utcnow())

        def send() -> Callable[[], Any]:
            def run() -> Any:
                with db.transaction() as session:
                    return quiz_distribution.send_quiz(session, actor=session.get(User, owner_id),
                                                       session_id=row_id, quiz_id=quiz_id, now=utcnow())
            return run

        results = run_concurrently([save, send(), send()])
        assert not [r for r in results if isinstance(r, BaseException)], results
        sent = [r.sent for r in results[1:]]
        with db.transaction() as session:
            per_student = dict(session.execute(
                select(ClubQuizAssignment.student_id, func.count()).where(ClubQuizAssignment.session_id == row_id)
                .group_by(ClubQuizAssignment.student_id)).all())
            assert per_student == {s: 1 for s in student_ids}
            notes = dict(session.execute(
                select(Notification.user_id, func.count())
                .where(Notification.type == "QUIZ_ASSIGNED", Notification.user_id.in_(student_ids))
                .group_by(Notification.user_id)).all())
            assert notes == {s: 1 for s in student_ids}
        assert sum(sent) <= len(student_ids)
    finally:
        _cleanup(db, [owner_id, *student_ids], lesson_id)
