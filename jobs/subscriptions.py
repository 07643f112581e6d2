"""Subscription jobs: expire past `expires_at`, remind 7 days before expiry. One transaction per row;
exactly-once comes from the services' conditional UPDATEs, so two workers at once are safe."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from core.db import Database
from core.services import subscription_lifecycle as lifecycle
from core.settings import Settings
from core.storage import Storage

log = logging.getLogger("s7.jobs.subscriptions")


def _run(db: Database, *, now: datetime, find: Callable[..., list[str]], step: Callable[..., bool], name: str) -> int:
    with db.transaction() as session:
        ids = find(session, now=now)
    done = 0
    for subscription_id in ids:
        try:
            with db.transaction() as session:
                done += step(session, subscription_id=subscription_id, now=now)
        except Exception:  # noqa: BLE001 - one bad row must not stop the rest
            log.exception("%s failed for subscription %s", name, subscription_id)
    return done


def expire_subscriptions(db: Database, *, settings: Settings | None = None, now: datetime,
                         storage: Storage | None = None) -> int:
    """Mark ACTIVE subscriptions past expiry EXPIRED, notify and email their users; returns how many."""
    return _run(db, now=now, find=lifecycle.due_for_expiry, step=lifecycle.expire_subscription, name="expire")


def remind_expiring_subscriptions(db: Database, *, settings: Settings, now: datetime,
                                  storage: Storage | None = None) -> int:
    """Notify and email (once) users whose subscription expires within 7 days; returns how many."""
    step = partial(lifecycle.remind_subscription, timezone=settings.default_timezone)
    return _run(db, now=now, find=lifecycle.due_for_reminder, step=step, name="remind")
