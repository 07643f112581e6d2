"""Submitting and grading racing themselves on committed PostgreSQL data: two submits of one assignment at
once → one is accepted, the other 409 `already_submitted`; two mentors grading at once → one grade, and
the +50 XP exactly once (the assignment row is locked; the ledger key backs it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from core.clock import utcnow
from core.db import Database
from core.errors import Conflict
from core.models import ClubQuizAnswer, ClubQuizAssignment, QuizQuestion, User, XpEvent
from core.services import attendance, quiz_grading, quiz_taking
from tests.concurrency import run_concurrently
from tests.factories import make_user
from tests.factories_clubs import make_class, make_club, make_enrollment, make_mentor, make_subscription
from tests.factories_schedule import make_lesson_quiz, make_lesson_session
from tests.services.test_quiz_distribution_races import _cleanup


def _world(db: Database, *, text_question: bool) -> dict[str, Any]:
    with db.transaction() as session:
        owner = make_user(session)
        make_subscription(session, owner)
        club = make_club(session, owner)
        mentor = make_mentor(session, club).user
        klass = make_class(session, club)
        student = make_user(session)
        make_enrollment(session, klass, student)
        lesson = make_lesson_quiz(session, text_question=text_question)
        row = make_lesson_session(session, klass, program_lesson_id=lesson.id)
        attendance.save_batch(session, actor=owner, kruzhok_id=club.id, now=utcnow(),
                              marks=[attendance.MarkIn(student_id=student.id, session_id=row.id, status="present")])
        assignment_id = session.scalar(select(ClubQuizAssignment.id).where(ClubQuizAssignment.session_id == row.id))
        questions = list(session.scalars(select(QuizQuestion).where(QuizQuestion.quiz_id == lesson.quiz_id)
                                         .order_by(QuizQuestion.order_index)))
        values: list[Any] = [1, [0, 2], "конструктор"]
        answers = [quiz_taking.AnswerIn(question_id=q.id, answer=v) for q, v in zip(questions, values, strict=False)]
        return {"users": [owner.id, mentor.id, student.id], "owner": owner.id, "mentor": mentor.id,
                "student": student.id, "lesson": lesson.id, "assignment": assignment_id, "answers": answers,
                "text": questions[-1].id}


def _delete_answers(db: Database, assignment_id: str) -> None:
    with db.transaction() as session:
        session.execute(delete(ClubQuizAnswer).where(ClubQuizAnswer.assignment_id == assignment_id))


def _quiz_xp(db: Database, student_id: str) -> list[int]:
    with db.transaction() as session:
        return list(session.scalars(select(XpEvent.amount).where(XpEvent.user_id == student_id,
                                                                 XpEvent.source == "CLUB_QUIZ")))


@pytest.mark.postgres_only
def test_two_submits_at_once_one_accepted_xp_once(engine):
    db = Database(engine)
    w = _world(db, text_question=False)
    try:
        def submit() -> Any:
            with db.transaction() as session:
                return quiz_taking.submit(session, actor=session.get(User, w["student"]),
                                          assignment_id=w["assignment"], answers=w["answers"], now=utcnow())

        results = run_concurrently([submit, submit])
        accepted = [r for r in results if isinstance(r, quiz_taking.AssignmentView)]
        refused = [r for r in results if isinstance(r, Conflict)]
        assert len(accepted) == 1 and len(refused) == 1, results
        assert refused[0].code == "already_submitted"
        assert _quiz_xp(db, w["student"]) == [50]
        with db.transaction() as session:
            assert session.scalar(select(func.count()).select_from(ClubQuizAnswer)
                                  .where(ClubQuizAnswer.assignment_id == w["assignment"])) == 2
    finally:
        _delete_answers(db, w["assignment"])
        _cleanup(db, w["users"], w["lesson"])


@pytest.mark.postgres_only
def test_two_mentors_grading_at_once_grade_once(engine):
    db = Database(engine)
    w = _world(db, text_question=True)
    try:
        with db.transaction() as session:
            quiz_taking.submit(session, actor=session.get(User, w["student"]), assignment_id=w["assignment"],
                               answers=w["answers"], now=utcnow())

        def grade(actor_id: str) -> Callable[[], Any]:
            def run() -> Any:
                with db.transaction() as session:
                    return quiz_grading.grade(session, actor=session.get(User, actor_id),
                                              assignment_id=w["assignment"], now=utcnow(),
                                              grades=[quiz_grading.Grade(question_id=w["text"], correct=True)])
            return run

        results = run_concurrently([grade(w["owner"]), grade(w["mentor"])])
        assert sum(isinstance(r, ClubQuizAssignment) for r in results) == 1, results
        assert [r.code for r in results if isinstance(r, Conflict)] == ["not_submitted"]
        assert _quiz_xp(db, w["student"]) == [50]
    finally:
        _delete_answers(db, w["assignment"])
        _cleanup(db, w["users"], w["lesson"])
