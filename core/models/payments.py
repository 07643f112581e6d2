"""Sender codes claimed by payment requests of every kind (club subscriptions, course purchases).

One row per code: the unique `code` makes a Kaspi sender code usable once across both kinds.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin, check_in


class PaymentKind(StrEnum):
    SUBSCRIPTION = "SUBSCRIPTION"
    PURCHASE = "PURCHASE"


class PaymentCode(IdMixin, CreatedMixin, Base):
    __tablename__ = "payment_codes"
    __table_args__ = (check_in("kind", PaymentKind, name="kind"),)

    code: Mapped[str] = mapped_column(String(8), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    # The subscription or purchase that claimed it (no FK: it points into one of two tables).
    request_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
