"""Plans and paid club subscriptions (manual Kaspi transfer verified by an admin)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, check_in, fk
from .users import User


class PlanType(StrEnum):
    """A plan's `code`, copied to `Subscription.type` when a subscription is requested."""

    ONETIME_PURCHASE = "ONETIME_PURCHASE"
    MONTHLY_SUBSCRIPTION = "MONTHLY_SUBSCRIPTION"


class SubscriptionStatus(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"


class PaymentMethod(StrEnum):
    KASPI = "KASPI"


class Currency(StrEnum):
    KZT = "KZT"


class SubscriptionPlan(IdMixin, CreatedMixin, Base):
    __tablename__ = "subscription_plans"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_nonneg"),
        CheckConstraint("duration_days > 0", name="duration_pos"),
        CheckConstraint(
            "max_kruzhoks >= 0 AND max_classes_per_kruzhok >= 0 AND max_students_per_class >= 0",
            name="limits_nonneg",
        ),
        # The maxima of core/services/bounds.py: a duration past ten years overflowed dates (issue 12).
        CheckConstraint("price <= 10000000", name="price_max"),
        CheckConstraint("duration_days <= 3650", name="duration_max"),
        CheckConstraint(
            "max_kruzhoks <= 100000 AND max_classes_per_kruzhok <= 100000 AND max_students_per_class <= 100000",
            name="limits_max",
        ),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    price: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default=Currency.KZT)
    duration_days: Mapped[int] = mapped_column(Integer, nullable=False)
    max_kruzhoks: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    max_classes_per_kruzhok: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    max_students_per_class: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.title


class Subscription(IdMixin, CreatedMixin, Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        check_in("status", SubscriptionStatus, name="status"),
        check_in("type", PlanType, name="type"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
        Index("ix_subscriptions_user_status", "user_id", "status"),
        Index("ix_subscriptions_status_expires", "status", "expires_at"),
        Index("ix_subscriptions_status_created", "status", "created_at"),
    )

    user_id: Mapped[str] = fk("users.id", index=False)
    plan_id: Mapped[str | None] = fk("subscription_plans.id", nullable=True)
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=SubscriptionStatus.PENDING)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default=Currency.KZT)
    payment_method: Mapped[str] = mapped_column(String(16), nullable=False, default=PaymentMethod.KASPI)
    payment_comment: Mapped[str] = mapped_column(String(8), unique=True, nullable=False)
    payment_proof_url: Mapped[str | None] = mapped_column(String(300))
    max_kruzhoks: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    max_classes_per_kruzhok: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    max_students_per_class: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    # Frozen from the plan at request time like amount and limits: editing a plan never changes what
    # a pending request grants. NULL only on rows older than this column (approve falls back to the plan).
    duration_days: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[str | None] = fk("users.id", nullable=True, index=False)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    plan: Mapped[SubscriptionPlan | None] = relationship()
