"""Lesson sessions (the schedule), attendance marks and club quiz assignments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, _utcnow, check_in, fk
from .clubs import ClubClass
from .programs import ProgramLesson, Quiz
from .users import User


class SessionStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"


class QuizAssignmentStatus(StrEnum):
    ASSIGNED = "ASSIGNED"
    SUBMITTED = "SUBMITTED"
    GRADED = "GRADED"


class LessonSession(IdMixin, CreatedMixin, Base):
    __tablename__ = "lesson_sessions"
    __table_args__ = (
        CheckConstraint("duration_min BETWEEN 30 AND 180", name="duration"),
        check_in("status", SessionStatus, name="status"),
        Index("ix_lesson_sessions_class_starts", "class_id", "starts_at"),
        Index("ix_lesson_sessions_status_starts", "status", "starts_at"),
    )

    class_id: Mapped[str] = fk("club_classes.id", index=False)
    program_lesson_id: Mapped[str | None] = fk("program_lessons.id", nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    duration_min: Mapped[int] = mapped_column(Integer, nullable=False, default=60)
    location: Mapped[str | None] = mapped_column(String(300))
    mentor_notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=SessionStatus.SCHEDULED)
    auto_send_quiz: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by_id: Mapped[str | None] = fk("users.id", nullable=True, index=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow, onupdate=_utcnow)
    # What the session showed when it was held (core/services/snapshots.py): the archive keeps it even
    # when the program lesson, its materials or its quiz are edited or archived later.
    title_snapshot: Mapped[str | None] = mapped_column(String(200))
    class_name_snapshot: Mapped[str | None] = mapped_column(String(200))
    lesson_title_snapshot: Mapped[str | None] = mapped_column(String(200))
    quiz_title_snapshot: Mapped[str | None] = mapped_column(String(200))
    materials_snapshot: Mapped[list[Any] | None] = mapped_column()
    snapshot_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    club_class: Mapped[ClubClass] = relationship()
    program_lesson: Mapped[ProgramLesson | None] = relationship()


class Attendance(IdMixin, Base):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "student_id", name="uq_attendance"),
        check_in("status", AttendanceStatus, name="status"),
    )

    session_id: Mapped[str] = fk("lesson_sessions.id", index=False)
    student_id: Mapped[str] = fk("users.id")
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    xp_awarded: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=_utcnow)
    marked_by_id: Mapped[str | None] = fk("users.id", nullable=True, index=False)


class ClubQuizAssignment(IdMixin, Base):
    __tablename__ = "club_quiz_assignments"
    __table_args__ = (
        UniqueConstraint("student_id", "quiz_id", "session_id", name="uq_quiz_assignment"),
        check_in("status", QuizAssignmentStatus, name="status"),
        Index("ix_club_quiz_assignments_status_due", "status", "due_at"),
        Index("ix_club_quiz_assignments_session", "session_id"),
        Index("ix_club_quiz_assignments_assigned_at", "assigned_at"),  # the back-office list, newest first
        # Every assignment comes from a held session, or was sent by hand (is_manual).
        CheckConstraint("session_id IS NOT NULL OR is_manual", name="session_or_manual"),
    )

    student_id: Mapped[str] = fk("users.id")
    quiz_id: Mapped[str] = fk("quizzes.id")
    session_id: Mapped[str | None] = fk("lesson_sessions.id", nullable=True, index=False)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=_utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=QuizAssignmentStatus.ASSIGNED)
    is_overdue: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    answers: Mapped[dict[str, Any] | None] = mapped_column()
    graded_by_id: Mapped[str | None] = fk("users.id", nullable=True, index=False)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_manual: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    # Read-only links for the back-office (viewonly: writes go through the services by the ids above).
    student: Mapped[User] = relationship(foreign_keys=[student_id], viewonly=True)
    quiz: Mapped[Quiz] = relationship(viewonly=True)
    lesson_session: Mapped[LessonSession | None] = relationship(viewonly=True)
    question_answers: Mapped[list[ClubQuizAnswer]] = relationship(
        viewonly=True, order_by=lambda: [ClubQuizAnswer.answered_at, ClubQuizAnswer.id])


class ClubQuizAnswer(IdMixin, Base):
    """One answer to one question of an assignment: "hardest questions" is a GROUP BY over this table
    (by question, bounded by the quiz's questions), not a scan of JSON blobs. The question's text is
    stored as it was asked."""

    __tablename__ = "club_quiz_answers"
    __table_args__ = (
        UniqueConstraint("assignment_id", "question_id", name="uq_club_quiz_answer"),
        CheckConstraint("points >= 0", name="points_nonneg"),
        Index("ix_club_quiz_answers_question_correct", "question_id", "is_correct"),
    )

    assignment_id: Mapped[str] = fk("club_quiz_assignments.id", index=False)
    question_id: Mapped[str] = fk("quiz_questions.id", index=False)
    answer: Mapped[list[Any]] = mapped_column(nullable=False, default=list)
    # None while a text answer waits for the mentor's grade.
    is_correct: Mapped[bool | None] = mapped_column(Boolean)
    points: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    question_text: Mapped[str] = mapped_column(Text, nullable=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=_utcnow)

    def __str__(self) -> str:
        return self.question_text
