"""The one payment-request mechanism: a manual Kaspi transfer, identified by the sender code the
user types, checked by an admin. Two kinds share it — club subscriptions (`subscriptions.py`) and
course purchases (`purchases.py`):

    clean_code      4–8 digits, 422 otherwise
    claim_code      the code is taken once across BOTH kinds (unique `payment_codes.code`;
                    a concurrent claim loses on the constraint → 409 `duplicate_payment_code`)
    lock_pending    the request row locked (FOR UPDATE / SQLite's BEGIN IMMEDIATE); 404, or 409
                    `not_pending` unless PENDING — so a double click decides once and notifies once
    clean_reason    a rejection needs a reason (≤ 2000 characters)
    rejection_text  «Оплата не подтверждена. Причина: …. Свяжитесь с поддержкой.» (core/texts)
    tell_user       the decision as a notification and an outbox email (same transaction)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, ErrorCode, NotFound, field_error
from core.models import PaymentCode, PaymentKind, Purchase, Subscription, User
from core.services import clean, notifications, outbox
from core.texts import email_body, email_subject
from core.texts import subscriptions as texts

CODE = "[0-9]{4,8}"  # the sender code of a Kaspi transfer
CODE_RE = re.compile(CODE)
CODE_PATTERN = clean.trimmed_pattern(CODE)  # the same rule in the API schema
MSG_CODE = "Код отправителя должен состоять из 4–8 цифр (из перевода Kaspi)"
MSG_DUPLICATE = "Заявка с таким кодом отправителя уже существует. Проверьте код платежа."
PENDING = "PENDING"  # SubscriptionStatus.PENDING == PurchaseStatus.PENDING: the open state of both kinds
RequestT = TypeVar("RequestT", Subscription, Purchase)  # the two kinds of payment request


def clean_code(value: Any, *, field: str) -> str:
    code = str(value if value is not None else "").strip()
    if not CODE_RE.fullmatch(code):
        raise field_error(field, MSG_CODE)
    return code


def is_code_taken(session: Session, code: str) -> bool:
    return session.scalar(select(PaymentCode.id).where(PaymentCode.code == code)) is not None


def claim_code(session: Session, *, code: str, kind: PaymentKind, request_id: str, now: datetime) -> None:
    """Take the sender code for this request, or 409 `duplicate_payment_code` (whichever kind holds it)."""
    if is_code_taken(session, code):
        raise Conflict(MSG_DUPLICATE, code=ErrorCode.DUPLICATE_PAYMENT_CODE)
    try:
        # A concurrent claim of the same code passes the check above; the unique index decides.
        with session.begin_nested():
            session.add(PaymentCode(code=code, kind=kind, request_id=request_id, created_at=now))
            session.flush()
    except IntegrityError:
        raise Conflict(MSG_DUPLICATE, code=ErrorCode.DUPLICATE_PAYMENT_CODE) from None


def lock_pending(session: Session, model: type[RequestT], request_id: str, *, not_found: str) -> RequestT:
    row = None if clean.get_row(session, model, request_id) is None else session.scalar(
        select(model).where(model.id == request_id).with_for_update().execution_options(populate_existing=True))
    if row is None:
        raise NotFound(not_found)
    status = row.status
    if status != PENDING:
        raise Conflict("Заявка уже обработана: одобрить или отклонить можно только ожидающую заявку",
                       code=ErrorCode.NOT_PENDING, details={"status": status})
    return row


MAX_REASON = 2000


def clean_reason(reason: Any) -> str:
    text = str(reason if reason is not None else "").strip()
    if not text:
        raise field_error("reason", "Укажите причину отклонения")
    return clean.clean_text(text, field="reason", label="Причина отклонения", max_length=MAX_REASON,
                            multiline=True) or ""


def rejection_text(reason: str) -> str:
    """The same text for both kinds (core/texts/subscriptions.py)."""
    return texts.rejected_message(reason)


def tell_user(session: Session, *, user: User, type: str, title: str, message: str, link: str, subject: str,
              meta: dict[str, Any], now: datetime, extra: str = "") -> None:
    notifications.notify(session, user_id=user.id, type=type, title=title, message=message, link=link, now=now,
                         meta=meta)
    extra = f"\n{extra}" if extra else ""
    outbox.enqueue_email(session, to=user.email, subject=email_subject(subject), now=now,
                         body_text=email_body(user.full_name, f"{message}{extra}"))


@dataclass(frozen=True)
class PaymentInstructions:
    """What every client shows before a transfer (the seed's texts), with the recipient from settings."""

    method: str
    title: str
    amount: int
    currency: str
    recipient_phone: str | None
    recipient_name: str
    description: str
    transfer_text: str
    comment_note: str
    sender_code_label: str = "Код отправителя"
    sender_code_help: str = "4–8 цифр из перевода Kaspi"
    confirm_label: str = "Я подтверждаю отправку платежа"
    submit_label: str = "Отправить запрос"


def instructions(*, amount: int, currency: str, purpose: str, phone: str, recipient: str, comment_note: str,
                 course_title: str | None = None) -> PaymentInstructions:
    """The instructions for a club plan (`purpose` "club") or a course ("course")."""
    price = f"{amount}₸" if currency == "KZT" else f"{amount} {currency}"
    if purpose == "club":
        title, what = "Открытие кружка", "Для открытия кружка"
    else:
        title, what = "Покупка курса", f"Для доступа к курсу «{course_title}»"
    phone = phone.strip()
    transfer = (f"Переведите {price} на номер: {phone}" if phone
                else f"Переведите {price} через Kaspi (номер получателя уточните в поддержке)")
    return PaymentInstructions(
        method="KASPI", title=title, amount=amount, currency=currency, recipient_phone=phone or None,
        recipient_name=recipient, description=f"{what} оплатите {price}. Переведите сумму на указанный номер.",
        transfer_text=transfer, comment_note=comment_note)
