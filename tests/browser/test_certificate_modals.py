"""Сертификаты in real Chromium: the Выдать dialog closes and clears three ways, keeps «Отправить на email»
checked by default, offers the preview, and issues a generated certificate; Отклонить needs a reason."""

from __future__ import annotations

import pytest

from core.clock import utcnow
from core.models import Certificate, CertificateRequest, EmailOutbox
from core.services import auth
from tests.browser.conftest import admin_login
from tests.browser.dialogs import assert_dialog_closes_and_clears
from tests.factories import PASSWORD
from tests.factories_certificates import make_certificate_request

pytestmark = pytest.mark.browser


@pytest.fixture
def requests_(live_server):  # type: ignore[no-untyped-def]
    now = utcnow()
    with live_server.db.transaction() as session:
        admin, _ = auth.ensure_admin(session, email="admin@s7.kz", password=PASSWORD, full_name="Админ", now=now)
        student = auth.register(session, email="dana@s7.kz", password=PASSWORD, full_name="Дана Ермекқызы", now=now)
        other = auth.register(session, email="arman@s7.kz", password=PASSWORD, full_name="Арман Серіков", now=now)
        session.flush()
        issue = make_certificate_request(session, student)
        deny = make_certificate_request(session, other)
        return {"email": admin.email, "issue": issue.id, "deny": deny.id, "student": student.email}


def _request(live_server, req_id):  # type: ignore[no-untyped-def]
    with live_server.db.transaction() as session:
        req = session.get(CertificateRequest, req_id)
        session.expunge(req)
        return req


def test_issue_dialog_closes_clears_and_issues_a_generated_certificate(page, live_server, requests_):
    from playwright.sync_api import expect

    req_id = requests_["issue"]
    admin_login(page, live_server, requests_["email"])
    page.goto(f"{live_server.url}/admin/certificate-request/list")
    expect(page.locator("tbody tr").first).to_contain_text("Ожидает")
    expect(page.locator("tbody")).to_contain_text("Дана Ермекқызы")

    page.goto(f"{live_server.url}/admin/certificate-request/details/{req_id}")
    modal = page.locator("#modal-issue")
    opener = page.locator('[data-s7-open="modal-issue"]')
    notes = modal.locator("textarea[name=notes]")
    send_email = modal.locator("input[name=send_email]")
    generate = modal.locator("input[name=generate]")
    assert_dialog_closes_and_clears(page, modal, opener, notes)

    # Closing also resets the checkboxes: «Отправить на email» back to checked, «Сгенерировать» unchecked.
    opener.click()
    expect(send_email).to_be_checked()
    send_email.uncheck()
    generate.check()
    page.keyboard.press("Escape")
    expect(modal).to_be_hidden()
    opener.click()
    expect(send_email).to_be_checked()
    expect(generate).not_to_be_checked()
    preview = modal.get_by_text("Предпросмотр сгенерированного сертификата (PDF)")
    expect(preview).to_have_attribute("href", f"{live_server.url}/admin/certificate-request/preview/{req_id}")

    generate.check()
    notes.fill("Выдан на выпускном")
    with page.expect_navigation():
        modal.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("Сертификат отправлен")
    expect(modal).to_have_count(0)  # no Выдать on an issued request
    expect(page.locator('[data-s7-open="modal-revoke"]')).to_be_visible()

    req = _request(live_server, req_id)
    assert (req.status, req.notes) == ("SENT", "Выдан на выпускном")
    with live_server.db.transaction() as session:
        from sqlalchemy import select

        cert = session.scalar(select(Certificate).where(Certificate.request_id == req_id))
        assert cert.source == "GENERATED"
        mail = session.scalar(select(EmailOutbox).where(EmailOutbox.to_addr == requests_["student"]))
        assert mail is not None and mail.attachment_key == cert.file_key


def test_deny_dialog_requires_a_reason(page, live_server, requests_):
    from playwright.sync_api import expect

    req_id = requests_["deny"]
    admin_login(page, live_server, requests_["email"])
    page.goto(f"{live_server.url}/admin/certificate-request/details/{req_id}")
    modal = page.locator("#modal-deny")
    opener = page.locator('[data-s7-open="modal-deny"]')
    reason = modal.locator("textarea[name=reason]")
    assert_dialog_closes_and_clears(page, modal, opener, reason)
    opener.click()
    modal.locator("button[type=submit]").click()  # the browser refuses an empty required field
    expect(modal).to_be_visible()
    assert _request(live_server, req_id).status == "PENDING"
    reason.fill("Запрос создан по ошибке")
    with page.expect_navigation():
        modal.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("Запрос отклонён")
    req = _request(live_server, req_id)
    assert (req.status, req.denial_reason) == ("DENIED", "Запрос создан по ошибке")
