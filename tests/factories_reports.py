"""Builders of report history: quizzes with questions, program lessons, held sessions with marks,
graded quiz assignments with per-question answers (the quiz submission flow writes these rows the
same way through core/services/quiz_answers.record_answers)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.models import (
    Attendance,
    ClubClass,
    ClubQuizAssignment,
    LessonSession,
    Program,
    ProgramLesson,
    Quiz,
    QuizQuestion,
    User,
    XpEvent,
)
from core.services import snapshots
from core.services.quiz_answers import GradedAnswer, record_answers
from tests.factories import unique


def make_quiz(session: Session, *, questions: Sequence[str] = ("Вопрос 1", "Вопрос 2"), pass_percent: int = 60,
              title: str | None = None) -> Quiz:
    now = utcnow()
    quiz = Quiz(title=title or unique("Тест "), pass_percent=pass_percent, created_at=now)
    session.add(quiz)
    session.flush()
    for i, text in enumerate(questions):
        session.add(QuizQuestion(quiz_id=quiz.id, type="single", text=text, options=["да", "нет"], correct=["да"],
                                 order_index=i, created_at=now))
    session.flush()
    session.refresh(quiz)
    return quiz


def make_program_lesson(session: Session, *, program: Program | None = None, quiz: Quiz | None = None,
                        title: str = "Урок 1. Моторы", **overrides: Any) -> ProgramLesson:
    now = utcnow()
    if program is None:
        program = Program(title=unique("Программа "), created_at=now)
        session.add(program)
        session.flush()
    lesson = ProgramLesson(program_id=program.id, title=title, quiz_id=quiz.id if quiz else None, created_at=now,
                           **overrides)
    session.add(lesson)
    session.flush()
    return lesson


def make_held_session(session: Session, klass: ClubClass, *, starts_at: datetime,
                      marks: Mapping[User, str] = {}, lesson: ProgramLesson | None = None,
                      xp: bool = True) -> LessonSession:
    """A COMPLETED session with its snapshot and the given marks (and their attendance XP in the club)."""
    row = LessonSession(class_id=klass.id, program_lesson_id=lesson.id if lesson else None, starts_at=starts_at,
                        duration_min=90, status="COMPLETED", created_at=starts_at, updated_at=starts_at)
    session.add(row)
    session.flush()
    snapshots.snapshot_session(session, lesson_session=row, now=starts_at)
    for student, status in marks.items():
        amount = {"present": 100, "late": 50}.get(status, 0)
        session.add(Attendance(session_id=row.id, student_id=student.id, status=status, xp_awarded=amount,
                               marked_at=starts_at))
        if xp and amount:
            session.add(XpEvent(user_id=student.id, amount=amount, reason="Посещаемость", source="ATTENDANCE",
                                source_key=f"attendance:{row.id}:{student.id}:{uuid.uuid4()}",
                                kruzhok_id=klass.kruzhok_id, created_at=starts_at))
    session.flush()
    return row


def make_graded_assignment(session: Session, *, student: User, quiz: Quiz, lesson_session: LessonSession | None,
                           correct: Sequence[bool] | None = None, score: int | None = None,
                           submitted_at: datetime | None = None) -> ClubQuizAssignment:
    """A GRADED assignment with one answer per question; the score is the share of `correct` unless given."""
    at = submitted_at or utcnow()
    questions = list(quiz.questions)
    flags = list(correct) if correct is not None else [True] * len(questions)
    if score is None:
        score = round(100 * sum(flags) / len(flags)) if flags else 0
    row = ClubQuizAssignment(student_id=student.id, quiz_id=quiz.id,
                             session_id=lesson_session.id if lesson_session else None,
                             is_manual=lesson_session is None, assigned_at=at - timedelta(hours=1),
                             due_at=at + timedelta(days=1), submitted_at=at, score=score, status="GRADED",
                             graded_at=at)
    session.add(row)
    session.flush()
    record_answers(session, assignment=row, now=at, answers=[
        GradedAnswer(question=q, answer=["да" if ok else "нет"], is_correct=ok, points=int(ok))
        for q, ok in zip(questions, flags, strict=False)])
    return row
