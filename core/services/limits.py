"""Mentor limits: what a user's ACTIVE, unexpired subscriptions allow, and the `limit_exceeded` error.

Effective limits = over ACTIVE subscriptions with `expires_at > now` (an expired one stops counting at
once, before the job marks it): maxKruzhoks summed, maxClassesPerKruzhok and maxStudentsPerClass the
maximum. A user with none has all limits 0 and is not a mentor by subscription.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import as_utc
from core.errors import ErrorCode, Forbidden, LimitExceeded
from core.models import ClubMentor, Subscription, SubscriptionPlan, SubscriptionStatus, User
from core.services import plans

KINDS = {  # limit name: (details key, Russian word for the message)
    "maxKruzhoks": "кружков",
    "maxClassesPerKruzhok": "классов",
    "maxStudentsPerClass": "учеников",
}


@dataclass(frozen=True)
class Limits:
    active: bool
    max_kruzhoks: int = 0
    max_classes_per_kruzhok: int = 0
    max_students_per_class: int = 0
    expires_at: datetime | None = None


def active_clause(now: datetime) -> Any:
    return (Subscription.status == SubscriptionStatus.ACTIVE) & (Subscription.expires_at > now)


def effective_limits(session: Session, user_id: str, *, now: datetime) -> Limits:
    """One aggregate query over the user's ACTIVE unexpired subscriptions."""
    count, kruzhoks, classes, students, expires = session.execute(
        select(func.count(), func.sum(Subscription.max_kruzhoks), func.max(Subscription.max_classes_per_kruzhok),
               func.max(Subscription.max_students_per_class), func.max(Subscription.expires_at))
        .where(Subscription.user_id == user_id, active_clause(now))
    ).one()
    if not count:
        return Limits(active=False)
    return Limits(active=True, max_kruzhoks=int(kruzhoks or 0), max_classes_per_kruzhok=int(classes or 0),
                  max_students_per_class=int(students or 0), expires_at=as_utc(expires) if expires else None)


def has_active_subscription(session: Session, user_id: str, *, now: datetime) -> bool:
    return session.scalar(
        select(Subscription.id).where(Subscription.user_id == user_id, active_clause(now)).limit(1)
    ) is not None


def is_mentor(session: Session, user: User | None, *, now: datetime) -> bool:
    """A mentor = a user with an ACTIVE unexpired subscription, or assigned to some club."""
    if user is None:
        return False
    if has_active_subscription(session, user.id, now=now):
        return True
    return session.scalar(select(ClubMentor.id).where(ClubMentor.user_id == user.id).limit(1)) is not None


def upgrade_offer(session: Session) -> dict[str, Any]:
    """`details.upgrade` of `limit_exceeded`/`subscription_required`: the active plans, in the same shape
    as GET /api/plans. Error details are the one wire shape core writes: an error has no response
    model, and docs/errors.md documents them (tests/api/test_subscriptions_api.py compares both)."""
    return {"plans": [_offered(p) for p in plans.list_plans(session)]}


def _offered(plan: SubscriptionPlan) -> dict[str, Any]:
    return {
        "id": plan.id, "code": plan.code, "title": plan.title, "price": plan.price, "currency": plan.currency,
        "durationDays": plan.duration_days,
        "limits": {"maxKruzhoks": plan.max_kruzhoks, "maxClassesPerKruzhok": plan.max_classes_per_kruzhok,
                   "maxStudentsPerClass": plan.max_students_per_class},
    }


def limit_exceeded(session: Session, *, limit: str, current: int, maximum: int) -> LimitExceeded:
    word = KINDS[limit]
    return LimitExceeded(
        f"Вы достигли лимита {word}. Обновите подписку для увеличения лимита.",
        details={"limit": limit, "current": current, "max": maximum, "upgrade": upgrade_offer(session)},
    )


def subscription_required(session: Session) -> Forbidden:
    return Forbidden(
        "Для этого действия нужна активная подписка. Отправьте заявку на оплату, чтобы открыть кружок.",
        code=ErrorCode.SUBSCRIPTION_REQUIRED, details={"upgrade": upgrade_offer(session)},
    )
