"""ByteSize: short videos in a public feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, _utcnow, fk


class ByteSizeItem(IdMixin, CreatedMixin, Base):
    __tablename__ = "bytesize_items"
    __table_args__ = (Index("ix_bytesize_feed", "is_published", "created_at"),)

    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    video_url: Mapped[str | None] = mapped_column(String(300))
    cover_image_url: Mapped[str | None] = mapped_column(String(300))
    is_published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by_id: Mapped[str | None] = fk("users.id", nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow, onupdate=_utcnow)

    def __str__(self) -> str:
        return self.title
