"""Club quiz job: mark overdue assignments, batch by batch, one transaction each."""

from __future__ import annotations

from datetime import datetime

from core.db import Database
from core.services import quiz_overdue
from core.settings import Settings
from core.storage import Storage

MAX_BATCHES = 100


def mark_overdue_quizzes(db: Database, *, settings: Settings | None = None, now: datetime,
                         storage: Storage | None = None) -> int:
    """Mark ASSIGNED club quiz assignments past their due time overdue; returns how many were marked."""
    total = 0
    for _ in range(MAX_BATCHES):
        with db.transaction() as session:
            done = quiz_overdue.mark_overdue(session, now=now)
        total += done
        if done < quiz_overdue.BATCH:
            break
    return total
