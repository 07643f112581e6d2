"""Demo clubs step: the demo mentor gets an ACTIVE one-time subscription (the club itself comes from
s7/seed.py). Idempotent: an active, unexpired subscription is left as it is."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import PaymentKind, PlanType, Subscription, SubscriptionStatus
from core.services import payment_requests, plans
from core.services.limits import has_active_subscription
from core.settings import Settings


def free_payment_comment(session: Any) -> str:
    """An 8-digit sender code no subscription uses yet (for seeded / test subscriptions)."""
    while True:
        code = f"{secrets.randbelow(10**8):08d}"
        if session.scalar(select(Subscription.id).where(Subscription.payment_comment == code)) is None \
                and not payment_requests.is_code_taken(session, code):
            return code


def seed_clubs(session: Session, *, users: dict[str, Any], now: datetime, settings: Settings) -> dict[str, Any]:
    plans.ensure_default_plans(session, now=now)
    mentor, admin = users.get("mentor"), users.get("admin")
    if mentor is None:
        return {}
    if not has_active_subscription(session, mentor.id, now=now):
        plan = plans.get_active_plan(session, PlanType.ONETIME_PURCHASE)
        code = free_payment_comment(session)
        sub = Subscription(
            user_id=mentor.id, plan_id=plan.id, type=plan.code, status=SubscriptionStatus.ACTIVE, amount=plan.price,
            currency=plan.currency, payment_comment=code, max_kruzhoks=plan.max_kruzhoks,
            max_classes_per_kruzhok=plan.max_classes_per_kruzhok, max_students_per_class=plan.max_students_per_class,
            created_at=now, confirmed_at=now, confirmed_by_id=admin.id if admin else None,
            expires_at=now + timedelta(days=plan.duration_days))
        session.add(sub)
        session.flush()
        payment_requests.claim_code(session, code=code, kind=PaymentKind.SUBSCRIPTION, request_id=sub.id, now=now)
    expires = session.scalar(select(Subscription.expires_at).where(
        Subscription.user_id == mentor.id, Subscription.status == SubscriptionStatus.ACTIVE,
    ).order_by(Subscription.expires_at.desc()))
    return {"mentorSubscription": {"type": PlanType.ONETIME_PURCHASE.value,
                                   "expiresAt": expires.isoformat() if expires else None}}
