"""The XP ledger: every change of User.experience_points has exactly one row here."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin, fk


class XpSource(StrEnum):
    COURSE_ANSWER = "COURSE_ANSWER"
    LESSON_COMPLETE = "LESSON_COMPLETE"
    CLUB_QUIZ = "CLUB_QUIZ"
    ATTENDANCE = "ATTENDANCE"
    DAILY_MISSION = "DAILY_MISSION"
    ADJUSTMENT = "ADJUSTMENT"


class XpEvent(IdMixin, CreatedMixin, Base):
    __tablename__ = "xp_events"
    __table_args__ = (
        Index("ix_xp_events_user_created", "user_id", "created_at"),
        Index("ix_xp_events_kruzhok_user", "kruzhok_id", "user_id"),
    )

    user_id: Mapped[str] = fk("users.id", index=False)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(300), nullable=False)
    source: Mapped[str] = mapped_column(String(32), nullable=False)
    # Unique per award: a second award for the same source (a double click, a race) is refused here.
    source_key: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    kruzhok_id: Mapped[str | None] = fk("kruzhoks.id", nullable=True, index=False)
    # The course the XP came from (answers, lessons, missions); history: a course with XP is not deleted.
    course_id: Mapped[str | None] = fk("courses.id", ondelete="RESTRICT", nullable=True)
