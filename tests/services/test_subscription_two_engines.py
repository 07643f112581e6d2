"""The 3-requests-a-day limit holds across two engines: two `Database` instances, each with its own
connection pool (what two worker processes would have; the limit is rows in the database, nothing in
memory — `tests/api/test_login_ratelimit_processes.py` proves that with real processes), on the same
SQLite file or PostgreSQL database, submitting at the same moment from threads. Real commits, cleaned up."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import delete, func, or_, select

from core.clock import utcnow
from core.db import Database, make_engine
from core.errors import RateLimited
from core.models import AuditEvent, Notification, RateLimitHit, Subscription, User
from core.services import subscriptions
from tests.concurrency import delete_history_free_children, run_concurrently
from tests.factories import make_user


def test_three_a_day_across_two_engines_racing(database_url):
    engines = [make_engine(database_url), make_engine(database_url)]
    dbs = [Database(e) for e in engines]
    with dbs[0].transaction() as session:
        user_id = make_user(session).id
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(8)]

    def submit(i: int) -> Callable[[], str]:
        def call() -> str:
            with dbs[i % 2].transaction() as session:
                return subscriptions.request_subscription(
                    session, actor=session.get(User, user_id), type="ONETIME_PURCHASE",
                    payment_comment=codes[i], now=utcnow()).id
        return call

    try:
        results = run_concurrently([submit(i) for i in range(len(codes))])
        created = [r for r in results if isinstance(r, str)]
        limited = [r for r in results if isinstance(r, RateLimited)]
        assert (len(created), len(limited)) == (3, 5), results
        assert limited[0].message == "Можно отправить не более 3 заявок в сутки."
        with dbs[1].transaction() as session:
            assert session.scalar(select(func.count()).select_from(Subscription)
                                  .where(Subscription.user_id == user_id)) == 3
    finally:
        with dbs[0].transaction() as session:
            ids = list(session.scalars(select(Subscription.id).where(Subscription.user_id == user_id)))
            session.execute(delete(Notification).where(or_(*[Notification.message.contains(c) for c in codes])))
            session.execute(delete(AuditEvent).where(AuditEvent.actor_id == user_id))
            session.execute(delete(Subscription).where(Subscription.id.in_(ids)))
            session.execute(delete(RateLimitHit).where(RateLimitHit.bucket == f"subscription_request:{user_id}"))
            delete_history_free_children(session, users=[user_id])
            session.execute(delete(User).where(User.id == user_id))
        for e in engines:
            e.dispose()
