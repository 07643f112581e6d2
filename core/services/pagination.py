"""Limit/offset pages with the bounds of SPEC §2 (default 20, max 100)."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import field_error

MAX_LIMIT = 100


@dataclass(frozen=True)
class Page:
    limit: int = 20
    offset: int = 0

    @classmethod
    def of(cls, limit: int | None, offset: int | None) -> Page:
        limit = 20 if limit is None else limit
        offset = 0 if offset is None else offset
        if not 1 <= limit <= MAX_LIMIT:
            raise field_error("limit", "Параметр limit должен быть от 1 до 100")
        if offset < 0:
            raise field_error("offset", "Параметр offset не может быть отрицательным")
        return cls(limit, offset)
