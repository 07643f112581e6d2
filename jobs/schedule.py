"""The one schedule table of periodic jobs. Each job: fn(db, *, settings, now, storage) -> int."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.services import ratelimit
from jobs.email_outbox import send_outbox
from jobs.subscriptions import expire_subscriptions, remind_expiring_subscriptions


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[..., int]
    every_seconds: int


def purge_rate_limits(db: Any, *, settings: Any, now: Any, storage: Any = None) -> int:
    with db.transaction() as session:
        return ratelimit.purge_old(session, now=now)


JOBS: list[Job] = [
    Job("send_email_outbox", send_outbox, 30),
    Job("purge_rate_limits", purge_rate_limits, 3600),
    Job("expire_subscriptions", expire_subscriptions, 300),
    Job("remind_expiring_subscriptions", remind_expiring_subscriptions, 3600),
]
