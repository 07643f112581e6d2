"""Grading club quizzes (SPEC §11): the score, the +50 XP on passing, the mentor's grades of text answers
and the mentor's view of a lesson's assignments.

Score = the percentage of the quiz's questions answered correctly (each question one point), rounded
half up. Passing (score ≥ the quiz's `pass_percent`) awards 50 XP through the XP service under the key
`club_quiz:<assignment>` — once, whatever retries or races happen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import as_utc
from core.errors import Conflict, ErrorCode, Forbidden, Invalid, NotFound
from core.models import (
    AuditAction,
    ClubClass,
    ClubQuizAnswer,
    ClubQuizAssignment,
    Kruzhok,
    LessonSession,
    NotificationType,
    Quiz,
    QuizAssignmentStatus,
    QuizQuestion,
    User,
)
from core.models.xp import XpSource
from core.services import audit, notifications
from core.services.clean import get_row
from core.services.club_access import is_club_mentor
from core.services.permissions import require_user
from core.services.schedule import managed_session
from core.services.xp import DEFAULT_THRESHOLDS, award_xp

PASS_XP = 50
MAX_GRADES = 200
MSG_NOT_FOUND = "Задание не найдено"


def percent(correct: int, total: int) -> int:
    """Share of correct answers in whole percent, rounded half up (2 of 3 → 67)."""
    return (200 * correct + total) // (2 * total) if total else 0


def is_overdue(row: ClubQuizAssignment, now: datetime) -> bool:
    return row.is_overdue or (row.status == QuizAssignmentStatus.ASSIGNED and as_utc(now) > as_utc(row.due_at))


def lock_assignment(session: Session, assignment_id: Any) -> ClubQuizAssignment | None:
    if get_row(session, ClubQuizAssignment, assignment_id) is None:
        return None
    return session.scalar(select(ClubQuizAssignment).where(ClubQuizAssignment.id == assignment_id)
                          .with_for_update().execution_options(populate_existing=True))


def club_of(session: Session, row: ClubQuizAssignment) -> Kruzhok | None:
    if row.session_id is None:
        return None
    return session.scalar(select(Kruzhok).join(ClubClass, ClubClass.kruzhok_id == Kruzhok.id)
                          .join(LessonSession, LessonSession.class_id == ClubClass.id)
                          .where(LessonSession.id == row.session_id))


def finish(session: Session, row: ClubQuizAssignment, *, correct: int, total: int, grader: User | None,
           club: Kruzhok | None, now: datetime, thresholds: Sequence[int] = DEFAULT_THRESHOLDS) -> bool:
    """SUBMITTED → GRADED with its score; +50 XP once when it passes. Returns whether it passed."""
    quiz = session.get(Quiz, row.quiz_id)
    assert quiz is not None  # a foreign key
    row.score = percent(correct, total)
    row.status = QuizAssignmentStatus.GRADED
    row.graded_at = now
    row.graded_by_id = grader.id if grader is not None else None
    passed = row.score >= quiz.pass_percent
    if passed:
        award_xp(session, user_id=row.student_id, amount=PASS_XP, reason=f"Тест «{quiz.title}» пройден",
                 source=XpSource.CLUB_QUIZ, source_key=f"club_quiz:{row.id}", now=now,
                 kruzhok_id=club.id if club is not None else None, thresholds=thresholds)
    return passed


@dataclass(frozen=True)
class Grade:
    question_id: str
    correct: Any


def _check_grades(pending: dict[str, ClubQuizAnswer], grades: Sequence[Grade]) -> None:
    bad: list[dict[str, Any]] = []
    if len(grades) > MAX_GRADES:
        raise Invalid(f"Не более {MAX_GRADES} оценок", code=ErrorCode.INVALID_ANSWERS, details={"answers": []})
    seen: set[str] = set()
    for index, grade in enumerate(grades):
        if grade.question_id not in pending:
            bad.append({"index": index, "questionId": grade.question_id,
                        "message": "Это не текстовый ответ, ожидающий проверки"})
        elif grade.question_id in seen:
            bad.append({"index": index, "questionId": grade.question_id, "message": "Вопрос оценён дважды"})
        elif not isinstance(grade.correct, bool):
            bad.append({"index": index, "questionId": grade.question_id, "message": "Ожидается true или false"})
        seen.add(grade.question_id)
    for question_id in sorted(set(pending) - seen):
        bad.append({"index": None, "questionId": question_id, "message": "Оцените этот ответ"})
    if bad:
        raise Invalid("Оценки не сохранены: исправьте отмеченные ответы", code=ErrorCode.INVALID_ANSWERS,
                      details={"answers": bad})


def grade(session: Session, *, actor: User | None, assignment_id: str, grades: Sequence[Grade], now: datetime,
          thresholds: Sequence[int] = DEFAULT_THRESHOLDS) -> ClubQuizAssignment:
    """The mentor (or owner) of the assignment's club grades every text answer; the assignment is GRADED."""
    actor = require_user(actor)
    row = lock_assignment(session, assignment_id)
    club = club_of(session, row) if row is not None else None
    if row is None or club is None:
        raise NotFound(MSG_NOT_FOUND)
    if not is_club_mentor(session, actor, club):
        if row.student_id == actor.id:
            raise Forbidden("Оценивать ответы может только ментор кружка")
        raise NotFound(MSG_NOT_FOUND)
    if row.status != QuizAssignmentStatus.SUBMITTED:
        message = "Тест ещё не сдан" if row.status == QuizAssignmentStatus.ASSIGNED else "Тест уже оценён"
        raise Conflict(message, code=ErrorCode.NOT_SUBMITTED, details={"status": row.status})
    answers = list(session.scalars(select(ClubQuizAnswer).where(ClubQuizAnswer.assignment_id == row.id)))
    pending = {a.question_id: a for a in answers if a.is_correct is None}
    _check_grades(pending, grades)
    for item in grades:
        answer = pending[item.question_id]
        answer.is_correct = bool(item.correct)
        answer.points = 1 if item.correct else 0
    correct = sum(1 for a in answers if a.is_correct)
    passed = finish(session, row, correct=correct, total=len(answers), grader=actor, club=club, now=now,
                    thresholds=thresholds)
    quiz = session.get(Quiz, row.quiz_id)
    title = quiz.title if quiz is not None else ""
    verdict = "тест пройден, +50 XP" if passed else "тест не пройден"
    notifications.notify(session, user_id=row.student_id, type=NotificationType.QUIZ_GRADED, title="Тест проверен",
                         message=f"Тест «{title}»: {row.score}% — {verdict}", link=f"/quizzes/assignments/{row.id}",
                         meta={"assignmentId": row.id, "score": row.score, "passed": passed}, now=now)
    audit.record(session, actor=actor, action=AuditAction.QUIZ_GRADE, entity="club_quiz_assignment",
                 entity_id=row.id, now=now, data={"score": row.score, "passed": passed, "graded": len(grades)})
    session.flush()
    return row


@dataclass(frozen=True)
class AnswerView:
    question_id: str
    question_text: str
    type: str | None
    answer: list[Any]
    is_correct: bool | None
    points: int
    matches_accepted: bool | None  # text answers: does it equal one of the accepted answers (a hint)


@dataclass(frozen=True)
class MentorAssignmentView:
    id: str
    student_id: str
    full_name: str
    quiz_id: str
    quiz_title: str
    status: str
    score: int | None
    passed: bool | None
    assigned_at: datetime
    due_at: datetime
    submitted_at: datetime | None
    is_overdue: bool
    is_manual: bool
    answers: list[AnswerView]


def _answer_view(answer: ClubQuizAnswer, question: QuizQuestion | None) -> AnswerView:
    matches = None
    if question is not None and question.type == "text" and answer.answer:
        accepted = {str(c).strip().casefold() for c in question.correct}
        matches = str(answer.answer[0]).strip().casefold() in accepted
    return AnswerView(question_id=answer.question_id, question_text=answer.question_text,
                      type=question.type if question is not None else None, answer=list(answer.answer),
                      is_correct=answer.is_correct, points=answer.points, matches_accepted=matches)


def lesson_assignments(session: Session, *, actor: User | None, session_id: str,
                       now: datetime) -> list[MentorAssignmentView]:
    """Mentor or owner: every quiz assignment of the lesson session — who submitted, the score, the answers."""
    actor = require_user(actor)
    row, _club = managed_session(session, actor, session_id)
    items = session.execute(
        select(ClubQuizAssignment, User.full_name, Quiz.title, Quiz.pass_percent)
        .join(User, User.id == ClubQuizAssignment.student_id).join(Quiz, Quiz.id == ClubQuizAssignment.quiz_id)
        .where(ClubQuizAssignment.session_id == row.id)
        .order_by(Quiz.title, User.full_name, ClubQuizAssignment.id)).all()
    ids = [a.id for a, _, _, _ in items]
    by_assignment: dict[str, list[AnswerView]] = {}
    if ids:
        for answer, question in session.execute(
                select(ClubQuizAnswer, QuizQuestion)
                .outerjoin(QuizQuestion, QuizQuestion.id == ClubQuizAnswer.question_id)
                .where(ClubQuizAnswer.assignment_id.in_(ids))
                .order_by(QuizQuestion.order_index, ClubQuizAnswer.question_id)).all():
            by_assignment.setdefault(answer.assignment_id, []).append(_answer_view(answer, question))
    return [MentorAssignmentView(
        id=a.id, student_id=a.student_id, full_name=name, quiz_id=a.quiz_id, quiz_title=title, status=a.status,
        score=a.score, passed=(a.score >= pass_percent) if a.status == QuizAssignmentStatus.GRADED
        and a.score is not None else None, assigned_at=a.assigned_at, due_at=a.due_at,
        submitted_at=a.submitted_at, is_overdue=is_overdue(a, now), is_manual=a.is_manual,
        answers=by_assignment.get(a.id, [])) for a, name, title, pass_percent in items]
