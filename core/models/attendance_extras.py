"""Attendance beyond the register: absence-streak alerts and self check-in windows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, _utcnow, fk
from .clubs import ClubClass
from .schedule import LessonSession
from .users import User


class AbsenceAlert(IdMixin, CreatedMixin, Base):
    """A student's streak of 3+ absences in a row in a class, told to its mentors once: the streak is
    named by its first session, so a re-save, a fourth miss or two racing saves add no second row."""

    __tablename__ = "absence_alerts"
    __table_args__ = (
        UniqueConstraint("student_id", "class_id", "first_session_id", name="uq_absence_alert"),
        CheckConstraint("missed >= 3", name="missed"),
    )

    student_id: Mapped[str] = fk("users.id", index=False)
    class_id: Mapped[str] = fk("club_classes.id")
    first_session_id: Mapped[str] = fk("lesson_sessions.id")
    last_session_id: Mapped[str] = fk("lesson_sessions.id", index=False)
    missed: Mapped[int] = mapped_column(Integer, nullable=False)

    # Read-only links for the back-office.
    student: Mapped[User] = relationship(foreign_keys=[student_id], viewonly=True)
    club_class: Mapped[ClubClass] = relationship(viewonly=True)
    first_session: Mapped[LessonSession] = relationship(foreign_keys=[first_session_id], viewonly=True)
    last_session: Mapped[LessonSession] = relationship(foreign_keys=[last_session_id], viewonly=True)


class SessionCheckin(IdMixin, Base):
    """Self check-in of a lesson session: open while opened_at <= now < closes_at (the mentor closes it
    by moving closes_at to now). The rotating code is derived from opened_at, never stored."""

    __tablename__ = "session_checkins"
    __table_args__ = (
        UniqueConstraint("session_id", name="uq_session_checkin"),
        CheckConstraint("closes_at >= opened_at", name="window"),
    )

    session_id: Mapped[str] = fk("lesson_sessions.id", index=False)
    opened_by_id: Mapped[str] = fk("users.id", index=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=_utcnow)

    # Read-only links for the back-office.
    lesson_session: Mapped[LessonSession] = relationship(viewonly=True)
    opened_by: Mapped[User] = relationship(foreign_keys=[opened_by_id], viewonly=True)
