"""«Сверка с выпиской» in real Chromium: choose a file, pick the columns, approve all after the confirmation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.models import Notification, Subscription
from core.services import auth, subscriptions
from tests.browser.conftest import admin_login
from tests.factories import PASSWORD
from tests.factories_statements import statement_csv, statement_line

pytestmark = pytest.mark.browser


def test_upload_columns_results_and_approve_all_in_the_browser(page, live_server, tmp_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    now = utcnow()
    with live_server.db.transaction() as session:
        admin, _ = auth.ensure_admin(session, email="admin@s7.kz", password=PASSWORD, full_name="Админ", now=now)
        user = auth.register(session, email="aigerim@s7.kz", password=PASSWORD, full_name="Айгерим", now=now)
        session.flush()
        sub = subscriptions.request_subscription(session, actor=user, type="ONETIME_PURCHASE",
                                                 payment_comment="48213907", now=now)
        sub_id, amount = sub.id, sub.amount
    statement = tmp_path / "kaspi.csv"
    statement.write_bytes(statement_csv([statement_line(f"{amount},00", "Оплата 48213907"),
                                         statement_line("150", "чужой перевод")], encoding="cp1251"))

    admin_login(page, live_server, "admin@s7.kz")
    page.goto(f"{live_server.url}/admin/bank-statement")
    page.set_input_files('#statement-upload input[name="file"]', str(statement))
    with page.expect_navigation():
        page.click('#statement-upload button[type="submit"]')
    expect(page.locator("#column-amount")).to_have_value("Сумма")
    with page.expect_navigation():
        page.click('#statement-columns button[type="submit"]')
    expect(page.locator('[data-section="MATCHED"] tbody tr')).to_have_count(1)
    expect(page.locator('[data-section="UNMATCHED"] tbody tr')).to_have_count(1)

    questions: list[str] = []

    def answer(dialog):  # type: ignore[no-untyped-def]
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.click('#statement-approve button[type="submit"]')  # dismissed: nothing happens
    page.wait_for_timeout(300)
    with page.expect_navigation():
        page.click('#statement-approve button[type="submit"]')
    assert questions[0].startswith("Одобрить совпавшие заявки (1)?") and len(questions) == 2
    expect(page.locator(".toast-body")).to_contain_text("Одобрено заявок: 1.")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(tmp_path / "bank_statement.png"), full_page=True)
    with live_server.db.transaction() as session:
        assert session.get(Subscription, sub_id).status == "ACTIVE"
        assert session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.type == "SUBSCRIPTION_APPROVED")) == 1
