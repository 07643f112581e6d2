"""Version counters of public, cacheable data (HTTP ETags): one row per topic."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CacheVersion(Base):
    """Bumped in the same transaction as every write to the topic's tables (core/services/cache_versions.py),
    so every process derives the same ETag from one cheap read."""

    __tablename__ = "cache_versions"

    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
