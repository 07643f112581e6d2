"""Certificate requests (created when a user's XP crosses a threshold) and the certificates issued for them.

    CertificateRequest  PENDING ──issue──▶ SENT ──revoke──▶ REVOKED
                           └──deny──▶ DENIED      ▲ └──reissue──▶ SENT (new certificate, the old one revoked)
    Certificate         one row per issued document; its verification code never changes and keeps
                        answering "revoked" after a revocation or a re-issue.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, check_in, fk
from .clubs import Kruzhok
from .courses import Course
from .users import User


class CertificateStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    DENIED = "DENIED"
    REVOKED = "REVOKED"


class CertificateSource(StrEnum):
    UPLOAD = "UPLOAD"
    URL = "URL"
    GENERATED = "GENERATED"


class CertificateRequest(IdMixin, CreatedMixin, Base):
    __tablename__ = "certificate_requests"
    __table_args__ = (
        UniqueConstraint("user_id", "threshold_xp", name="uq_certificate_threshold"),
        check_in("status", CertificateStatus, name="status"),
        Index("ix_certificate_requests_status_created", "status", "created_at"),
    )

    user_id: Mapped[str] = fk("users.id", index=False)
    kruzhok_id: Mapped[str | None] = fk("kruzhoks.id", nullable=True)
    course_id: Mapped[str | None] = fk("courses.id", ondelete="RESTRICT", nullable=True)
    total_xp: Mapped[int] = mapped_column(Integer, nullable=False)
    threshold_xp: Mapped[int] = mapped_column(Integer, nullable=False)
    task_description: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=CertificateStatus.PENDING)
    # The current certificate's link: our download endpoint, or the external URL an admin gave.
    certificate_url: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[str | None] = fk("users.id", nullable=True, index=False)
    denial_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    kruzhok: Mapped[Kruzhok | None] = relationship(foreign_keys=[kruzhok_id])
    course: Mapped[Course | None] = relationship(foreign_keys=[course_id])

    def __str__(self) -> str:
        return f"Запрос на сертификат {self.threshold_xp} XP"


class Certificate(IdMixin, CreatedMixin, Base):
    """One issued certificate. What it certified is copied here, so verification shows what was issued."""

    __tablename__ = "certificates"
    __table_args__ = (
        check_in("source", CertificateSource, name="source"),
        CheckConstraint("(file_key IS NOT NULL) OR (external_url IS NOT NULL)", name="has_document"),
        Index("ix_certificates_request_issued", "request_id", "issued_at"),
    )

    request_id: Mapped[str] = fk("certificate_requests.id", ondelete="RESTRICT", index=False)
    user_id: Mapped[str] = fk("users.id", ondelete="RESTRICT")
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    file_key: Mapped[str | None] = mapped_column(String(80))  # private storage; never served by /api/media
    external_url: Mapped[str | None] = mapped_column(String(500))
    verification_code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    student_name: Mapped[str] = mapped_column(String(200), nullable=False)
    achievement: Mapped[str] = mapped_column(Text, nullable=False)
    subject: Mapped[str | None] = mapped_column(String(300))  # the club and/or course
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    issued_by_id: Mapped[str | None] = fk("users.id", ondelete="SET NULL", nullable=True, index=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[str | None] = fk("users.id", ondelete="SET NULL", nullable=True, index=False)
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    request: Mapped[CertificateRequest] = relationship(foreign_keys=[request_id])
