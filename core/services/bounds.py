"""Bounds on every number and text the services accept, and date arithmetic that cannot overflow.

The same maxima are DB CHECK constraints (migration 7f3c2a9d41e6), so no door can store more.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.errors import field_error
from core.services import clean

MAX_TEXT = 10_000  # any request string unless its field says otherwise
MAX_PRICE = 10_000_000  # KZT
MAX_DURATION_DAYS = 3650  # ten years
MAX_LIMIT = 100_000  # plan / subscription limits (kruzhoks, classes, students)


def bounded_int(value: Any, *, field: str, label: str, low: int, high: int) -> int:
    """An integer within [low, high] (`clean.clean_int`: booleans, fractions, non-numbers refused)."""
    return clean.clean_int(value, field=field, label=label, minimum=low, maximum=high)


def add_days(start: datetime, days: int, *, field: str = "duration_days") -> datetime:
    """`start + days`, or a Russian `Invalid` instead of OverflowError past year 9999."""
    try:
        return start + timedelta(days=days)
    except (OverflowError, ValueError):
        raise field_error(field, "Срок действия выходит за допустимые пределы") from None
