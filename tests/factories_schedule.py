"""Builders for lesson sessions (auto-discovered by `make`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.models import ClubClass, LessonSession, Program, ProgramLesson, Quiz, QuizQuestion


def make_lesson_session(session: Session, klass: ClubClass, **overrides: Any) -> LessonSession:
    """A SCHEDULED 90-minute session that started an hour ago unless overridden."""
    now = utcnow()
    values: dict[str, Any] = {"class_id": klass.id, "starts_at": now - timedelta(hours=1), "duration_min": 90,
                              "status": "SCHEDULED", "auto_send_quiz": True, "created_at": now, "updated_at": now}
    values.update(overrides)
    row = LessonSession(**values)
    session.add(row)
    session.flush()
    return row


def make_lesson_quiz(session: Session, *, text_question: bool = False, pass_percent: int = 60,
                     title: str = "Урок 3. Датчики") -> ProgramLesson:
    """A program lesson with a quiz: a single-choice and a multiple-choice question (and a text one).

    Correct answers by option index: single → 1 ("4"), multiple → [0, 2] ("мотор", "датчик"),
    text → "конструктор"."""
    now = utcnow()
    quiz = Quiz(title=f"Тест: {title}", pass_percent=pass_percent, created_at=now)
    program = Program(title="Введение в робототехнику", created_at=now)
    session.add_all([quiz, program])
    session.flush()
    questions = [
        QuizQuestion(quiz_id=quiz.id, type="single", text="Сколько колёс у робота?", options=["2", "4", "6"],
                     correct=["4"], order_index=0, created_at=now),
        QuizQuestion(quiz_id=quiz.id, type="multiple", text="Что есть у робота?",
                     options=["мотор", "крыло", "датчик"], correct=["мотор", "датчик"], order_index=1, created_at=now),
    ]
    if text_question:
        questions.append(QuizQuestion(quiz_id=quiz.id, type="text", text="Кто собирает модели?", options=[],
                                      correct=["конструктор"], order_index=2, created_at=now))
    lesson = ProgramLesson(program_id=program.id, title=title, order_index=3, quiz_id=quiz.id, xp_reward=0,
                           created_at=now)
    session.add_all([*questions, lesson])
    session.flush()
    return lesson
