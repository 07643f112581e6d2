"""The back-office home (/admin): what needs action now. A card is ONE entry in CARDS — a title, the
list it opens (filtered), whether only ADMIN sees it, and a core query returning a count and the
moment its age is counted from. A card for a new queue (e.g. bank statement lines not yet matched) is
one more entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from admin_app.helpers import run_service, settings_of
from core.clock import utcnow
from core.models import Role
from core.services import work_queue
from core.services.work_queue import Waiting

Load = Callable[[Session, datetime, str], Waiting | None]


@dataclass(frozen=True)
class HomeCard:
    title: str
    link: str  # the filtered list, under /admin
    load: Load
    admin_only: bool = False
    age: str = "ждёт"  # "ждёт 3 дня", "проверено 2 часа назад", "истекает через 2 дня"
    empty: str = "Ничего не ждёт"
    icon: str = "fa-solid fa-inbox"


CARDS: list[HomeCard] = [
    HomeCard("Заявки на подписку", "/subscription/list?status=PENDING", work_queue.pending_subscriptions,
             admin_only=True, icon="fa-solid fa-id-card"),
    HomeCard("Оплаты курсов", "/purchase/list?status=PENDING", work_queue.pending_purchases, admin_only=True,
             icon="fa-solid fa-money-bill"),
    HomeCard("Заявки на сертификат", "/certificate-request/list?status=PENDING", work_queue.pending_certificates,
             admin_only=True, icon="fa-solid fa-award"),
    HomeCard("Строки выписки без пары", "/bank-statement", work_queue.unmatched_statement_lines, admin_only=True,
             icon="fa-solid fa-file-invoice"),
    HomeCard("Проблемы с медиа", "/media-doctor", work_queue.media_problems, age="проверено",
             empty="Проблем нет", icon="fa-solid fa-stethoscope"),
    HomeCard("Письма не отправлены", "/email-outbox/list?status=FAILED", work_queue.failed_emails,
             icon="fa-solid fa-envelope"),
    HomeCard("Подписки истекают за 7 дней", "/subscription/list?expiring=7", work_queue.expiring_subscriptions,
             age="истекает", empty="Нет истекающих", icon="fa-solid fa-hourglass-half"),
    HomeCard("Занятия сегодня", "/lesson-session/list?day=today", work_queue.today_sessions, age="первое",
             empty="Сегодня занятий нет", icon="fa-solid fa-calendar-day"),
]


def plural(n: int, forms: tuple[str, str, str]) -> str:
    """Russian plural: 1 день, 2 дня, 5 дней (11–14 дней)."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def span(seconds: float) -> str:
    """A duration in words: "3 дня", "5 часов", "12 минут", "меньше минуты"."""
    seconds = abs(seconds)
    for size, forms in ((86400, ("день", "дня", "дней")), (3600, ("час", "часа", "часов")),
                        (60, ("минуту", "минуты", "минут"))):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {plural(n, forms)}"
    return "меньше минуты"


def age_text(card: HomeCard, since: datetime | None, now: datetime, timezone: str) -> str:
    if since is None:
        return ""
    delta = (now - since).total_seconds()
    if card.age == "ждёт":
        return f"ждёт {span(delta)}"
    if card.age == "проверено":
        return f"проверено {span(delta)} назад"
    if card.age == "истекает":
        return f"ближайшая истекает через {span(-delta)}"
    from zoneinfo import ZoneInfo

    return f"первое в {since.astimezone(ZoneInfo(timezone)):%H:%M}"


def visible_cards(role: str | None) -> list[HomeCard]:
    return [c for c in CARDS if role == Role.ADMIN or not c.admin_only]


async def render_home(admin: Any, request: Request) -> Response:
    cards = visible_cards(request.session.get("role"))
    timezone = settings_of(request).default_timezone
    now = utcnow()
    values = await run_service(request, lambda s, _actor: [c.load(s, now, timezone) for c in cards])
    shown = [{"card": c, "value": v, "age": age_text(c, v.since, now, timezone) if v else "",
              "url": f"{admin.base_url.rstrip('/')}{c.link}"} for c, v in zip(cards, values, strict=True)]
    return await admin.templates.TemplateResponse(request, "s7/home.html", {"cards": shown})
