"""The overdue job: ASSIGNED club quiz assignments past their due time are marked once; submitted or not
yet due ones are left alone; two workers at once (PostgreSQL, SKIP LOCKED) mark each row exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from core.clock import utcnow
from core.db import Database
from core.models import (
    ClassEnrollment,
    ClassMembershipPeriod,
    ClubClass,
    ClubQuizAssignment,
    Kruzhok,
    LessonSession,
    Program,
    ProgramLesson,
    Quiz,
    QuizQuestion,
    Subscription,
    User,
)
from jobs.club_quizzes import mark_overdue_quizzes
from jobs.schedule import JOBS
from tests.concurrency import delete_history_free_children, run_concurrently
from tests.factories import make_user
from tests.factories_clubs import make_class, make_club
from tests.factories_schedule import make_lesson_quiz, make_lesson_session


def _assignments(session, due_offsets: list[tuple[timedelta, str]]) -> tuple[list[str], str, str]:
    owner = make_user(session)
    klass = make_class(session, make_club(session, owner))
    lesson = make_lesson_quiz(session)
    row = make_lesson_session(session, klass, program_lesson_id=lesson.id)
    now = utcnow()
    ids = []
    for offset, status in due_offsets:
        student = make_user(session)
        item = ClubQuizAssignment(student_id=student.id, quiz_id=lesson.quiz_id, session_id=row.id,
                                  assigned_at=now - timedelta(days=2), due_at=now + offset, status=status)
        session.add(item)
        session.flush()
        ids.append(item.id)
    return ids, owner.id, lesson.id


def test_job_is_registered_for_the_worker_and_cli():
    assert "mark_overdue_quizzes" in {job.name for job in JOBS}


def test_marks_only_assigned_past_due_once(db):
    with db.transaction() as session:
        ids, _, _ = _assignments(session, [(-timedelta(hours=1), "ASSIGNED"), (-timedelta(hours=1), "SUBMITTED"),
                                           (timedelta(hours=1), "ASSIGNED")])
    now = utcnow()
    assert mark_overdue_quizzes(db, now=now) == 1
    assert mark_overdue_quizzes(db, now=now) == 0
    with db.transaction() as session:
        flags = [session.get(ClubQuizAssignment, i).is_overdue for i in ids]
    assert flags == [True, False, False]


def _cleanup(db: Database, owner_id: str, lesson_id: str, ids: list[str]) -> None:
    with db.transaction() as session:
        students = list(session.scalars(select(ClubQuizAssignment.student_id).where(ClubQuizAssignment.id.in_(ids))))
        lesson = session.get(ProgramLesson, lesson_id)
        quiz_id, program_id = lesson.quiz_id, lesson.program_id
        session.execute(delete(ClubQuizAssignment).where(ClubQuizAssignment.id.in_(ids)))
        clubs = select(Kruzhok.id).where(Kruzhok.owner_id == owner_id)
        classes = select(ClubClass.id).where(ClubClass.kruzhok_id.in_(clubs))
        session.execute(delete(LessonSession).where(LessonSession.class_id.in_(classes)))
        enrollments = select(ClassEnrollment.id).where(ClassEnrollment.class_id.in_(classes))
        session.execute(delete(ClassMembershipPeriod).where(ClassMembershipPeriod.enrollment_id.in_(enrollments)))
        session.execute(delete(ClassEnrollment).where(ClassEnrollment.class_id.in_(classes)))
        session.execute(delete(ClubClass).where(ClubClass.kruzhok_id.in_(clubs)))
        delete_history_free_children(session, users=[owner_id, *students], quizzes=[quiz_id])
        session.execute(delete(Kruzhok).where(Kruzhok.owner_id == owner_id))
        session.execute(delete(Subscription).where(Subscription.user_id == owner_id))
        session.execute(delete(ProgramLesson).where(ProgramLesson.id == lesson_id))
        session.execute(delete(Program).where(Program.id == program_id))
        session.execute(delete(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id))
        session.execute(delete(Quiz).where(Quiz.id == quiz_id))
        session.execute(delete(User).where(User.id.in_([owner_id, *students])))


@pytest.mark.postgres_only
def test_two_workers_at_once_mark_each_row_once(engine):
    db = Database(engine)
    with db.transaction() as session:
        ids, owner_id, lesson_id = _assignments(session, [(-timedelta(minutes=m), "ASSIGNED") for m in range(1, 13)])
    try:
        now = utcnow()
        results = run_concurrently([lambda: mark_overdue_quizzes(db, now=now) for _ in range(3)])
        assert all(isinstance(r, int) for r in results), results
        assert sum(results) == 12
        with db.transaction() as session:
            assert all(session.get(ClubQuizAssignment, i).is_overdue for i in ids)
    finally:
        _cleanup(db, owner_id, lesson_id, ids)
