"""Подписки in real Chromium: pending first with the card data; Отклонить / Одобрить through their dialogs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import utcnow
from core.models import Notification, Subscription
from core.services import auth, subscriptions
from tests.browser.conftest import admin_login
from tests.browser.dialogs import assert_dialog_closes_and_clears
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

REASON = "Перевод с кодом 48213 не найден в выписке Kaspi"


@pytest.fixture
def requests_(live_server):  # type: ignore[no-untyped-def]
    """An admin; two PENDING requests (Айгерим older, Бауыржан newer) and a newest already REJECTED one."""
    now = utcnow()
    with live_server.db.transaction() as session:
        admin, _ = auth.ensure_admin(session, email="admin@s7.kz", password=PASSWORD, full_name="Админ", now=now)

        def request(email: str, name: str, code: str, type_: str, at):  # type: ignore[no-untyped-def]
            user = auth.register(session, email=email, password=PASSWORD, full_name=name, now=at)
            session.flush()
            return user, subscriptions.request_subscription(session, actor=user, type=type_, payment_comment=code,
                                                            now=at)

        aigerim, to_reject = request("aigerim@s7.kz", "Айгерим Нурланова", "48213", "ONETIME_PURCHASE",
                                     now - timedelta(hours=3))
        _, to_approve = request("bauyrzhan@s7.kz", "Бауыржан Серикович", "771905", "ONETIME_PURCHASE",
                                now - timedelta(hours=2))
        _, done = request("dana@s7.kz", "Дана Ермекова", "5550123", "MONTHLY_SUBSCRIPTION",
                          now - timedelta(hours=1))
        subscriptions.reject_subscription(session, subscription_id=done.id, actor=admin, reason="дубль",
                                          now=now - timedelta(minutes=30))
        return {"email": admin.email, "reject": to_reject.id, "approve": to_approve.id, "done": done.id,
                "aigerim": aigerim.id}


def _sub(live_server, sub_id: str) -> Subscription:  # type: ignore[no-untyped-def]
    with live_server.db.transaction() as session:
        sub = session.get(Subscription, sub_id)
        session.expunge(sub)
        return sub


def test_pending_requests_come_first_with_the_card_data(page, live_server, requests_):
    from playwright.sync_api import expect

    admin_login(page, live_server, requests_["email"])
    page.goto(f"{live_server.url}/admin/subscription/list")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    ids = rows.evaluate_all("trs => trs.map(tr => tr.querySelector('input[type=hidden]').value)")
    # PENDING first, oldest first (first come, first served, like the API queue), then the REJECTED one.
    assert ids == [requests_["reject"], requests_["approve"], requests_["done"]]
    card = rows.nth(0)
    for text in ("Ожидает", "Айгерим Нурланова", "aigerim@s7.kz", "2000 KZT", "48213", "Разовая покупка"):
        expect(card).to_contain_text(text)
    expect(rows.nth(2)).to_contain_text("Отклонена")
    expect(rows.nth(2)).to_contain_text("Ежемесячная подписка")

    # The decided request's details page offers no decision buttons.
    page.goto(f"{live_server.url}/admin/subscription/details/{requests_['done']}")
    expect(page.locator("[data-s7-open]")).to_have_count(0)
    page.goto(f"{live_server.url}/admin/subscription/details/{requests_['reject']}")
    expect(page.locator("[data-s7-open]")).to_have_text(["Одобрить", "Отклонить"])


def test_reject_dialog_closes_three_ways_requires_a_reason_and_rejects(page, live_server, requests_):
    from playwright.sync_api import expect

    sub_id = requests_["reject"]
    admin_login(page, live_server, requests_["email"])
    page.goto(f"{live_server.url}/admin/subscription/details/{sub_id}")
    modal = page.locator("#modal-reject")
    reason = page.locator("#reject-reason")
    opener = page.locator('button[data-s7-open="modal-reject"]')
    expect(opener).to_have_text("Отклонить")

    assert_dialog_closes_and_clears(page, modal, opener, reason)

    # Empty: the browser's `required` validation stops the submit, nothing is sent.
    opener.click()
    expect(reason).to_have_value("")
    url = page.url
    modal.locator('button[type="submit"]').click()
    assert reason.evaluate("el => el.validity.valueMissing") is True
    expect(modal).to_be_visible()
    assert page.url == url
    assert _sub(live_server, sub_id).status == "PENDING"

    # Only spaces pass `required` in the browser; the server refuses them with a Russian flash.
    reason.fill("   ")
    with page.expect_navigation():
        modal.locator('button[type="submit"]').click()
    expect(page.locator(".toast-body")).to_have_text("Заполните поле «Причина отклонения»")
    assert _sub(live_server, sub_id).status == "PENDING"

    opener.click()
    expect(reason).to_have_value("")
    reason.fill(REASON)
    with page.expect_navigation():
        modal.locator('button[type="submit"]').click()
    assert page.url.endswith(f"/admin/subscription/details/{sub_id}")
    expect(page.locator(".toast-body")).to_have_text("Заявка отклонена")
    expect(page.locator("[data-s7-open]")).to_have_count(0)  # decided: no more Одобрить / Отклонить

    sub = _sub(live_server, sub_id)
    assert (sub.status, sub.rejection_reason) == ("REJECTED", REASON)
    with live_server.db.transaction() as session:
        messages = [n.message for n in session.query(Notification).filter_by(user_id=requests_["aigerim"],
                                                                              type="SUBSCRIPTION_REJECTED")]
    assert messages == [f"Оплата не подтверждена. Причина: {REASON}. Свяжитесь с поддержкой."]
    assert _sub(live_server, requests_["approve"]).status == "PENDING"


def test_approve_dialog_with_one_overridden_limit(page, live_server, requests_):
    from playwright.sync_api import expect

    sub_id = requests_["approve"]
    admin_login(page, live_server, requests_["email"])
    page.goto(f"{live_server.url}/admin/subscription/details/{sub_id}")
    modal = page.locator("#modal-approve")
    page.locator('button[data-s7-open="modal-approve"]').click()
    expect(modal).to_be_visible()
    page.locator("#approve-max_students_per_class").fill("40")
    before = utcnow()
    with page.expect_navigation():
        modal.locator('button[type="submit"]').click()
    expect(page.locator(".toast-body")).to_have_text("Подписка одобрена")

    sub = _sub(live_server, sub_id)
    assert sub.status == "ACTIVE"
    assert (sub.max_students_per_class, sub.max_kruzhoks, sub.max_classes_per_kruzhok) == (40, 1, 2)
    expires = sub.expires_at.replace(tzinfo=None) if sub.expires_at.tzinfo else sub.expires_at
    expected = before.replace(tzinfo=None) + timedelta(days=365)
    assert abs((expires - expected).total_seconds()) < 60
    assert _sub(live_server, requests_["reject"]).status == "PENDING"
