"""Back-office Сертификаты: pending first with the card data; Выдать / Отклонить / Отозвать through the same
services (CSRF), Russian errors with nothing changed, preview and file links, SUPPORT read-only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.clock import utcnow
from core.models import Certificate, CertificateRequest, EmailOutbox
from tests.admin.helpers import ORIGIN, csrf_of, login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
URL = "/admin/certificate-request/form-action/{}"


def _post(client, action, data, files=None):  # type: ignore[no-untyped-def]
    token = csrf_of(client)
    return client.post(URL.format(action), data={"csrf_token": token, **data}, files=files, headers=ORIGIN,
                       follow_redirects=True)


def _status(session, req_id):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(CertificateRequest, req_id).status


def test_list_shows_pending_first_with_the_card_data(client, make, session):
    login(client, make.admin())
    club = make.club(title="Юные инженеры")
    done = make.certificate_request(created_at=utcnow() + timedelta(hours=1), status="DENIED",
                                    task_description="Старый запрос")
    student = make.student(full_name="Дана Ермекқызы", experience_points=130)
    pending = make.certificate_request(student, kruzhok_id=club.id, total_xp=120,
                                       task_description="Посещение занятий кружка")
    page = client.get("/admin/certificate-request/list").text
    assert page.index(pending.task_description) < page.index(done.task_description)
    for text in ("Дана Ермекқызы", student.email, "XP сейчас: 130", "120", "Юные инженеры", "Ожидает",
                 "Отклонён", "Посещение занятий кружка"):
        assert text in page, text


def test_list_runs_a_bounded_number_of_queries(client, make, count_queries):
    login(client, make.admin())
    make.certificate_request(kruzhok_id=make.club().id)
    with count_queries() as few:
        client.get("/admin/certificate-request/list")
    for _ in range(5):
        make.certificate_request(kruzhok_id=make.club().id)
    with count_queries() as many:
        client.get("/admin/certificate-request/list")
    assert many() == few()


def test_issue_generated_with_email(client, make, session):
    login(client, make.admin())
    req = make.certificate_request()
    r = _post(client, "issue", {"pks": req.id, "generate": "on", "send_email": "on", "notes": "  ",
                                "certificate_url": ""}, files={"file": ("", b"", "application/octet-stream")})
    assert r.status_code == 200 and "Сертификат отправлен" in r.text
    assert _status(session, req.id) == "SENT"
    mail = session.scalar(select(EmailOutbox).where(EmailOutbox.to_addr == req.user.email))
    assert mail.attachment_key and mail.attachment_name.endswith(".pdf")


def test_issue_upload_without_email(client, make, session):
    login(client, make.admin())
    req = make.certificate_request()
    r = _post(client, "issue", {"pks": req.id}, files={"file": ("Сертификат.pdf", PDF, "application/pdf")})
    assert "Сертификат отправлен" in r.text and _status(session, req.id) == "SENT"
    assert session.scalar(select(func.count()).select_from(EmailOutbox)
                          .where(EmailOutbox.to_addr == req.user.email)) == 0
    cert = session.scalar(select(Certificate).where(Certificate.request_id == req.id))
    assert cert.source == "UPLOAD"
    download = client.get(f"/admin/certificate-request/file/{req.id}")
    assert download.status_code == 200 and download.content == PDF


def test_bad_input_is_flashed_in_russian_and_changes_nothing(client, make, session):
    login(client, make.admin())
    req = make.certificate_request()
    cases = [
        ({"pks": req.id}, None, "Выберите один способ"),
        ({"pks": req.id, "generate": "on"}, {"file": ("c.pdf", PDF, "application/pdf")}, "Выберите один способ"),
        ({"pks": req.id}, {"file": ("c.pdf", b"GIF89a not a pdf", "application/pdf")}, "в формате PDF"),
        ({"pks": req.id, "certificate_url": "javascript:alert(1)"}, None, "http:// или https://"),
        ({"pks": req.id, "generate": "on", "notes": "a\x00b"}, None, "«Заметка»"),
        ({"pks": req.id, "generate": "on", "notes": "я" * 2001}, None, "не длиннее 2000 символов"),
    ]
    for data, files, message in cases:
        r = _post(client, "issue", data, files=files)
        assert r.status_code == 200 and message in r.text, message
        assert _status(session, req.id) == "PENDING"
    r = _post(client, "deny", {"pks": req.id, "reason": "   "})
    assert "Заполните поле «Причина отклонения»" in r.text and _status(session, req.id) == "PENDING"
    r = _post(client, "deny", {"pks": "abc\x00", "reason": "Дубль"})
    assert "Запрос на сертификат не найден" in r.text and _status(session, req.id) == "PENDING"
    assert session.scalar(select(func.count()).select_from(Certificate).where(Certificate.request_id == req.id)) == 0


def test_deny_then_issue_is_refused(client, make, session):
    login(client, make.admin())
    req = make.certificate_request()
    assert "Запрос отклонён" in _post(client, "deny", {"pks": req.id, "reason": "Дубликат"}).text
    r = _post(client, "issue", {"pks": req.id, "generate": "on"})
    assert "Запрос уже обработан" in r.text and _status(session, req.id) == "DENIED"


def test_revoke_and_buttons_follow_the_status(client, make, session):
    login(client, make.admin())
    req = make.certificate_request()
    details = f"/admin/certificate-request/details/{req.id}"
    page = client.get(details).text
    assert 'data-s7-open="modal-issue"' in page and 'data-s7-open="modal-deny"' in page
    assert 'data-s7-open="modal-revoke"' not in page
    assert f"/admin/certificate-request/preview/{req.id}" in page
    _post(client, "issue", {"pks": req.id, "generate": "on"})
    page = client.get(details).text
    assert 'data-s7-open="modal-revoke"' in page and 'data-s7-open="modal-issue"' not in page
    assert "Сертификат отозван" in _post(client, "revoke", {"pks": req.id, "reason": "Ошибка в имени"}).text
    assert _status(session, req.id) == "REVOKED"
    page = client.get(details).text
    assert 'data-s7-open="modal-reissue"' in page and 'data-s7-open="modal-revoke"' not in page


def test_preview_is_a_pdf_for_admins(client, make, session):
    login(client, make.admin())
    req = make.certificate_request()
    r = client.get(f"/admin/certificate-request/preview/{req.id}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert r.headers["content-type"] == "application/pdf"
    assert client.get("/admin/certificate-request/preview/nope").status_code == 404


def test_support_reads_but_cannot_act(client, make, session):
    login(client, make.support())
    req = make.certificate_request()
    assert client.get("/admin/certificate-request/list").status_code == 200
    page = client.get(f"/admin/certificate-request/details/{req.id}").text
    assert "data-s7-open=\"modal-" not in page
    token = csrf_of(client)
    r = client.post(URL.format("issue"), data={"csrf_token": token, "pks": req.id, "generate": "on"},
                    headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 403 and _status(session, req.id) == "PENDING"
    assert client.get(f"/admin/certificate-request/preview/{req.id}").status_code == 403


def test_a_pdf_larger_than_the_default_body_limit_can_be_uploaded(client, make, session):
    """The back-office form takes certificate PDFs up to 10 MB (MAX_BODY_BYTES is 1 MiB elsewhere)."""
    login(client, make.admin())
    req = make.certificate_request()
    big = PDF + b"%" + b"0" * (3 * 1024 * 1024)
    r = _post(client, "issue", {"pks": req.id}, files={"file": ("big.pdf", big, "application/pdf")})
    assert "Сертификат отправлен" in r.text and _status(session, req.id) == "SENT"
