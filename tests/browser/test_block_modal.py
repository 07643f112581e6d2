"""The block dialog in real Chromium: closes on Escape, backdrop and ×, clearing its input; submits once."""

from __future__ import annotations

import pytest

from core.clock import utcnow
from core.models import AuditEvent, User
from core.services import auth
from tests.browser.conftest import admin_login
from tests.browser.dialogs import assert_dialog_closes_and_clears
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

REASON = "Оскорбления в чате клуба"


@pytest.fixture
def people(live_server):  # type: ignore[no-untyped-def]
    """An admin and two students, committed to the live server's database."""
    with live_server.db.transaction() as session:
        admin, _ = auth.ensure_admin(session, email="admin@s7.kz", password=PASSWORD, full_name="Админ",
                                     now=utcnow())
        target = auth.register(session, email="aigerim@s7.kz", password=PASSWORD, full_name="Айгерим Нурланова",
                               now=utcnow())
        bystander = auth.register(session, email="bauyrzhan@s7.kz", password=PASSWORD,
                                  full_name="Бауыржан Серикович", now=utcnow())
        session.flush()
        return {"admin": admin.id, "target": target.id, "bystander": bystander.id, "email": admin.email}


def _user(live_server, user_id: str) -> User:  # type: ignore[no-untyped-def]
    with live_server.db.transaction() as session:
        return session.get(User, user_id)


def test_block_dialog_closes_three_ways_clears_and_submits(page, live_server, people):
    from playwright.sync_api import expect

    admin_login(page, live_server, people["email"])
    page.goto(f"{live_server.url}/admin/user/details/{people['target']}")
    modal = page.locator("#modal-block")
    reason = page.locator("#block-reason")
    opener = page.locator('button[data-s7-open="modal-block"]')

    assert_dialog_closes_and_clears(page, modal, opener, reason)

    opener.click()
    expect(reason).to_have_value("")
    reason.fill(REASON)
    with page.expect_navigation():
        modal.locator('button[type="submit"]').click()
    assert page.url.endswith(f"/admin/user/details/{people['target']}")
    expect(page.locator(".toast-body", has_text="Пользователь заблокирован")).to_be_visible()

    blocked = _user(live_server, people["target"])
    assert (blocked.is_blocked, blocked.blocked_reason) == (True, REASON)
    with live_server.db.transaction() as session:
        assert session.query(AuditEvent).filter_by(entity_id=people["target"], action="user.block").count() == 1
    assert _user(live_server, people["bystander"]).is_blocked is False


def test_block_from_the_list_opens_the_dialog_and_escape_returns_without_change(page, live_server, people):
    from playwright.sync_api import expect

    admin_login(page, live_server, people["email"])
    page.goto(f"{live_server.url}/admin/user/list")
    row = page.locator("tr", has=page.locator(f'input[type="hidden"][value="{people["target"]}"]'))
    row.locator("input.select-box").check()
    page.locator("#dropdownMenuButton").click()
    with page.expect_navigation():
        page.locator("#action-custom-block").click()
    assert f"/admin/user/action/block?pks={people['target']}" in page.url
    modal = page.locator("#modal-block")
    expect(modal).to_be_visible()
    page.locator("#block-reason").fill("передумал")
    with page.expect_navigation():
        page.keyboard.press("Escape")
    assert page.url.endswith("/admin/user/list")
    assert _user(live_server, people["target"]).is_blocked is False
    assert _user(live_server, people["bystander"]).is_blocked is False
