"""Time helpers: everything is stored in UTC; local dates use the club's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_date(moment: datetime, timezone: str) -> date:
    return as_utc(moment).astimezone(ZoneInfo(timezone)).date()

