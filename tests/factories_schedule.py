"""Builders for lesson sessions (auto-discovered by `make`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.models import ClubClass, LessonSession


def make_lesson_session(session: Session, klass: ClubClass, **overrides: Any) -> LessonSession:
    """A SCHEDULED 90-minute session that started an hour ago unless overridden."""
    now = utcnow()
    values: dict[str, Any] = {"class_id": klass.id, "starts_at": now - timedelta(hours=1), "duration_min": 90,
                              "status": "SCHEDULED", "auto_send_quiz": True, "created_at": now, "updated_at": now}
    values.update(overrides)
    row = LessonSession(**values)
    session.add(row)
    session.flush()
    return row
