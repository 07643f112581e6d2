"""Users and roles. Mentorship is not a role: it follows from subscriptions and club assignments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, check_in, fk


class Role(StrEnum):
    USER = "USER"
    SUPPORT = "SUPPORT"  # the back-office, read-only
    ADMIN = "ADMIN"


class User(IdMixin, CreatedMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        check_in("role", Role, name="role"),
        CheckConstraint("experience_points >= -1000000", name="xp_sane"),
        # The back-office lists users newest first: without it that sort scans 100 000 rows.
        Index("ix_users_created_at", "created_at"),
    )

    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default=Role.USER, index=True)
    is_blocked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    # Bumped by "logout everywhere" and by blocking: every token carries the version it was made with.
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    experience_points: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.SUPPORT)


class AdminSession(IdMixin, CreatedMixin, Base):
    """A back-office login. The signed `s7_admin` cookie carries only this row's id, so logout,
    logout-all, blocking and a password change end every copy of the cookie at once."""

    __tablename__ = "admin_sessions"
    __table_args__ = (Index("ix_admin_sessions_user_ended", "user_id", "ended_at"),)

    # Server-side login sessions are pure data of the user (history-free): they go with the user.
    user_id: Mapped[str] = fk("users.id", index=False)
    # The user's token_version at login: bumping it (logout-all, blocking, password or role
    # change) ends this session too.
    token_version: Mapped[int] = mapped_column(Integer, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)  # absolute maximum age
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
