"""Subscription lifecycle steps run by the jobs: expire past `expires_at`, remind 7 days before.

Each step works on ONE subscription and is exactly-once by an atomic conditional UPDATE: the row
changes (and the user is notified) only if it is still in the state the step expects, so two workers,
a job run twice, or a stale candidate list never notify twice. A user who has renewed (another ACTIVE
subscription lasts longer) is not told «истекла» / «скоро истечёт» about the old row: it is still
marked, silently. Dates in texts are the user's local date (DEFAULT_TIMEZONE), not the UTC one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.db import rowcount
from core.models import NotificationType, Subscription, SubscriptionStatus, User
from core.services import notifications, outbox
from core.texts import email_body, local_day
from core.texts import subscriptions as texts

REMIND_BEFORE = timedelta(days=7)


def due_for_expiry(session: Session, *, now: datetime, limit: int = 100) -> list[str]:
    return list(session.scalars(
        select(Subscription.id).where(Subscription.status == SubscriptionStatus.ACTIVE, Subscription.expires_at <= now)
        .order_by(Subscription.expires_at, Subscription.id).limit(limit)))


def due_for_reminder(session: Session, *, now: datetime, limit: int = 100) -> list[str]:
    return list(session.scalars(
        select(Subscription.id).where(Subscription.status == SubscriptionStatus.ACTIVE,
                                      Subscription.reminder_sent_at.is_(None),
                                      Subscription.expires_at > now,
                                      Subscription.expires_at <= now + REMIND_BEFORE)
        .order_by(Subscription.expires_at, Subscription.id).limit(limit)))


def _claim(session: Session, subscription_id: str, *, where: tuple[ColumnElement[bool], ...],
           values: dict[str, Any]) -> Subscription | None:
    result = session.execute(update(Subscription).where(Subscription.id == subscription_id, *where).values(**values)
                             .execution_options(synchronize_session=False))
    if rowcount(result) != 1:
        return None
    return session.get(Subscription, subscription_id, populate_existing=True)


def _continues_after(session: Session, sub: Subscription) -> bool:
    """Another ACTIVE subscription of the same user lasts beyond this one (the user has renewed)."""
    return session.scalar(select(Subscription.id).where(
        Subscription.user_id == sub.user_id, Subscription.id != sub.id,
        Subscription.status == SubscriptionStatus.ACTIVE,
        Subscription.expires_at > sub.expires_at).limit(1)) is not None


def _tell(session: Session, sub: Subscription, *, type: str, title: str, text: str, now: datetime) -> None:
    """A notification and an email (same transaction as the claim, so both happen once)."""
    notifications.notify(session, user_id=sub.user_id, type=type, title=title, message=text, link="/clubs",
                         now=now, meta={"subscriptionId": sub.id})
    user = session.get(User, sub.user_id)
    if user is not None:
        outbox.enqueue_email(session, to=user.email, subject=texts.lifecycle_subject(title), now=now,
                             body_text=email_body(user.full_name, text))


def expire_subscription(session: Session, *, subscription_id: str, now: datetime) -> bool:
    """ACTIVE past expiry → EXPIRED, the user notified and emailed; False if someone else already did it."""
    sub = _claim(session, subscription_id,
                 where=(Subscription.status == SubscriptionStatus.ACTIVE, Subscription.expires_at <= now),
                 values={"status": SubscriptionStatus.EXPIRED, "expired_at": now})
    if sub is None:
        return False
    if not _continues_after(session, sub):
        _tell(session, sub, type=NotificationType.SUBSCRIPTION_EXPIRED, title=texts.EXPIRED_TITLE,
              text=texts.EXPIRED_MESSAGE, now=now)
    return True


def remind_subscription(session: Session, *, subscription_id: str, now: datetime, timezone: str) -> bool:
    """Once per subscription: a notification and an email 7 days before expiry."""
    sub = _claim(session, subscription_id,
                 where=(Subscription.status == SubscriptionStatus.ACTIVE, Subscription.reminder_sent_at.is_(None),
                        Subscription.expires_at > now),
                 values={"reminder_sent_at": now})
    if sub is None or sub.expires_at is None:  # the claim required expires_at > now
        return False
    if not _continues_after(session, sub):
        text = texts.expiring_message(local_day(sub.expires_at, timezone))
        _tell(session, sub, type=NotificationType.SUBSCRIPTION_EXPIRING, title=texts.EXPIRING_TITLE, text=text,
              now=now)
    return True
