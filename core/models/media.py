"""Stored files. Public media keys are random, so their URLs are unguessable."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin, fk


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
