"""A student's progress in a course: lesson completion (+10 XP) and question answers (+20 XP).

Each award is made once per user and lesson/question through `xp.award_xp` (unique source_key),
so double clicks, retries and re-answering never farm XP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import ErrorCode, Forbidden, NotFound, field_error
from core.models import Course, Lesson, LessonCompletion, LessonQuestion, Module, QuestionAnswer, User, XpSource
from core.services import missions, xp
from core.services.courses import course_visible, is_enrolled, lesson_access
from core.services.permissions import require_user


def _lesson_in_course(session: Session, actor: User, course_id: str, lesson_id: str) -> tuple[Course, Lesson]:
    row = session.execute(
        select(Course, Lesson).join(Module, Module.course_id == Course.id).join(Lesson, Lesson.module_id == Module.id)
        .where(Course.id == course_id, Lesson.id == lesson_id)
    ).first()
    if row is None or not course_visible(row[0], actor):
        raise NotFound("Урок не найден")
    course, lesson = row
    enrolled = is_enrolled(session, user_id=actor.id, course_id=course.id)
    if not lesson_access(course, lesson, actor=actor, enrolled=enrolled).allowed:
        raise Forbidden("Урок доступен после записи на курс", code=ErrorCode.NOT_ENROLLED)
    return course, lesson


@dataclass(frozen=True)
class LessonCompleted:
    lesson_id: str
    xp_awarded: int
    completed: bool = True


@dataclass(frozen=True)
class AnswerChecked:
    is_correct: bool
    xp_awarded: int
    mission_xp_awarded: int = 0  # a daily mission completed by this answer


def complete_lesson(session: Session, *, actor: User | None, course_id: str, lesson_id: str,
                    now: datetime, thresholds: Sequence[int] = xp.DEFAULT_THRESHOLDS) -> LessonCompleted:
    """Mark a lesson completed; the first completion awards 10 XP."""
    actor = require_user(actor)
    course, lesson = _lesson_in_course(session, actor, course_id, lesson_id)
    try:
        with session.begin_nested():
            session.add(LessonCompletion(user_id=actor.id, lesson_id=lesson.id, created_at=now))
            session.flush()
        first = True
    except IntegrityError:
        first = False
    awarded = first and xp.award_xp(
        session, user_id=actor.id, amount=xp.LESSON_COMPLETE_XP, reason=f"Урок пройден: {lesson.title}",
        source=XpSource.LESSON_COMPLETE, source_key=f"lesson:{actor.id}:{lesson.id}", now=now,
        course_id=course.id, thresholds=thresholds)
    return LessonCompleted(lesson_id=lesson.id, xp_awarded=xp.LESSON_COMPLETE_XP if awarded else 0)


def _matches(answer: str, correct: str) -> bool:
    return " ".join(answer.split()).casefold() == " ".join(correct.split()).casefold()


def answer_question(session: Session, *, actor: User | None, course_id: str, question_id: str, answer: Any,
                    now: datetime, thresholds: Sequence[int] = xp.DEFAULT_THRESHOLDS,
                    timezone: str = "Asia/Almaty") -> AnswerChecked:
    """Check an answer; the first correct answer to a question awards 20 XP (never again) and counts
    towards the course's daily missions (local day in `timezone`).

    The latest answer is kept (one row per user and question); when it first becomes correct its
    time is moved to now, so "correct answers today" counts it today.
    """
    actor = require_user(actor)
    text = str(answer if answer is not None else "").strip()
    if not text:
        raise field_error("answer", "Введите ответ")
    if len(text) > 500:
        raise field_error("answer", "Ответ не длиннее 500 символов")
    question = session.get(LessonQuestion, question_id)
    if question is None:
        raise NotFound("Вопрос не найден")
    course, _ = _lesson_in_course(session, actor, course_id, question.lesson_id)
    is_correct = _matches(text, question.correct_answer)
    row = session.scalar(select(QuestionAnswer).where(QuestionAnswer.user_id == actor.id,
                                                      QuestionAnswer.question_id == question.id))
    if row is None:
        try:
            with session.begin_nested():
                row = QuestionAnswer(user_id=actor.id, question_id=question.id, answer=text,
                                     is_correct=is_correct, created_at=now)
                session.add(row)
                session.flush()
        except IntegrityError:
            row = session.scalar(select(QuestionAnswer).where(QuestionAnswer.user_id == actor.id,
                                                              QuestionAnswer.question_id == question.id))
    if row is not None and (row.answer != text or row.is_correct != is_correct):
        if is_correct and not row.is_correct:
            row.created_at = now
        row.answer, row.is_correct = text, is_correct
    awarded = is_correct and xp.award_xp(
        session, user_id=actor.id, amount=xp.COURSE_ANSWER_XP, reason="Правильный ответ на вопрос курса",
        source=XpSource.COURSE_ANSWER, source_key=f"answer:{actor.id}:{question.id}", now=now,
        course_id=course.id, thresholds=thresholds)
    mission_xp = missions.on_correct_answer(session, user_id=actor.id, course_id=course.id, now=now,
                                            timezone=timezone, thresholds=thresholds) if awarded else 0
    return AnswerChecked(is_correct=is_correct, xp_awarded=xp.COURSE_ANSWER_XP if awarded else 0,
                         mission_xp_awarded=mission_xp)
