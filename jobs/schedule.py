"""The one schedule table of periodic jobs. Each job: fn(db, *, settings, now, storage) -> int."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.db import Database
from core.services import admin_sessions, ratelimit
from core.settings import Settings
from core.storage import Storage
from jobs.club_quizzes import mark_overdue_quizzes
from jobs.email_outbox import send_outbox
from jobs.subscriptions import expire_subscriptions, remind_expiring_subscriptions


class JobFn(Protocol):
    """A job: one pass over its due work; returns how many items it handled."""

    def __call__(self, db: Database, *, settings: Settings, now: datetime, storage: Storage | None) -> int: ...


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFn
    every_seconds: int


def purge_rate_limits(db: Database, *, settings: Settings | None = None, now: datetime,
                      storage: Storage | None = None) -> int:
    with db.transaction() as session:
        return ratelimit.purge_old(session, now=now)


def purge_admin_sessions(db: Database, *, settings: Settings | None = None, now: datetime,
                         storage: Storage | None = None) -> int:
    with db.transaction() as session:
        return admin_sessions.purge_ended(session, now=now)


JOBS: list[Job] = [
    Job("send_email_outbox", send_outbox, 30),
    Job("purge_rate_limits", purge_rate_limits, 3600),
    Job("purge_admin_sessions", purge_admin_sessions, 3600),
    Job("expire_subscriptions", expire_subscriptions, 300),
    Job("remind_expiring_subscriptions", remind_expiring_subscriptions, 3600),
    Job("mark_overdue_quizzes", mark_overdue_quizzes, 300),
]
