"""The back-office home: what needs action now. Counts match the database, each card opens a list that
shows exactly those rows, SUPPORT sees no admin-only card, ages are in Russian, and the page runs the same
number of queries with 1 or 30 waiting rows (and never a media scan)."""

from __future__ import annotations

import re
from datetime import timedelta

from admin_app.home import CARDS, plural, span
from core.clock import utcnow
from core.models import EmailOutbox, EmailStatus
from tests.admin.helpers import fill_every_view, login


def _cards(html: str) -> dict[str, tuple[str, int | None, str]]:
    """title → (link, count, age text) as the page shows them."""
    found = {}
    for href, title, body in re.findall(r'<a class="card card-link s7-home-card" href="([^"]+)" data-card="([^"]+)">'
                                        r"(.*?)</a>", html, flags=re.S):
        count = re.search(r's7-count[^"]*">(\d+)<', body)
        age = re.search(r's7-age">([^<]*)<', body)
        found[title] = (href.replace("&amp;", "&"), int(count.group(1)) if count else None,
                        age.group(1).strip() if age else "")
    return found


def _list_total(client, url: str) -> int:  # type: ignore[no-untyped-def]
    page = client.get(url)
    assert page.status_code == 200, url
    rows = len(re.findall(r'class="form-check-input m-0 align-middle select-box"', page.text))
    return rows


def test_home_counts_match_and_each_card_opens_its_filtered_list(client, db, settings, session, make):  # type: ignore[no-untyped-def]
    fill_every_view(db, settings, session, make)
    session.commit()
    login(client, make.admin())
    cards = _cards(client.get("/admin/").text)
    assert set(cards) == {c.title for c in CARDS}
    assert cards["Заявки на подписку"][1] == 2 and cards["Заявки на подписку"][2].startswith("ждёт 3 дня")
    assert cards["Оплаты курсов"][1] == 2 and cards["Оплаты курсов"][2] == "ждёт 3 дня"
    assert cards["Заявки на сертификат"][1] == 2  # the demo student's and fill_every_view's
    assert cards["Письма не отправлены"][1] == 1
    assert cards["Подписки истекают за 7 дней"][1] == 1
    assert cards["Занятия сегодня"][1] == 1 and cards["Занятия сегодня"][2] == "первое в 16:00"
    assert cards["Проблемы с медиа"][2].startswith("проверено")
    assert cards["Строки выписки без пары"][1] == 0  # the demo uploads no statement
    for title, (link, count, _age) in cards.items():
        if link.endswith(("/media-doctor", "/bank-statement")):  # pages of their own, not filtered lists
            continue
        assert _list_total(client, link) == count, title
        unfiltered = _list_total(client, link.split("?")[0])
        # The demo has other rows in these lists (active subscriptions, a queued email, held sessions):
        # the card's list must leave them out.
        strictly = title in ("Заявки на подписку", "Письма не отправлены", "Подписки истекают за 7 дней",
                             "Занятия сегодня")
        assert unfiltered > count if strictly else unfiltered >= count, f"{title}: the list must be filtered"


def test_support_sees_the_home_without_admin_only_cards(client, db, settings, session, make):  # type: ignore[no-untyped-def]
    fill_every_view(db, settings, session, make)
    login(client, make.support())
    page = client.get("/admin/")
    assert page.status_code == 200
    cards = _cards(page.text)
    assert set(cards) == {c.title for c in CARDS if not c.admin_only}
    assert "Заявки на подписку" not in cards and "Оплаты курсов" not in cards


def test_home_query_count_is_constant(client, session, make, count_queries):  # type: ignore[no-untyped-def]
    admin = make.admin()
    now = utcnow()

    def failed(n: int) -> None:
        for i in range(n):
            session.add(EmailOutbox(to_addr=f"x{i}@s7.kz", subject="Тема", body_text="Текст", status=EmailStatus.FAILED,
                                    attempts=5, created_at=now - timedelta(hours=i)))
        session.commit()

    login(client, admin)
    failed(1)
    with count_queries() as one:
        assert _cards(client.get("/admin/").text)["Письма не отправлены"][1] == 1
    failed(30)
    with count_queries() as many:
        assert _cards(client.get("/admin/").text)["Письма не отправлены"][1] == 31
    # One query a card plus the login's: a media scan (every media column of every table) would not fit.
    assert many() == one() <= len(CARDS) + 4


def test_ages_in_russian():
    assert [plural(n, ("день", "дня", "дней")) for n in (1, 2, 5, 11, 21, 22, 112)] == \
        ["день", "дня", "дней", "дней", "день", "дня", "дней"]
    assert span(3 * 86400 + 5) == "3 дня" and span(5 * 3600) == "5 часов" and span(30) == "меньше минуты"
