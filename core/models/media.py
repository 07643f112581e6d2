"""Stored files. Public media keys are random, so their URLs are unguessable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, fk


class MediaObject(IdMixin, CreatedMixin, Base):
    __tablename__ = "media_objects"
    __table_args__ = (CheckConstraint("size >= 0", name="size_nonneg"),)

    key: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    content_type: Mapped[str] = mapped_column(String(120), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    original_name: Mapped[str | None] = mapped_column(String(255))
    # Private objects (certificates, lesson materials) are never served by /api/media.
    is_private: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    uploaded_by_id: Mapped[str | None] = fk("users.id", nullable=True)

    def __str__(self) -> str:
        return self.key


class MediaScanResult(IdMixin, Base):
    """The summary of one media-doctor scan: the back-office home shows the last one (a page view never
    runs a full scan of its own)."""

    __tablename__ = "media_scan_results"
    __table_args__ = (
        CheckConstraint("total >= 0 AND problems >= 0", name="counts_nonneg"),
        Index("ix_media_scan_results_scanned_at", "scanned_at"),
    )

    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    problems: Mapped[int] = mapped_column(Integer, nullable=False)
    counts: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)
    actor_id: Mapped[str | None] = fk("users.id", nullable=True, index=False)
