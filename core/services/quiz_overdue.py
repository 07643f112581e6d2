"""Marking club quiz assignments overdue (the jobs, SPEC §14): ASSIGNED past their due time get
`is_overdue`. Idempotent (only rows not yet marked) and safe on several replicas: each batch claims
its rows with FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never wait for or repeat each other."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import rowcount
from core.models import ClubQuizAssignment, QuizAssignmentStatus

BATCH = 500


def mark_overdue(session: Session, *, now: datetime, limit: int = BATCH) -> int:
    """One batch: mark up to `limit` overdue assignments; returns how many this call marked."""
    ids = list(session.scalars(
        select(ClubQuizAssignment.id)
        .where(ClubQuizAssignment.status == QuizAssignmentStatus.ASSIGNED,
               ClubQuizAssignment.is_overdue.is_(False), ClubQuizAssignment.due_at < now)
        .order_by(ClubQuizAssignment.due_at, ClubQuizAssignment.id).limit(max(1, min(int(limit), BATCH)))
        .with_for_update(skip_locked=True)))
    if not ids:
        return 0
    # The conditions again: on SQLite (no row locks) a concurrent worker may have marked some already.
    result = session.execute(update(ClubQuizAssignment)
                             .where(ClubQuizAssignment.id.in_(ids), ClubQuizAssignment.is_overdue.is_(False),
                                    ClubQuizAssignment.status == QuizAssignmentStatus.ASSIGNED)
                             .values(is_overdue=True).execution_options(synchronize_session=False))
    return rowcount(result)
