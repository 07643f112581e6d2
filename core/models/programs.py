"""Programs (curricula) with lesson materials, and quizzes with questions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, check_in, fk


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"


class MaterialKind(StrEnum):
    """A program lesson's downloadable materials (ProgramLesson.scenario_key / presentation_key)."""

    SCENARIO = "scenario"
    PRESENTATION = "presentation"


class Quiz(IdMixin, CreatedMixin, Base):
    __tablename__ = "quizzes"
    __table_args__ = (CheckConstraint("pass_percent BETWEEN 0 AND 100", name="pass_percent"),)

    title: Mapped[str] = mapped_column(String(200), nullable=False)
    pass_percent: Mapped[int] = mapped_column(Integer, nullable=False, default=60)
    # Set instead of deleting when history depends on the row (core/services/deletion.py).
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="quiz", order_by="QuizQuestion.order_index", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.title


class QuizQuestion(IdMixin, CreatedMixin, Base):
    __tablename__ = "quiz_questions"
    __table_args__ = (check_in("type", QuestionType, name="type"),)

    quiz_id: Mapped[str] = fk("quizzes.id")
    type: Mapped[str] = mapped_column(String(16), nullable=False, default=QuestionType.SINGLE)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    options: Mapped[list[Any]] = mapped_column(nullable=False, default=list)
    correct: Mapped[list[Any]] = mapped_column(nullable=False, default=list)
    order_index: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    quiz: Mapped[Quiz] = relationship(back_populates="questions")


class Program(IdMixin, CreatedMixin, Base):
    __tablename__ = "programs"

    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    is_published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Set instead of deleting when history depends on the row (core/services/deletion.py).
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lessons: Mapped[list[ProgramLesson]] = relationship(
        back_populates="program", order_by="ProgramLesson.order_index", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.title


class ProgramLesson(IdMixin, CreatedMixin, Base):
    __tablename__ = "program_lessons"
    __table_args__ = (CheckConstraint("xp_reward >= 0", name="xp_nonneg"),)

    program_id: Mapped[str] = fk("programs.id")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    order_index: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    description: Mapped[str | None] = mapped_column(Text)
    scenario_key: Mapped[str | None] = mapped_column(String(80))
    presentation_key: Mapped[str | None] = mapped_column(String(80))
    quiz_id: Mapped[str | None] = fk("quizzes.id", nullable=True)
    xp_reward: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Set instead of deleting when history depends on the row (core/services/deletion.py).
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    program: Mapped[Program] = relationship(back_populates="lessons")
    quiz: Mapped[Quiz | None] = relationship()

    def __str__(self) -> str:
        return self.title
