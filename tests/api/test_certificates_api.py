"""Certificates over HTTP: the admin queue, issue (multipart PDF / URL / generate), deny, revoke, preview,
my, download, verify — and the bad inputs, each a clear Russian error with nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import Certificate, CertificateRequest, EmailOutbox
from core.services import certificates
from tests.factories import token_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def admin_h(app, make):  # type: ignore[no-untyped-def]
    return token_for(app, make.admin())


def _issue(client, headers, req_id, *, files=None, data=None, json=None):  # type: ignore[no-untyped-def]
    if json is not None:
        return client.post(f"/api/certificates/{req_id}/issue", headers=headers, json=json)
    return client.post(f"/api/certificates/{req_id}/issue", headers=headers, files=files or {}, data=data or {})


def _state(session, req_id):  # type: ignore[no-untyped-def]
    session.expire_all()
    req = session.get(CertificateRequest, req_id)
    return (req.status, req.certificate_url,
            session.scalar(select(func.count()).select_from(Certificate).where(Certificate.request_id == req_id)),
            session.scalar(select(func.count()).select_from(EmailOutbox)))


def test_pending_queue_is_for_admins_with_card_data(app, client, make, admin_h):
    club = make.club(title="Робототехника")
    req = make.certificate_request(kruzhok_id=club.id)
    body = client.get("/api/certificates/pending?limit=100", headers=admin_h).json()
    item = next(i for i in body["items"] if i["id"] == req.id)
    assert item["user"]["fullName"] == "Айгерим Нурланқызы" and item["user"]["email"] == req.user.email
    assert (item["totalXp"], item["thresholdXp"], item["status"]) == (110, 100, "PENDING")
    assert item["kruzhok"]["title"] == "Робототехника" and item["subject"] == "Кружок «Робототехника»"
    assert item["taskDescription"] and item["createdAt"]
    assert client.get("/api/certificates/pending").status_code == 401
    r = client.get("/api/certificates/pending", headers=token_for(app, make.support()))
    assert r.status_code == 403 and r.json()["error"]["message"] == "Действие доступно только администратору"


def test_upload_issue_then_my_download_and_verify(app, client, make, admin_h, session):
    req = make.certificate_request()
    owner = token_for(app, req.user)
    r = _issue(client, admin_h, req.id, files={"file": ("Сертификат.pdf", PDF, "application/pdf")},
               data={"notes": "Вручить на выпускном", "sendEmail": "false"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "SENT" and out["downloadUrl"] == f"/api/certificates/{req.id}/file"
    assert out["verificationUrl"].endswith(f"/api/certificates/verify/{out['verificationCode']}")
    assert session.scalar(select(func.count()).select_from(EmailOutbox)
                          .where(EmailOutbox.to_addr == req.user.email)) == 0

    [mine] = client.get("/api/certificates/my", headers=owner).json()["items"]
    assert mine["id"] == req.id and mine["title"] == "Сертификат за 100 XP" and mine["issuedAt"]
    download = client.get(mine["downloadUrl"], headers=owner)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    assert client.get(mine["downloadUrl"], headers=admin_h).content == PDF
    for other in (token_for(app, make.student()), token_for(app, make.support())):
        r = client.get(mine["downloadUrl"], headers=other)
        assert r.status_code == 404 and r.json()["error"]["message"] == "Сертификат не найден"
    assert client.get(mine["downloadUrl"]).status_code == 401

    # Never reachable through the public media route, even with its key.
    key = session.scalar(select(Certificate.file_key).where(Certificate.request_id == req.id))
    for path in (f"/api/media/{key}", f"/media/{key}"):
        assert client.get(path).status_code == 404

    v = client.get(f"/api/certificates/verify/{out['verificationCode']}").json()
    assert v == {"valid": True, "status": "VALID", "studentName": "Айгерим Нурланқызы",
                 "achievement": "за достижение 100 XP на платформе S7 Robotics", "subject": None,
                 "issuedAt": v["issuedAt"], "revokedAt": None}


def test_generate_by_json_and_by_form_field(client, make, admin_h):
    by_json, by_form = make.certificate_request(), make.certificate_request()
    r = _issue(client, admin_h, by_json.id, json={"generate": True})
    assert r.status_code == 200, r.text
    r = _issue(client, admin_h, by_form.id, data={"generate": "true"}, files={"unused": ("", b"")})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "unused"
    r = client.post(f"/api/certificates/{by_form.id}/issue", headers=admin_h,
                    files={"generate": (None, "true")})
    assert r.status_code == 200, r.text


def test_url_issue(client, make, admin_h):
    req = make.certificate_request()
    r = _issue(client, admin_h, req.id, json={"certificateUrl": "https://drive.example.com/c.pdf"})
    assert r.status_code == 200 and r.json()["downloadUrl"] == f"/api/certificates/{req.id}/file"
    owner = token_for(client.app, req.user)
    r = client.get(f"/api/certificates/{req.id}/file", headers=owner, follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == "https://drive.example.com/c.pdf"


BAD = [
    ({"files": {"file": ("c.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 200, "application/pdf")}}, 415,
     "unsupported_media_type", "Файл сертификата должен быть в формате PDF"),
    ({"files": {"file": ("c.pdf", b"MZ\x90\x00 windows exe renamed", "application/pdf")}}, 415,
     "unsupported_media_type", "Файл сертификата должен быть в формате PDF"),
    ({"files": {"file": ("c.pdf", b"", "application/pdf")}}, 422, "empty_file", "Файл пустой"),
    ({"json": {}}, 422, "certificate_source_required", None),
    ({"json": {"generate": True, "certificateUrl": "https://x.kz/a.pdf"}}, 422, "certificate_source_required", None),
    ({"json": {"certificateUrl": "ftp://x.kz/a.pdf"}}, 422, "validation_error", None),
    ({"json": {"generate": "может быть"}}, 422, "validation_error", "Ожидается true или false"),
    ({"json": {"generate": True, "amount": 1}}, 422, "validation_error", "Неизвестное поле"),
    ({"json": {"generate": True, "notes": "a\x00b"}}, 422, "validation_error", None),
    ({"json": ["generate"]}, 422, "invalid_json", None),
]


@pytest.mark.parametrize(("kwargs", "status", "code", "message"), BAD)
def test_bad_issue_input_changes_nothing(client, make, admin_h, session, kwargs, status, code, message):
    req = make.certificate_request()
    before = _state(session, req.id)
    r = _issue(client, admin_h, req.id, **kwargs)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code and any("а" <= ch <= "я" for ch in error["message"].lower())
    if message:
        assert message in error["message"] or message in str(error["details"])
    assert _state(session, req.id) == before


def test_oversized_upload_is_413_before_reading(client, make, admin_h, session):
    req = make.certificate_request()
    big = b"%PDF-1.4\n" + b"0" * (certificates.MAX_PDF_BYTES + 1)
    r = _issue(client, admin_h, req.id, files={"file": ("big.pdf", big, "application/pdf")})
    assert r.status_code == 413 and r.json()["error"]["code"] == "file_too_large"
    assert _state(session, req.id)[0] == "PENDING"


def test_non_admins_cannot_issue_deny_revoke_or_preview(app, client, make):
    req = make.certificate_request()
    for headers in ({}, token_for(app, req.user), token_for(app, make.support())):
        expected = 401 if not headers else 403
        assert _issue(client, headers, req.id, json={"generate": True}).status_code == expected
        assert client.post(f"/api/certificates/{req.id}/deny", headers=headers,
                           json={"reason": "x"}).status_code == expected
        assert client.post(f"/api/certificates/{req.id}/revoke", headers=headers,
                           json={"reason": "x"}).status_code == expected
        assert client.get(f"/api/certificates/{req.id}/preview", headers=headers).status_code == expected
    assert _issue(client, {}, "a%00b", json={"generate": True}).status_code == 401


def test_nul_in_the_path_is_a_422_not_a_500(client, admin_h):
    assert _issue(client, admin_h, "a%00b", json={"generate": True}).status_code == 422
    assert client.get("/api/certificates/a%00b/file", headers=admin_h).status_code == 422


def test_issue_twice_and_deny_after_issue_are_conflicts(client, make, admin_h):
    req = make.certificate_request()
    assert _issue(client, admin_h, req.id, json={"generate": True}).status_code == 200
    again = _issue(client, admin_h, req.id, json={"generate": True})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_pending"
    deny = client.post(f"/api/certificates/{req.id}/deny", headers=admin_h, json={"reason": "поздно"})
    assert deny.status_code == 409 and deny.json()["error"]["details"] == {"status": "SENT"}
    assert _issue(client, admin_h, "no-such-id", json={"generate": True}).status_code == 404


def test_deny_then_my_shows_the_reason(app, client, make, admin_h):
    req = make.certificate_request()
    r = client.post(f"/api/certificates/{req.id}/deny", headers=admin_h, json={"reason": "Дубликат запроса"})
    assert r.status_code == 200 and r.json()["status"] == "DENIED"
    assert client.post(f"/api/certificates/{req.id}/deny", headers=admin_h, json={"reason": "ещё"}).status_code == 409
    [mine] = client.get("/api/certificates/my", headers=token_for(app, req.user)).json()["items"]
    assert (mine["status"], mine["denialReason"], mine["downloadUrl"]) == ("DENIED", "Дубликат запроса", None)


def test_deny_without_reason_is_422(client, make, admin_h):
    req = make.certificate_request()
    r = client.post(f"/api/certificates/{req.id}/deny", headers=admin_h, json={"reason": "  "})
    assert r.status_code == 422 and r.json()["error"]["message"] == "Заполните поле «Причина»"


def test_revoke_and_reissue_over_http(app, client, make, admin_h):
    req = make.certificate_request()
    code = _issue(client, admin_h, req.id, json={"generate": True}).json()["verificationCode"]
    r = client.post(f"/api/certificates/{req.id}/revoke", headers=admin_h, json={"reason": "Ошибка в имени"})
    assert r.status_code == 200 and r.json()["status"] == "REVOKED" and r.json()["revokeReason"] == "Ошибка в имени"
    v = client.get(f"/api/certificates/verify/{code}").json()
    assert (v["valid"], v["status"]) == (False, "REVOKED") and v["revokedAt"]
    r = client.post(f"/api/certificates/{req.id}/reissue", headers=admin_h, json={"generate": True})
    assert r.status_code == 200 and r.json()["status"] == "SENT" and r.json()["verificationCode"] != code


def test_preview_is_a_sample_pdf_and_stores_nothing(client, make, admin_h, session):
    req = make.certificate_request()
    r = client.get(f"/api/certificates/{req.id}/preview", headers=admin_h)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert r.headers["content-type"] == "application/pdf"
    assert _state(session, req.id)[:3] == ("PENDING", None, 0)


def test_verify_is_public_and_404_for_unknown(client):
    r = client.get("/api/certificates/verify/ABCDEFGHJKLMNPQR")
    assert r.status_code == 404 and r.json()["error"]["message"] == "Сертификат не найден"
    assert client.get("/api/certificates/verify/%00%00").status_code in (404, 422)


def test_routes_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/certificates/pending", "/api/certificates/my", "/api/certificates/{request_id}/issue",
                 "/api/certificates/{request_id}/deny", "/api/certificates/{request_id}/file",
                 "/api/certificates/verify/{code}"):
        assert path in paths, path


def test_a_3_mb_pdf_passes_the_body_limit(client, make, admin_h):
    req = make.certificate_request()
    big = PDF + b"%" + b"0" * (3 * 1024 * 1024)
    r = _issue(client, admin_h, req.id, files={"file": ("big.pdf", big, "application/pdf")})
    assert r.status_code == 200, r.text
