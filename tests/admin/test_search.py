"""The header search: an email, a sender code, a class join code find their rows for ADMIN and SUPPORT,
with a bounded number of queries; nothing found says so."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import ClubClass, Purchase, Subscription, SubscriptionStatus
from tests.admin.helpers import fill_every_view, login


@pytest.mark.parametrize("role", ["admin", "support"])
def test_search_finds_user_payment_and_class(client, db, settings, session, make, count_queries, role):  # type: ignore[no-untyped-def]
    fill_every_view(db, settings, session, make)
    session.commit()
    sub = session.scalar(select(Subscription).where(Subscription.status == SubscriptionStatus.PENDING))
    purchase = session.scalar(select(Purchase))
    klass = session.scalar(select(ClubClass))
    for who in [make.admin() if role == "admin" else make.support()]:
        login(client, who)
        page = client.get("/admin/search", params={"q": "student1@s7.local"}).text
        assert "s7-search-results" in page and "student1@s7.local" in page
        assert f"/admin/subscription/details/{sub.id}" in client.get(
            "/admin/search", params={"q": sub.payment_comment}).text
        assert f"/admin/purchase/details/{purchase.id}" in client.get(
            "/admin/search", params={"q": purchase.sender_code}).text
        assert f"/admin/club-class/details/{klass.id}" in client.get(
            "/admin/search", params={"q": klass.join_code}).text
        assert "ничего не найдено" in client.get("/admin/search", params={"q": "нет-такого"}).text
        with count_queries() as n:
            client.get("/admin/search", params={"q": "x" * 600})
        assert n() <= 8


def test_a_media_url_opens_the_media_doctor_with_the_url_ready_to_check(client, make):  # type: ignore[no-untyped-def]
    import html
    import re

    login(client, make.support())
    url = "https://s7robotics.kz/media/0123456789abcdef.mp4?x=1&y=<2>"
    results = client.get("/admin/search", params={"q": url}).text
    link = re.search(r'href="(/admin/media-doctor\?url=[^"]+)"', results)
    assert link, "the search offers the media doctor's check"
    page = client.get(html.unescape(link.group(1)))
    assert page.status_code == 200
    field = re.search(r'<input[^>]*name="url"[^>]*>', page.text, re.S)
    assert field and f'value="{html.escape(url)}"' in field.group(0)  # pre-filled, escaped
