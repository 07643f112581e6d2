"""Subscription plans (tariffs): the public list, the admin edit, and the default two plans."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound, field_error
from core.models import AuditAction, Currency, PlanType, SubscriptionPlan, User
from core.services import audit, bounds
from core.services.clean import clean_title, get_row
from core.services.permissions import require_admin

# The same rows the data migration 5c1b0a7e9d21 inserts (fixed ids).
DEFAULT_PLANS: tuple[dict[str, Any], ...] = (
    {"id": "6d1f3a52-0b7e-4c55-9a51-000000000001", "code": PlanType.ONETIME_PURCHASE,
     "title": "Разовая покупка (1 год)", "price": 2000, "duration_days": 365},
    {"id": "6d1f3a52-0b7e-4c55-9a51-000000000002", "code": PlanType.MONTHLY_SUBSCRIPTION,
     "title": "Ежемесячная подписка", "price": 1000, "duration_days": 30},
)
PLAN_LABELS = {PlanType.ONETIME_PURCHASE: "Разовая покупка", PlanType.MONTHLY_SUBSCRIPTION: "Ежемесячная подписка"}
EDITABLE = ("title", "price", "duration_days", "max_kruzhoks", "max_classes_per_kruzhok",
            "max_students_per_class", "is_active")
FIELD_LABELS = {
    "price": "Цена", "duration_days": "Срок (дней)", "max_kruzhoks": "Макс. кружков",
    "max_classes_per_kruzhok": "Макс. классов в кружке", "max_students_per_class": "Макс. учеников в классе",
}


def ensure_default_plans(session: Session, *, now: datetime) -> int:
    """Create the default plans that are missing (never touches existing ones); returns how many."""
    existing = set(session.scalars(select(SubscriptionPlan.code)))
    created = 0
    for spec in DEFAULT_PLANS:
        if spec["code"] in existing:
            continue
        session.add(SubscriptionPlan(**spec, currency=Currency.KZT, max_kruzhoks=1, max_classes_per_kruzhok=2,
                                     max_students_per_class=30, is_active=True, created_at=now))
        created += 1
    session.flush()
    return created


def list_plans(session: Session, *, active_only: bool = True) -> list[SubscriptionPlan]:
    stmt = select(SubscriptionPlan).order_by(SubscriptionPlan.price, SubscriptionPlan.code)
    if active_only:
        stmt = stmt.where(SubscriptionPlan.is_active.is_(True))
    return list(session.scalars(stmt))


def get_active_plan(session: Session, code: str) -> SubscriptionPlan:
    """The active plan with this code, or 422 on the `type` field."""
    plan = session.scalar(select(SubscriptionPlan).where(SubscriptionPlan.code == code,
                                                         SubscriptionPlan.is_active.is_(True)))
    if plan is None:
        known = ", ".join(PLAN_LABELS)
        raise field_error("type", f"Неизвестный или недоступный тариф. Допустимые значения: {known}")
    return plan



def validate_plan_values(values: dict[str, Any]) -> dict[str, Any]:
    """Check an edit of a plan: bounded integers (`core.services.bounds`), a non-empty title. Raises `Invalid`."""
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in EDITABLE:
            raise field_error(key, "Это поле тарифа нельзя изменить")
        if key == "is_active":
            clean[key] = bool(value)
        elif key == "title":
            clean[key] = clean_title(value, label="Название тарифа")
        else:
            high = {"price": bounds.MAX_PRICE, "duration_days": bounds.MAX_DURATION_DAYS}.get(key, bounds.MAX_LIMIT)
            low = 1 if key == "duration_days" else 0
            clean[key] = bounds.bounded_int(value, field=key, label=FIELD_LABELS[key], low=low, high=high)
    return clean


def update_plan(session: Session, *, actor: User | None, plan_id: str, values: dict[str, Any],
                now: datetime) -> SubscriptionPlan:
    """Admin edit of a plan (price, duration, limits, active flag); audited."""
    actor = require_admin(actor)
    plan = get_row(session, SubscriptionPlan, plan_id)
    if plan is None:
        raise NotFound("Тариф не найден")
    clean = validate_plan_values(values)
    before = {k: getattr(plan, k) for k in clean}
    for key, value in clean.items():
        setattr(plan, key, value)
    audit.record(session, actor=actor, action=AuditAction.PLAN_UPDATE, entity="subscription_plan", entity_id=plan.id,
                 now=now, data={"before": before, "after": clean})
    return plan
