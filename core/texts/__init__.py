"""User-facing texts (Russian), one module per domain: notification titles/messages and email bodies.

Services import their domain's module (`from core.texts import subscriptions as texts`); every email
goes through `email_body` so the greeting and the signature are written once.
"""

from __future__ import annotations

from datetime import datetime

from core.clock import local_date
from core.models import Currency

BRAND = "S7 Robotics"


def email_subject(topic: str) -> str:
    return f"{BRAND}: {topic}"


def email_body(full_name: str, text: str) -> str:
    """The one email wrapper: greeting, the text, the team's signature."""
    return f"Здравствуйте, {full_name}!\n\n{text}\n\nКоманда {BRAND}"


def local_day(moment: datetime, timezone: str) -> str:
    """A date as users read it: dd.mm.yyyy in their time zone (DEFAULT_TIMEZONE), not in UTC."""
    return f"{local_date(moment, timezone):%d.%m.%Y}"


def money(amount: int, currency: str) -> str:
    return f"{amount} ₸" if currency == Currency.KZT else f"{amount} {currency}"
