"""Club subscriptions: a user's request (manual Kaspi transfer), the admin's approve/reject, status.

    request_subscription  → PENDING (amount, currency and limits copied from the plan), admins notified
    approve_subscription  → ACTIVE until approval (or the current expiry, when renewing) + plan days
    reject_subscription   → REJECTED with a reason
Only a PENDING request can be approved or rejected (409 `not_pending` otherwise); the row is locked
first, so a double click approves once and notifies once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from core.errors import Conflict, ErrorCode, RateLimited, field_error
from core.models import (
    AuditAction,
    ClubClass,
    Kruzhok,
    NotificationType,
    PaymentKind,
    PaymentMethod,
    PlanType,
    Subscription,
    SubscriptionPlan,
    SubscriptionStatus,
    User,
    new_id,
)
from core.services import (
    audit,
    bounds,
    clean,
    notifications,
    outbox,
    payment_proofs,
    payment_requests,
    plans,
    ratelimit,
)
from core.services.limits import Limits, active_clause, effective_limits
from core.services.pagination import Page
from core.services.payment_requests import MSG_DUPLICATE
from core.services.permissions import require_admin, require_user
from core.texts import email_body, local_day
from core.texts import subscriptions as texts

LIMIT_FIELDS = ("max_kruzhoks", "max_classes_per_kruzhok", "max_students_per_class")


def request_subscription(session: Session, *, actor: User | None, type: str, payment_comment: str,
                         payment_proof_url: str | None = None, now: datetime) -> Subscription:
    """Create a PENDING request. 422 bad type/code, 422 `invalid_payment_proof` (a proof URL that is not
    the caller's uploaded screenshot), 429 over 3 a day, 409 `duplicate_payment_code`."""
    actor = require_user(actor)
    plan = plans.get_active_plan(session, (type or "").strip())
    code = payment_requests.clean_code(payment_comment, field="paymentComment")
    proof = payment_proofs.clean_proof_url(session, actor=actor, value=payment_proof_url)
    ratelimit.hit(session, "subscription_request", actor.id, now=now)
    sub = Subscription(id=new_id(), user_id=actor.id, plan_id=plan.id, type=plan.code,
                       status=SubscriptionStatus.PENDING, amount=plan.price,
                       currency=plan.currency, payment_method=PaymentMethod.KASPI, payment_comment=code,
                       payment_proof_url=proof, max_kruzhoks=plan.max_kruzhoks,
                       max_classes_per_kruzhok=plan.max_classes_per_kruzhok,
                       max_students_per_class=plan.max_students_per_class, duration_days=plan.duration_days,
                       created_at=now)
    # The code is unique across subscriptions AND course purchases (one payment-request mechanism).
    payment_requests.claim_code(session, code=code, kind=PaymentKind.SUBSCRIPTION, request_id=sub.id, now=now)
    try:
        with session.begin_nested():
            session.add(sub)
            session.flush()
    except IntegrityError:
        raise Conflict(MSG_DUPLICATE, code=ErrorCode.DUPLICATE_PAYMENT_CODE) from None
    _notify_admins_of_request(session, actor=actor, sub=sub, plan=plan, now=now)
    audit.record(session, actor=actor, action=AuditAction.SUBSCRIPTION_REQUEST, entity="subscription", entity_id=sub.id,
                 now=now, data={"type": plan.code, "amount": plan.price, "paymentComment": code})
    return sub


def _notify_admins_of_request(session: Session, *, actor: User, sub: Subscription, plan: SubscriptionPlan,
                              now: datetime) -> None:
    """Tell the admins, but at most once a day per requesting user and 20 times an hour in all (more
    accounts must not mean more notifications); the message counts every pending request, so each
    one is a digest of the queue in the back-office."""
    try:
        ratelimit.check(session, "subscription_notice_user", actor.id, now=now)
        ratelimit.check(session, "subscription_notice_all", "all", now=now)
    except RateLimited:
        return
    ratelimit.record(session, "subscription_notice_user", actor.id, now=now)
    ratelimit.record(session, "subscription_notice_all", "all", now=now)
    pending = session.scalar(select(func.count()).select_from(Subscription)
                             .where(Subscription.status == SubscriptionStatus.PENDING)) or 0
    notifications.notify_admins(
        session, type=NotificationType.SUBSCRIPTION_REQUEST, title=texts.REQUEST_TITLE,
        message=texts.request_message(full_name=actor.full_name, email=actor.email, plan_title=plan.title,
                                      amount=plan.price, currency=plan.currency, code=sub.payment_comment,
                                      pending=pending),
        link=f"/admin/subscription/details/{sub.id}", meta={"subscriptionId": sub.id, "userId": actor.id},
        now=now)


@dataclass(frozen=True)
class Usage:
    kruzhoks: int
    classes_per_kruzhok: dict[str, int]  # active classes per active owned club id


@dataclass(frozen=True)
class SubscriptionState:
    """What GET /api/subscriptions/my shows: effective limits, usage and the PENDING requests."""

    active: bool
    status: str | None
    expires_at: datetime | None
    limits: Limits
    usage: Usage
    pending: list[Subscription]


def my_subscription_status(session: Session, *, actor: User | None, now: datetime) -> SubscriptionState:
    """The caller's effective limits, usage and pending requests (see SPEC §6)."""
    actor = require_user(actor)
    limits = effective_limits(session, actor.id, now=now)
    latest = session.scalar(select(Subscription).where(Subscription.user_id == actor.id,
                                                       Subscription.status != SubscriptionStatus.PENDING)
                            .order_by(Subscription.created_at.desc(), Subscription.id.desc()).limit(1))
    status: str | None
    if limits.active:
        status = SubscriptionStatus.ACTIVE
    elif latest is None:
        status = None
    else:  # an ACTIVE row past its expiry is EXPIRED for the user even before the job marks it
        status = SubscriptionStatus.EXPIRED if latest.status == SubscriptionStatus.ACTIVE else latest.status
    per_club = dict(session.execute(
        select(Kruzhok.id, func.count(ClubClass.id))
        .outerjoin(ClubClass, (ClubClass.kruzhok_id == Kruzhok.id) & ClubClass.is_active.is_(True))
        .where(Kruzhok.owner_id == actor.id, Kruzhok.is_active.is_(True)).group_by(Kruzhok.id)
    ).all())
    pending = session.scalars(select(Subscription).where(Subscription.user_id == actor.id,
                                                         Subscription.status == SubscriptionStatus.PENDING)
                              .order_by(Subscription.created_at.desc())).all()
    return SubscriptionState(active=limits.active, status=status, expires_at=limits.expires_at, limits=limits,
                             usage=Usage(kruzhoks=len(per_club), classes_per_kruzhok=per_club),
                             pending=list(pending))


def club_counts(session: Session, user_ids: Iterable[str]) -> dict[str, int]:
    """How many clubs each of these users owns, in one grouped query (0 for users without clubs).
    Both doors show it next to a subscription request: the API's pending list and the back-office."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    counts = dict(session.execute(select(Kruzhok.owner_id, func.count()).where(Kruzhok.owner_id.in_(ids))
                                  .group_by(Kruzhok.owner_id)).all())
    return {user_id: counts.get(user_id, 0) for user_id in ids}


def list_pending(session: Session, *, actor: User | None, page: Page) -> tuple[list[tuple[Subscription, int]], int]:
    """Admin queue of PENDING requests, oldest first (first come, first served), with the user's club count."""
    require_admin(actor)
    rows = session.scalars(
        select(Subscription).options(joinedload(Subscription.user))
        .where(Subscription.status == SubscriptionStatus.PENDING)
        .order_by(Subscription.created_at, Subscription.id).limit(page.limit).offset(page.offset)
    ).all()
    total = session.scalar(select(func.count()).select_from(Subscription)
                           .where(Subscription.status == SubscriptionStatus.PENDING))
    counts = club_counts(session, (sub.user_id for sub in rows))
    return [(sub, counts[sub.user_id]) for sub in rows], int(total or 0)


def is_decidable(sub: Subscription) -> bool:
    """Only a PENDING request can be approved or rejected."""
    return sub.status == SubscriptionStatus.PENDING


def _locked_pending(session: Session, subscription_id: str) -> Subscription:
    return payment_requests.lock_pending(session, Subscription, subscription_id,
                                         not_found="Заявка на подписку не найдена")


def _clean_limits(limits: dict[str, Any] | None) -> dict[str, int]:
    clean: dict[str, int] = {}
    for key, value in (limits or {}).items():
        if value is None or value == "":
            continue
        if key not in LIMIT_FIELDS:
            raise field_error(key, "Неизвестный лимит")
        try:
            if isinstance(value, bool | float):
                raise TypeError(value)
            number = int(value)
        except (TypeError, ValueError):
            raise field_error(key, "Лимит должен быть целым числом") from None
        if not 0 <= number <= bounds.MAX_LIMIT:
            raise field_error(key, f"Лимит должен быть от 0 до {bounds.MAX_LIMIT}")
        clean[key] = number
    return clean


def approve_subscription(session: Session, *, subscription_id: str, actor: User | None, now: datetime,
                         timezone: str, limits: dict[str, Any] | None = None) -> Subscription:
    """PENDING → ACTIVE (renewal extends from the current expiry); optional limit overrides (≥ 0).
    The email shows the expiry as a local date in `timezone`."""
    actor = require_admin(actor)
    overrides = _clean_limits(limits)
    sub = _locked_pending(session, subscription_id)
    days = sub.duration_days or (sub.plan.duration_days if sub.plan is not None else
                                 (365 if sub.type == PlanType.ONETIME_PURCHASE else 30))
    current = session.scalar(select(func.max(Subscription.expires_at))
                             .where(Subscription.user_id == sub.user_id, Subscription.id != sub.id,
                                    active_clause(now)))
    start = max(now, current) if current is not None else now
    sub.status, sub.confirmed_at, sub.confirmed_by_id = SubscriptionStatus.ACTIVE, now, actor.id
    sub.expires_at = bounds.add_days(start, days)
    for key, value in overrides.items():
        setattr(sub, key, value)
    user = sub.user
    notifications.notify(session, user_id=user.id, type=NotificationType.SUBSCRIPTION_APPROVED,
                         title=texts.APPROVED_TITLE, message=texts.APPROVED_MESSAGE, link="/clubs", now=now,
                         meta={"subscriptionId": sub.id})
    until = local_day(sub.expires_at, timezone)
    outbox.enqueue_email(session, to=user.email, subject=texts.APPROVED_SUBJECT, now=now,
                         body_text=texts.approved_email(full_name=user.full_name, until=until))
    audit.record(session, actor=actor, action=AuditAction.SUBSCRIPTION_APPROVE, entity="subscription", entity_id=sub.id,
                 now=now, data={"expiresAt": sub.expires_at.isoformat(), "renewedFrom":
                                current.isoformat() if current else None, "limits": overrides})
    return sub


def reject_subscription(session: Session, *, subscription_id: str, actor: User | None, reason: str,
                        now: datetime) -> Subscription:
    """PENDING → REJECTED with a required reason; the user is notified and emailed."""
    actor = require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "Укажите причину отклонения")
    reason = clean.clean_text(reason, field="reason", label="Причина отклонения",
                              max_length=payment_requests.MAX_REASON,
                              multiline=True) or ""
    sub = _locked_pending(session, subscription_id)
    sub.status, sub.rejected_at, sub.rejection_reason = SubscriptionStatus.REJECTED, now, reason
    sub.confirmed_by_id = actor.id
    text = texts.rejected_message(reason)
    user = sub.user
    notifications.notify(session, user_id=user.id, type=NotificationType.SUBSCRIPTION_REJECTED,
                         title=texts.REJECTED_TITLE, message=text, link="/clubs", now=now,
                         meta={"subscriptionId": sub.id})
    outbox.enqueue_email(session, to=user.email, subject=texts.REJECTED_SUBJECT, now=now,
                         body_text=email_body(user.full_name, text))
    audit.record(session, actor=actor, action=AuditAction.SUBSCRIPTION_REJECT, entity="subscription", entity_id=sub.id,
                 now=now, data={"reason": reason})
    return sub
