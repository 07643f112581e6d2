"""PostgreSQL races on committed data: a sender code is taken once, the last seat goes once."""

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
    ClassEnrollment,
    ClassMembershipPeriod,
    ClubClass,
    Kruzhok,
    Notification,
    PaymentCode,
    RateLimitHit,
    Subscription,
    User,
)
from core.services import membership, subscriptions
from tests.concurrency import delete_history_free_children
from tests.concurrency import race_in_transactions as _race
from tests.factories import make_user
from tests.factories_clubs import make_class, make_club, make_enrollment, make_subscription

pytestmark = pytest.mark.postgres_only  # skipped on SQLite by tests/conftest.py, a failure if skipped on PostgreSQL




def _cleanup(db: Database, user_ids: list[str], marker: str = "") -> None:
    with db.transaction() as session:
        clubs = select(Kruzhok.id).where(Kruzhok.owner_id.in_(user_ids))
        enrollments = select(ClassEnrollment.id).where(ClassEnrollment.student_id.in_(user_ids))
        session.execute(delete(ClassMembershipPeriod).where(ClassMembershipPeriod.enrollment_id.in_(enrollments)))
        session.execute(delete(ClassEnrollment).where(ClassEnrollment.student_id.in_(user_ids)))
        session.execute(delete(ClubClass).where(ClubClass.kruzhok_id.in_(clubs)))
        delete_history_free_children(session, users=user_ids)
        session.execute(delete(Kruzhok).where(Kruzhok.owner_id.in_(user_ids)))
        session.execute(delete(PaymentCode).where(PaymentCode.request_id.in_(
            select(Subscription.id).where(Subscription.user_id.in_(user_ids)))))
        session.execute(delete(Subscription).where(Subscription.user_id.in_(user_ids)))
        session.execute(delete(AuditEvent).where(AuditEvent.actor_id.in_(user_ids)))
        session.execute(delete(RateLimitHit).where(or_(*[RateLimitHit.bucket.like(f"%:{u}") for u in user_ids])))
        cond = Notification.user_id.in_(user_ids)
        if marker:
            cond = or_(cond, Notification.message.contains(marker))
        session.execute(delete(Notification).where(cond))
        session.execute(delete(User).where(User.id.in_(user_ids)))


def test_same_sender_code_concurrently_one_wins(engine):
    db = Database(engine)
    with db.transaction() as session:
        ids = [make_user(session).id for _ in range(2)]
    code = f"{secrets.randbelow(10**8):08d}"
    try:
        def submit(user_id: str) -> Callable[[Any], Any]:
            def call(session: Any) -> str:
                actor = session.get(User, user_id)
                return subscriptions.request_subscription(session, actor=actor, type="ONETIME_PURCHASE",
                                                          payment_comment=code, now=utcnow()).id
            return call

        results = _race(db, [submit(i) for i in ids])
        wins = [r for r in results if isinstance(r, str)]
        conflicts = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(conflicts) == 1, results
        assert conflicts[0].code == "duplicate_payment_code"
        with db.transaction() as session:
            assert len(session.scalars(select(Subscription).where(Subscription.payment_comment == code)).all()) == 1
    finally:
        _cleanup(db, ids, marker=code)


def test_last_seat_goes_to_exactly_one_of_two(engine):
    db = Database(engine)
    with db.transaction() as session:
        owner = make_user(session)
        make_subscription(session, owner, max_students_per_class=30)
        klass = make_class(session, make_club(session, owner))
        seated = [make_user(session) for _ in range(29)]
        for student in seated:
            make_enrollment(session, klass, student)
        racers = [make_user(session).id for _ in range(2)]
        code, class_id = klass.join_code, klass.id
        all_ids = [owner.id, *[s.id for s in seated], *racers]
    try:
        def join(user_id: str) -> Callable[[Any], Any]:
            def call(session: Any) -> str:
                return membership.join_by_code(session, actor=session.get(User, user_id), code=code, now=utcnow()).id
            return call

        results = _race(db, [join(i) for i in racers])
        wins = [r for r in results if isinstance(r, str)]
        conflicts = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(conflicts) == 1, results
        assert conflicts[0].code == "class_full"
        with db.transaction() as session:
            active = session.scalars(select(ClassEnrollment).where(ClassEnrollment.class_id == class_id,
                                                                   ClassEnrollment.status == "ACTIVE")).all()
            assert len(active) == 30
    finally:
        _cleanup(db, all_ids)
