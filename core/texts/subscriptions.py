"""Texts of club subscriptions: the admins' new-request notice, approval, rejection, reminder, expiry."""

from __future__ import annotations

from core.texts import email_body, email_subject, money

REQUEST_TITLE = "Новая заявка на подписку"
REQUEST_SENT = "Заявка отправлена. Ожидайте проверки."
APPROVED_TITLE = "Подписка активирована"
APPROVED_MESSAGE = "Подписка активирована. Теперь вы можете создавать кружки!"
APPROVED_SUBJECT = email_subject("подписка активирована")
REJECTED_TITLE = "Оплата не подтверждена"
REJECTED_SUBJECT = email_subject("оплата не подтверждена")
EXPIRED_TITLE = "Подписка истекла"
EXPIRED_MESSAGE = "Срок вашей подписки истёк. Продлите подписку, чтобы и дальше вести кружки."
EXPIRING_TITLE = "Подписка скоро истечёт"


def request_message(*, full_name: str, email: str, plan_title: str, amount: int, currency: str, code: str,
                    pending: int | None = None) -> str:
    waiting = f" Всего заявок ждут проверки: {pending}." if pending is not None else ""
    return (f"Пользователь {full_name} ({email}) отправил заявку «{plan_title}» на сумму "
            f"{money(amount, currency)}. Код отправителя: {code}.{waiting}")


def approved_email(*, full_name: str, until: str) -> str:
    return email_body(full_name, f"{APPROVED_MESSAGE}\nПодписка действует до {until}.")


def rejected_message(reason: str) -> str:
    """Both kinds of payment request; a reason already ending in punctuation gets no second mark («!.»)."""
    reason = reason.rstrip()
    end = "" if reason.endswith((".", "!", "?", "…")) else "."
    return f"Оплата не подтверждена. Причина: {reason}{end} Свяжитесь с поддержкой."


def expiring_message(until: str) -> str:
    return f"Ваша подписка истекает {until}. Продлите её, чтобы не потерять доступ к созданию кружков."


def lifecycle_subject(title: str) -> str:
    """The reminder's and the expiry's subject repeat their notification title."""
    return email_subject(title.lower())
