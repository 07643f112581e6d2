"""Courses → modules → lessons, enrolments, progress, payments and daily missions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, _utcnow, check_in, fk
from .subscriptions import Currency
from .users import User


class PurchaseStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class Course(IdMixin, CreatedMixin, Base):
    __tablename__ = "courses"
    __table_args__ = (CheckConstraint("price >= 0", name="price_nonneg"),
                      CheckConstraint("price <= 10000000", name="price_max"))

    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    cover_url: Mapped[str | None] = mapped_column(String(300))
    is_published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_free: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    price: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default=Currency.KZT)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow, onupdate=_utcnow)
    # Set instead of deleting when history depends on the row (core/services/deletion.py).
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.order_index", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.title


class Module(IdMixin, CreatedMixin, Base):
    __tablename__ = "course_modules"

    course_id: Mapped[str] = fk("courses.id")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    order_index: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.order_index", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.title


class Lesson(IdMixin, CreatedMixin, Base):
    __tablename__ = "course_lessons"

    module_id: Mapped[str] = fk("course_modules.id")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    order_index: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    video_url: Mapped[str | None] = mapped_column(String(300))
    content: Mapped[str | None] = mapped_column(Text)
    is_free_preview: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow, onupdate=_utcnow)

    module: Mapped[Module] = relationship(back_populates="lessons")
    questions: Mapped[list[LessonQuestion]] = relationship(
        back_populates="lesson", order_by="LessonQuestion.order_index", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.title


class LessonQuestion(IdMixin, CreatedMixin, Base):
    __tablename__ = "course_questions"

    lesson_id: Mapped[str] = fk("course_lessons.id")
    text: Mapped[str] = mapped_column(Text, nullable=False)
    options: Mapped[list[Any]] = mapped_column(nullable=False, default=list)
    correct_answer: Mapped[str] = mapped_column(String(500), nullable=False)
    order_index: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    lesson: Mapped[Lesson] = relationship(back_populates="questions")


class CourseEnrollment(IdMixin, CreatedMixin, Base):
    __tablename__ = "course_enrollments"
    __table_args__ = (UniqueConstraint("course_id", "user_id", name="uq_course_enrollment"),)

    course_id: Mapped[str] = fk("courses.id")
    user_id: Mapped[str] = fk("users.id")


class LessonCompletion(IdMixin, CreatedMixin, Base):
    __tablename__ = "lesson_completions"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", name="uq_lesson_completion"),)

    user_id: Mapped[str] = fk("users.id")
    lesson_id: Mapped[str] = fk("course_lessons.id")


class QuestionAnswer(IdMixin, CreatedMixin, Base):
    __tablename__ = "question_answers"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", name="uq_question_answer"),
        Index("ix_question_answers_user_day", "user_id", "created_at"),
    )

    user_id: Mapped[str] = fk("users.id", index=False)
    question_id: Mapped[str] = fk("course_questions.id")
    answer: Mapped[str] = mapped_column(String(500), nullable=False)
    is_correct: Mapped[bool] = mapped_column(Boolean, nullable=False)


class Purchase(IdMixin, CreatedMixin, Base):
    __tablename__ = "course_purchases"
    __table_args__ = (
        check_in("status", PurchaseStatus, name="status"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
        Index("ix_course_purchases_status_created", "status", "created_at"),
        # One open request per user and course (a double submit cannot make two).
        Index("uq_course_purchases_one_pending", "user_id", "course_id", unique=True,
              sqlite_where=text("status = 'PENDING'"), postgresql_where=text("status = 'PENDING'")),
    )

    course_id: Mapped[str] = fk("courses.id")
    user_id: Mapped[str] = fk("users.id")
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default=Currency.KZT)
    sender_code: Mapped[str] = mapped_column(String(8), unique=True, nullable=False)
    payer_full_name: Mapped[str | None] = mapped_column(String(200))
    payment_proof_url: Mapped[str | None] = mapped_column(String(300))  # core/services/payment_proofs.py
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PurchaseStatus.PENDING)
    reviewed_by_id: Mapped[str | None] = fk("users.id", nullable=True, index=False)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class DailyMission(IdMixin, CreatedMixin, Base):
    __tablename__ = "daily_missions"
    __table_args__ = (
        CheckConstraint("target > 0", name="target_pos"),
        CheckConstraint("xp_reward >= 0", name="xp_nonneg"),
    )

    course_id: Mapped[str] = fk("courses.id")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    target: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    xp_reward: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    course: Mapped[Course] = relationship()

    def __str__(self) -> str:
        return self.title


class MissionCompletion(IdMixin, CreatedMixin, Base):
    __tablename__ = "mission_completions"
    __table_args__ = (UniqueConstraint("mission_id", "user_id", "day", name="uq_mission_completion"),)

    mission_id: Mapped[str] = fk("daily_missions.id")
    user_id: Mapped[str] = fk("users.id")
    day: Mapped[date] = mapped_column(Date, nullable=False)
