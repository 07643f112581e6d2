"""Home and a decision details page in real Chromium at 1366×768 (a laptop): the home's counts match
the database and each card opens its filtered list; SUPPORT sees no admin-only card; on a pending
subscription the Одобрить / Отклонить buttons are inside the first screen and the sidebar runs the full
page height. Screenshots go to the test's tmp dir (for review, never committed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from admin_app.home import CARDS
from core.clock import utcnow
from core.models import Subscription, SubscriptionStatus
from core.services import auth, work_queue
from s7.seed import DEMO_ADMIN, DEMO_SUPPORT, seed_demo
from tests.browser.conftest import admin_login

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def demo(live_server):  # type: ignore[no-untyped-def]
    seed_demo(live_server.db, settings=live_server.settings)
    with live_server.db.transaction() as session:
        auth.find_user_by_email(session, DEMO_ADMIN[0])
    return live_server


def _card_count(page, title: str) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator(f'a.s7-home-card[data-card="{title}"] .s7-count').inner_text())


def test_home_counts_match_the_database_and_cards_open_filtered_lists(page, demo, tmp_path: Path):  # type: ignore[no-untyped-def]
    page.set_viewport_size(LAPTOP)
    admin_login(page, demo, DEMO_ADMIN[0], DEMO_ADMIN[1])
    page.screenshot(path=str(tmp_path / "home-1366x768.png"))
    with demo.db.transaction() as session:
        now = utcnow()
        expected = {"Заявки на подписку": work_queue.pending_subscriptions(session, now, "Asia/Almaty").count,
                    "Оплаты курсов": work_queue.pending_purchases(session, now, "Asia/Almaty").count,
                    "Занятия сегодня": work_queue.today_sessions(session, now,
                                                                 demo.settings.default_timezone).count}
    for title, count in expected.items():
        assert count > 0 and _card_count(page, title) == count, title
    with page.expect_navigation():
        page.click('a.s7-home-card[data-card="Заявки на подписку"]')
    assert "status=PENDING" in page.url
    assert page.locator("input.select-box").count() == expected["Заявки на подписку"]


def test_support_sees_no_admin_only_card(page, demo):  # type: ignore[no-untyped-def]
    admin_login(page, demo, DEMO_SUPPORT[0], DEMO_SUPPORT[1])
    shown = set(page.locator("a.s7-home-card").evaluate_all("els => els.map(e => e.dataset.card)"))
    assert shown == {c.title for c in CARDS if not c.admin_only}


def test_decision_buttons_are_in_the_first_screen_and_the_sidebar_is_full_height(page, demo, tmp_path: Path):  # type: ignore[no-untyped-def]
    page.set_viewport_size(LAPTOP)
    admin_login(page, demo, DEMO_ADMIN[0], DEMO_ADMIN[1])
    with demo.db.transaction() as session:
        pk = session.scalar(select(Subscription.id).where(Subscription.status == SubscriptionStatus.PENDING))
    page.goto(f"{demo.url}/admin/subscription/details/{pk}")
    page.screenshot(path=str(tmp_path / "subscription-details-1366x768.png"))
    page.screenshot(path=str(tmp_path / "subscription-details-full.png"), full_page=True)
    for label in ("Одобрить", "Отклонить"):
        box = page.locator(".s7-actions button", has_text=label).bounding_box()
        assert box is not None and box["y"] + box["height"] <= LAPTOP["height"], label
    assert page.locator(".s7-card-summary", has_text="Код отправителя").count() == 1
    assert page.locator("details.s7-tech").count() == 1  # the ids are collapsed
    # Scrolled to the bottom of the long page, the sidebar still covers the whole screen height.
    assert page.evaluate("document.documentElement.scrollHeight") > LAPTOP["height"]
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    rect = page.evaluate("(() => { const r = document.querySelector('aside.navbar-vertical')"
                         ".getBoundingClientRect(); return [r.top, r.bottom]; })()")
    assert rect[0] <= 0 and rect[1] >= LAPTOP["height"], rect
    page.screenshot(path=str(tmp_path / "subscription-details-bottom.png"))


def test_pages_have_the_s7_favicon_and_title_and_no_console_errors(page, demo):  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    admin_login(page, demo, DEMO_ADMIN[0], DEMO_ADMIN[1])
    for path in ("/admin/", "/admin/subscription/list", "/admin/lesson-session/list?day=today"):
        page.goto(f"{demo.url}{path}")
        assert "S7" in page.title()
        assert page.locator('link[rel="icon"]').count() == 1
    assert errors == []
