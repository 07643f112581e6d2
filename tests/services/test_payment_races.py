"""PostgreSQL: a sender code is taken once across subscriptions AND course purchases, under concurrency."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, or_, select

from core.clock import utcnow
from core.db import Database
from core.errors import Conflict
from core.models import (
    AuditEvent,
    Course,
    Module,
    Notification,
    PaymentCode,
    Purchase,
    RateLimitHit,
    Subscription,
    User,
)
from core.services import purchases, subscriptions
from tests.concurrency import delete_history_free_children, run_concurrently
from tests.factories import make_user

pytestmark = pytest.mark.postgres_only  # skipped on SQLite by tests/conftest.py, a failure if skipped on PostgreSQL


def test_same_code_for_subscriptions_and_purchases_concurrently_one_wins(engine):
    db = Database(engine)
    with db.transaction() as session:
        ids = [make_user(session).id for _ in range(8)]
        course = Course(title="Гонка", is_published=True, is_free=False, price=5000, created_at=utcnow())
        session.add(course)
        session.flush()
        course_id = course.id
    code = f"{secrets.randbelow(10**8):08d}"

    def subscribe(user_id: str) -> Callable[[], Any]:
        def run() -> str:
            with db.transaction() as session:
                return subscriptions.request_subscription(session, actor=session.get(User, user_id),
                                                          type="ONETIME_PURCHASE", payment_comment=code,
                                                          now=utcnow()).id
        return run

    def buy(user_id: str) -> Callable[[], Any]:
        def run() -> str:
            with db.transaction() as session:
                return purchases.request_purchase(session, actor=session.get(User, user_id), course_id=course_id,
                                                  sender_code=code, now=utcnow()).id
        return run

    try:
        results = run_concurrently([(subscribe if i % 2 else buy)(uid) for i, uid in enumerate(ids)])
        wins = [r for r in results if isinstance(r, str)]
        conflicts = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(conflicts) == 7, results
        assert {c.code for c in conflicts} == {"duplicate_payment_code"}
        with db.transaction() as session:
            subs = session.scalars(select(Subscription.id).where(Subscription.payment_comment == code)).all()
            buys = session.scalars(select(Purchase.id).where(Purchase.sender_code == code)).all()
            assert len(subs) + len(buys) == 1
            assert session.scalars(select(PaymentCode.request_id).where(PaymentCode.code == code)).all() == wins
    finally:
        with db.transaction() as session:
            session.execute(delete(PaymentCode).where(PaymentCode.code == code))
            session.execute(delete(Subscription).where(Subscription.user_id.in_(ids)))
            session.execute(delete(Purchase).where(Purchase.user_id.in_(ids)))
            session.execute(delete(AuditEvent).where(AuditEvent.actor_id.in_(ids)))
            session.execute(delete(RateLimitHit).where(or_(*[RateLimitHit.bucket.like(f"%:{u}") for u in ids])))
            session.execute(delete(Notification).where(Notification.message.contains(code)))
            session.execute(delete(Module).where(Module.course_id == course_id))
            session.execute(delete(Course).where(Course.id == course_id))
            delete_history_free_children(session, users=ids)
            session.execute(delete(User).where(User.id.in_(ids)))
