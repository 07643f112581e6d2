"""The student's side of club quizzes (SPEC §11): my assignments, taking one, submitting it once.

The questions are shown without their correct answers. Answers name options by index (`single`: one
index, `multiple`: a list of distinct indexes, `text`: a string); they are stored as the option texts
(as `correct` is), one `ClubQuizAnswer` per question. Every question must be answered. Objective
questions are graded at once; a quiz with text questions waits in SUBMITTED for the mentor
(`quiz_grading.grade`), otherwise it is GRADED immediately and +50 XP is awarded if it passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, ErrorCode, Invalid, NotFound
from core.models import (
    AuditAction,
    ClubClass,
    ClubQuizAssignment,
    Kruzhok,
    LessonSession,
    ProgramLesson,
    QuestionType,
    Quiz,
    QuizAssignmentStatus,
    QuizQuestion,
    User,
)
from core.services import audit
from core.services.pagination import Page
from core.services.permissions import require_user
from core.services.quiz_answers import GradedAnswer, record_answers
from core.services.quiz_grading import MSG_NOT_FOUND, club_of, finish, is_overdue, lock_assignment
from core.services.xp import DEFAULT_THRESHOLDS

MAX_ANSWERS = 200
MAX_TEXT_ANSWER = 2000


@dataclass(frozen=True)
class AnswerIn:
    question_id: str
    answer: Any


@dataclass(frozen=True)
class QuestionView:
    id: str
    type: str
    text: str
    options: list[str]
    order_index: int


@dataclass(frozen=True)
class AssignmentView:
    id: str
    quiz_id: str
    quiz_title: str
    pass_percent: int
    session_id: str | None
    kruzhok_id: str | None
    kruzhok_title: str | None
    lesson_title: str | None
    lesson_starts_at: datetime | None
    assigned_at: datetime
    due_at: datetime
    submitted_at: datetime | None
    status: str
    score: int | None
    passed: bool | None
    is_overdue: bool
    is_manual: bool
    questions: list[QuestionView] | None = None
    my_answers: dict[str, list[Any]] | None = None


def _query() -> Any:
    return (select(ClubQuizAssignment, Quiz.title, Quiz.pass_percent, Kruzhok.id, Kruzhok.title,
                   func.coalesce(LessonSession.lesson_title_snapshot, ProgramLesson.title), LessonSession.starts_at)
            .join(Quiz, Quiz.id == ClubQuizAssignment.quiz_id)
            .outerjoin(LessonSession, LessonSession.id == ClubQuizAssignment.session_id)
            .outerjoin(ProgramLesson, ProgramLesson.id == LessonSession.program_lesson_id)
            .outerjoin(ClubClass, ClubClass.id == LessonSession.class_id)
            .outerjoin(Kruzhok, Kruzhok.id == ClubClass.kruzhok_id))


def _view(item: Any, now: datetime) -> AssignmentView:
    row, quiz_title, pass_percent, club_id, club_title, lesson_title, starts_at = item
    graded = row.status == QuizAssignmentStatus.GRADED and row.score is not None
    return AssignmentView(
        id=row.id, quiz_id=row.quiz_id, quiz_title=quiz_title, pass_percent=pass_percent, session_id=row.session_id,
        kruzhok_id=club_id, kruzhok_title=club_title, lesson_title=lesson_title, lesson_starts_at=starts_at,
        assigned_at=row.assigned_at, due_at=row.due_at, submitted_at=row.submitted_at, status=row.status,
        score=row.score, passed=row.score >= pass_percent if graded else None, is_overdue=is_overdue(row, now),
        is_manual=row.is_manual)


def my_assignments(session: Session, *, actor: User | None, page: Page, now: datetime
                   ) -> tuple[list[AssignmentView], int]:
    """The caller's assignments, the newest first, with the total count."""
    actor = require_user(actor)
    mine = ClubQuizAssignment.student_id == actor.id
    items = session.execute(_query().where(mine).order_by(ClubQuizAssignment.assigned_at.desc(),
                                                          ClubQuizAssignment.id.desc())
                            .limit(page.limit).offset(page.offset)).all()
    total = session.scalar(select(func.count()).select_from(ClubQuizAssignment).where(mine)) or 0
    return [_view(item, now) for item in items], total


def _questions(session: Session, quiz_id: str) -> list[QuizQuestion]:
    return list(session.scalars(select(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id)
                                .order_by(QuizQuestion.order_index, QuizQuestion.id)))


def get_assignment(session: Session, *, actor: User | None, assignment_id: str, now: datetime) -> AssignmentView:
    """The assignment with its questions (never their correct answers) — only for its student."""
    actor = require_user(actor)
    item = session.execute(_query().where(ClubQuizAssignment.id == assignment_id)).first()
    if item is None or item[0].student_id != actor.id:
        raise NotFound(MSG_NOT_FOUND)
    view = _view(item, now)
    questions = [QuestionView(id=q.id, type=q.type, text=q.text, options=list(q.options), order_index=q.order_index)
                 for q in _questions(session, view.quiz_id)]
    answers = item[0].answers
    return AssignmentView(**{**view.__dict__, "questions": questions,
                             "my_answers": dict(answers) if answers is not None else None})


def _option_index(value: Any, options: list[Any]) -> int | str:
    """The index, or the problem with it."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "Ожидается номер варианта (целое число)"
    if not 0 <= value < len(options):
        return f"Номер варианта должен быть от 0 до {len(options) - 1}"
    return value


def _grade_one(question: QuizQuestion, value: Any) -> GradedAnswer | str:
    """The answer graded (text: waiting for the mentor), or the problem with it."""
    options = list(question.options)
    if question.type == QuestionType.SINGLE:
        index = _option_index(value, options)
        if isinstance(index, str):
            return index
        chosen = [options[index]]
        ok = set(chosen) == set(question.correct)
        return GradedAnswer(question=question, answer=chosen, is_correct=ok, points=int(ok))
    if question.type == QuestionType.MULTIPLE:
        if not isinstance(value, list) or not value:
            return "Ожидается непустой список номеров вариантов"
        indexes: list[int] = []
        for item in value:
            index = _option_index(item, options)
            if isinstance(index, str):
                return index
            if index in indexes:
                return "Вариант указан дважды"
            indexes.append(index)
        chosen = [options[i] for i in sorted(indexes)]
        ok = set(chosen) == set(question.correct)
        return GradedAnswer(question=question, answer=chosen, is_correct=ok, points=int(ok))
    if not isinstance(value, str):
        return "Ожидается текст ответа"
    text = value.strip()
    if not text:
        return "Введите ответ"
    if len(text) > MAX_TEXT_ANSWER:
        return f"Ответ не длиннее {MAX_TEXT_ANSWER} символов"
    return GradedAnswer(question=question, answer=[text], is_correct=None, points=0)


def grade_answers(questions: Sequence[QuizQuestion], answers: Sequence[AnswerIn]) -> list[GradedAnswer]:
    """Every answer checked at once: 422 `invalid_answers` lists each bad one (and each unanswered question)."""
    if len(answers) > MAX_ANSWERS:
        raise Invalid(f"Не более {MAX_ANSWERS} ответов", code=ErrorCode.INVALID_ANSWERS, details={"answers": []})
    by_id = {q.id: q for q in questions}
    bad: list[dict[str, Any]] = []
    graded: dict[str, GradedAnswer] = {}
    for index, item in enumerate(answers):
        question = by_id.get(item.question_id)
        problem: str | None = None
        if question is None:
            problem = "Такого вопроса нет в этом тесте"
        elif question.id in graded:
            problem = "Ответ на этот вопрос указан дважды"
        else:
            result = _grade_one(question, item.answer)
            if isinstance(result, str):
                problem = result
            else:
                graded[question.id] = result
        if problem is not None:
            bad.append({"index": index, "questionId": item.question_id, "message": problem})
    answered = {a.question_id for a in answers}
    bad.extend({"index": None, "questionId": q.id, "message": "Ответьте на этот вопрос"}
               for q in questions if q.id not in answered)
    if bad:
        raise Invalid("Ответы не приняты: исправьте отмеченные", code=ErrorCode.INVALID_ANSWERS,
                      details={"answers": bad})
    return [graded[q.id] for q in questions]


def submit(session: Session, *, actor: User | None, assignment_id: str, answers: Sequence[AnswerIn], now: datetime,
           thresholds: Sequence[int] = DEFAULT_THRESHOLDS) -> AssignmentView:
    """Once, before the due time, by the assignment's student only."""
    actor = require_user(actor)
    row = lock_assignment(session, assignment_id)
    if row is None or row.student_id != actor.id:
        raise NotFound(MSG_NOT_FOUND)
    if row.status != QuizAssignmentStatus.ASSIGNED:
        raise Conflict("Тест уже сдан: отправить ответы можно один раз", code=ErrorCode.ALREADY_SUBMITTED,
                       details={"status": row.status})
    if is_overdue(row, now):
        raise Conflict("Срок сдачи теста истёк", code=ErrorCode.OVERDUE, details={"dueAt": row.due_at.isoformat()})
    graded = grade_answers(_questions(session, row.quiz_id), answers)
    record_answers(session, assignment=row, answers=graded, now=now)
    row.answers = {g.question.id: list(g.answer) for g in graded}
    row.submitted_at = now
    row.status = QuizAssignmentStatus.SUBMITTED
    passed: bool | None = None
    if all(g.is_correct is not None for g in graded):
        passed = finish(session, row, correct=sum(g.points for g in graded), total=len(graded), grader=None,
                        club=club_of(session, row), now=now, thresholds=thresholds)
    audit.record(session, actor=actor, action=AuditAction.QUIZ_SUBMIT, entity="club_quiz_assignment",
                 entity_id=row.id, now=now, data={"status": row.status, "score": row.score, "passed": passed})
    session.flush()
    return get_assignment(session, actor=actor, assignment_id=row.id, now=now)
