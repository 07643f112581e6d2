"""Certificate requests created when a user's XP crosses a threshold."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, check_in, fk
from .users import User


class CertificateStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    DENIED = "DENIED"


class CertificateRequest(IdMixin, CreatedMixin, Base):
    __tablename__ = "certificate_requests"
    __table_args__ = (
        UniqueConstraint("user_id", "threshold_xp", name="uq_certificate_threshold"),
        check_in("status", CertificateStatus, name="status"),
        Index("ix_certificate_requests_status_created", "status", "created_at"),
    )

    user_id: Mapped[str] = fk("users.id", index=False)
    kruzhok_id: Mapped[str | None] = fk("kruzhoks.id", ondelete="SET NULL", nullable=True)
    course_id: Mapped[str | None] = fk("courses.id", ondelete="RESTRICT", nullable=True)
    total_xp: Mapped[int] = mapped_column(Integer, nullable=False)
    threshold_xp: Mapped[int] = mapped_column(Integer, nullable=False)
    task_description: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=CertificateStatus.PENDING)
    certificate_url: Mapped[str | None] = mapped_column(String(500))
    file_key: Mapped[str | None] = mapped_column(String(80))
    verification_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    notes: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[str | None] = fk("users.id", ondelete="SET NULL", nullable=True, index=False)
    denial_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
