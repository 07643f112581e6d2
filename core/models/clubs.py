"""Clubs (kruzhoks), their classes with join codes, enrolments and assigned mentors."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, _utcnow, check_in, fk
from .users import User


class EnrollmentStatus(StrEnum):
    ACTIVE = "ACTIVE"
    REMOVED = "REMOVED"


class Kruzhok(IdMixin, CreatedMixin, Base):
    __tablename__ = "kruzhoks"

    owner_id: Mapped[str] = fk("users.id")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Asia/Almaty")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    owner: Mapped[User] = relationship()
    classes: Mapped[list[ClubClass]] = relationship(back_populates="kruzhok", order_by="ClubClass.created_at")

    def __str__(self) -> str:
        return self.title


class ClubClass(IdMixin, CreatedMixin, Base):
    __tablename__ = "club_classes"
    __table_args__ = (CheckConstraint("length(join_code) = 6", name="join_code_len"),)

    kruzhok_id: Mapped[str] = fk("kruzhoks.id")
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    join_code: Mapped[str] = mapped_column(String(6), unique=True, nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    kruzhok: Mapped[Kruzhok] = relationship(back_populates="classes")

    def __str__(self) -> str:
        return self.name


class ClassEnrollment(IdMixin, Base):
    __tablename__ = "class_enrollments"
    __table_args__ = (
        UniqueConstraint("class_id", "student_id", name="uq_class_enrollment"),
        check_in("status", EnrollmentStatus, name="status"),
        Index("ix_class_enrollments_class_status", "class_id", "status"),
    )

    class_id: Mapped[str] = fk("club_classes.id", index=False)
    student_id: Mapped[str] = fk("users.id")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=EnrollmentStatus.ACTIVE)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=_utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    student: Mapped[User] = relationship()
    club_class: Mapped[ClubClass] = relationship()


class ClassMembershipPeriod(IdMixin, Base):
    """One stay of a student in a class: opened by a join, closed by a removal. Re-joining reactivates
    the enrolment and opens a new period, so reports can say when the student was a member."""

    __tablename__ = "class_membership_periods"
    __table_args__ = (
        Index("ix_class_membership_periods_enrollment", "enrollment_id", "joined_at"),
        # At most one open period per enrolment.
        Index("uq_class_membership_periods_open", "enrollment_id", unique=True,
              sqlite_where=text("left_at IS NULL"), postgresql_where=text("left_at IS NULL")),
        CheckConstraint("left_at IS NULL OR left_at >= joined_at", name="period_order"),
    )

    enrollment_id: Mapped[str] = fk("class_enrollments.id", index=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClubMentor(IdMixin, CreatedMixin, Base):
    __tablename__ = "club_mentors"
    __table_args__ = (UniqueConstraint("kruzhok_id", "user_id", name="uq_club_mentor"),)

    kruzhok_id: Mapped[str] = fk("kruzhoks.id", index=False)
    user_id: Mapped[str] = fk("users.id")

    user: Mapped[User] = relationship()
