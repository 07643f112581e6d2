"""The subscription state machine, pinned: every (status × decision) pair. Only a PENDING request can be
approved or rejected; every other status is a `not_pending` conflict that changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict
from core.models import AuditEvent, EmailOutbox, Notification, Subscription, User
from core.services import subscriptions as subs
from tests.factories import Bound

TZ = "Asia/Almaty"  # what DEFAULT_TIMEZONE holds in production

NOW = utcnow()
STATUSES = ["PENDING", "ACTIVE", "REJECTED", "EXPIRED"]
ACTIONS = {"approve": "ACTIVE", "reject": "REJECTED"}


def _in_status(make: Bound, status: str) -> Subscription:
    extra: dict[str, object] = {}
    if status == "EXPIRED":
        extra = {"expires_at": NOW - timedelta(days=1), "expired_at": NOW - timedelta(days=1)}
    if status == "REJECTED":
        extra = {"rejected_at": NOW - timedelta(days=1), "rejection_reason": "Перевод не найден",
                 "confirmed_at": None, "expires_at": None}
    return make.subscription(make.student(), status=status, **extra)


def _decide(session: Session, action: str, sub: Subscription, admin: User) -> Subscription:
    if action == "approve":
        return subs.approve_subscription(session, subscription_id=sub.id, actor=admin, now=NOW, timezone=TZ)
    return subs.reject_subscription(session, subscription_id=sub.id, actor=admin, reason="Нет перевода", now=NOW)


def _effects(session: Session, sub: Subscription) -> tuple[int, int, int]:
    audits = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_id == sub.id))
    notes = session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == sub.user_id))
    mails = session.scalar(select(func.count()).select_from(EmailOutbox).where(EmailOutbox.to_addr == sub.user.email))
    return audits or 0, notes or 0, mails or 0


def _row(sub: Subscription) -> tuple[object, ...]:
    return (sub.status, sub.expires_at, sub.confirmed_at, sub.confirmed_by_id, sub.rejected_at, sub.rejection_reason)


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("status", STATUSES)
def test_every_status_and_decision_pair(session, make, status, action):
    admin = make.admin()
    sub = _in_status(make, status)
    before_row, before_effects = _row(sub), _effects(session, sub)
    if status == "PENDING":
        decided = _decide(session, action, sub, admin)
        session.expire_all()
        fresh = session.get(Subscription, sub.id)
        assert (decided.id, fresh.status, fresh.confirmed_by_id) == (sub.id, ACTIONS[action], admin.id)
        audits, notes, mails = _effects(session, fresh)
        assert (audits, notes, mails) == (1, 1, 1)
        return
    with pytest.raises(Conflict) as caught:
        _decide(session, action, sub, admin)
    assert caught.value.code == "not_pending"
    assert caught.value.details == {"status": status}
    session.expire_all()
    fresh = session.get(Subscription, sub.id)
    assert _row(fresh) == before_row
    assert _effects(session, fresh) == before_effects
