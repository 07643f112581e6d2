"""Certificates at the service layer: issue (upload / URL / generate), deny, revoke, re-issue, the state
machine, bad input that changes nothing, the hourly limit, private storage and the emails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited, ServiceError
from core.models import AuditEvent, Certificate, CertificateRequest, EmailOutbox, MediaObject, Notification
from core.services import certificate_queries as queries
from core.services import certificates
from core.services.certificates import CertificateDocument, Site
from core.services.media import FileTooLarge, UnsupportedMediaType
from core.storage import make_storage

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
SITE = Site(base_url="https://s7.example.kz", timezone="Asia/Almaty")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GENERATE = CertificateDocument(generate=True)


@pytest.fixture
def storage(settings):  # type: ignore[no-untyped-def]
    return make_storage(settings)


def _issue(session, storage, req, admin, doc=GENERATE, now=NOW):  # type: ignore[no-untyped-def]
    return certificates.issue_certificate(session, storage, request_id=req.id, actor=admin, document=doc, now=now,
                                          site=SITE)


def _snapshot(session, req):  # type: ignore[no-untyped-def]
    session.expire_all()
    row = session.get(CertificateRequest, req.id)
    counts = tuple(session.scalar(select(func.count()).select_from(model)) for model in
                   (Certificate, Notification, EmailOutbox, AuditEvent, MediaObject))
    return (row.status, row.certificate_url, row.notes, row.denial_reason, row.reviewed_by_id), counts


def test_generated_certificate_is_stored_privately_notified_emailed_and_audited(session, storage, make):
    admin = make.admin()
    req = make.certificate_request()
    _issue(session, storage, req, admin, CertificateDocument(generate=True, notes="Молодец"))
    cert = certificates.current_certificate(session, req.id)
    assert (req.status, req.issued_at, req.reviewed_by_id, req.notes) == ("SENT", NOW, admin.id, "Молодец")
    assert req.certificate_url == f"/api/certificates/{req.id}/file"
    assert cert.source == "GENERATED" and cert.student_name == "Айгерим Нурланқызы" and cert.revoked_at is None
    assert storage.read_bytes(cert.file_key, private=True).startswith(b"%PDF-")
    assert not storage.exists(cert.file_key)  # not in the public namespace: /api/media cannot serve it
    assert session.scalar(select(MediaObject).where(MediaObject.key == cert.file_key)).is_private
    [note] = session.scalars(select(Notification).where(Notification.user_id == req.user_id)).all()
    assert note.type == "CERTIFICATE_ISSUED" and "100 XP" in note.message and "Мои сертификаты" in note.message
    [mail] = session.scalars(select(EmailOutbox).where(EmailOutbox.to_addr == req.user.email)).all()
    assert mail.attachment_key == cert.file_key and mail.attachment_name == f"certificate-{cert.verification_code}.pdf"
    assert f"https://s7.example.kz/api/certificates/verify/{cert.verification_code}" in mail.body_text
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == req.id)).all()
    assert (event.action, event.actor_id, event.data["source"]) == ("certificate.issue", admin.id, "GENERATED")


def test_uploaded_pdf_and_external_url(session, storage, make):
    admin = make.admin()
    uploaded, linked = make.certificate_request(), make.certificate_request()
    _issue(session, storage, uploaded, admin, CertificateDocument(pdf=PDF, filename="Сертификат.pdf"))
    cert = certificates.current_certificate(session, uploaded.id)
    assert cert.source == "UPLOAD" and storage.read_bytes(cert.file_key, private=True) == PDF
    _issue(session, storage, linked, admin, CertificateDocument(url="https://drive.example.com/c.pdf",
                                                                send_email=True))
    cert = certificates.current_certificate(session, linked.id)
    assert (cert.source, cert.file_key, cert.external_url) == ("URL", None, "https://drive.example.com/c.pdf")
    assert linked.certificate_url == "https://drive.example.com/c.pdf"
    mail = session.scalar(select(EmailOutbox).where(EmailOutbox.to_addr == linked.user.email))
    assert mail.attachment_key is None and "https://drive.example.com/c.pdf" in mail.body_text


def test_send_email_false_writes_no_email_but_still_notifies(session, storage, make):
    req = make.certificate_request()
    _issue(session, storage, req, make.admin(), CertificateDocument(generate=True, send_email=False))
    assert session.scalar(select(func.count()).select_from(EmailOutbox)
                          .where(EmailOutbox.to_addr == req.user.email)) == 0
    assert session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == req.user_id)) == 1


def test_deny_needs_a_reason_and_uses_the_seed_text(session, storage, make):
    admin, req = make.admin(), make.certificate_request()
    for reason in ("", "   ", "я" * 2001):
        with pytest.raises(Invalid):
            certificates.deny_certificate(session, request_id=req.id, actor=admin, reason=reason, now=NOW)
    certificates.deny_certificate(session, request_id=req.id, actor=admin, reason="Повторная заявка", now=NOW)
    assert (req.status, req.denial_reason) == ("DENIED", "Повторная заявка")
    note = session.scalar(select(Notification).where(Notification.user_id == req.user_id))
    assert note.message == "Запрос на сертификат отклонен. Причина: Повторная заявка"


def test_revoke_then_verify_says_revoked_and_reissue_makes_a_new_code(session, storage, make):
    admin, req = make.admin(), make.certificate_request()
    _issue(session, storage, req, admin)
    first = certificates.current_certificate(session, req.id)
    assert queries.verify_certificate(session, code=first.verification_code).status == "VALID"
    certificates.revoke_certificate(session, request_id=req.id, actor=admin, reason="Ошибка в имени",
                                    now=NOW + timedelta(minutes=1))
    assert req.status == "REVOKED"
    found = queries.verify_certificate(session, code=first.verification_code.lower())
    assert (found.valid, found.status, found.revoked_at) == (False, "REVOKED", NOW + timedelta(minutes=1))
    assert session.scalar(select(Notification).where(Notification.type == "CERTIFICATE_REVOKED",
                                                     Notification.user_id == req.user_id)) is not None
    with pytest.raises(NotFound):  # the owner can no longer download it
        queries.certificate_file(session, actor=req.user, request_id=req.id)

    certificates.reissue_certificate(session, storage, request_id=req.id, actor=admin, document=GENERATE,
                                     now=NOW + timedelta(minutes=2), site=SITE)
    second = certificates.current_certificate(session, req.id)
    assert second.id != first.id and second.verification_code != first.verification_code
    assert req.status == "SENT" and queries.verify_certificate(session, code=second.verification_code).valid
    assert queries.certificate_file(session, actor=req.user, request_id=req.id).key == second.file_key

    # Re-issuing a valid certificate revokes the one it replaces.
    certificates.reissue_certificate(session, storage, request_id=req.id, actor=admin, document=GENERATE,
                                     now=NOW + timedelta(minutes=3), site=SITE)
    session.refresh(second)
    assert second.revoke_reason == "Сертификат перевыпущен"
    assert queries.verify_certificate(session, code=second.verification_code).status == "REVOKED"


ACTIONS = ("issue", "deny", "revoke", "reissue")
# status → the actions allowed from it and the status each leads to; everything else is a 409.
ALLOWED = {"PENDING": {"issue": "SENT", "deny": "DENIED"},
           "SENT": {"revoke": "REVOKED", "reissue": "SENT"},
           "DENIED": {},
           "REVOKED": {"reissue": "SENT"}}


def _bring_to(session, storage, admin, req, status):  # type: ignore[no-untyped-def]
    if status in ("SENT", "REVOKED"):
        _issue(session, storage, req, admin)
    if status == "REVOKED":
        certificates.revoke_certificate(session, request_id=req.id, actor=admin, reason="тест", now=NOW)
    if status == "DENIED":
        certificates.deny_certificate(session, request_id=req.id, actor=admin, reason="тест", now=NOW)


def _act(session, storage, admin, req, action):  # type: ignore[no-untyped-def]
    if action == "issue":
        return _issue(session, storage, req, admin)
    if action == "reissue":
        return certificates.reissue_certificate(session, storage, request_id=req.id, actor=admin, document=GENERATE,
                                                now=NOW, site=SITE)
    fn = certificates.deny_certificate if action == "deny" else certificates.revoke_certificate
    return fn(session, request_id=req.id, actor=admin, reason="причина", now=NOW)


@pytest.mark.parametrize("status", list(ALLOWED))
@pytest.mark.parametrize("action", ACTIONS)
def test_status_action_table(session, storage, make, status, action):
    admin, req = make.admin(), make.certificate_request()
    _bring_to(session, storage, admin, req, status)
    assert req.status == status
    expected = ALLOWED[status].get(action)
    if expected is None:
        before = _snapshot(session, req)
        with pytest.raises(Conflict) as caught:
            _act(session, storage, admin, req, action)
        assert caught.value.details == {"status": status} and caught.value.message
        assert _snapshot(session, req) == before
    else:
        assert _act(session, storage, admin, req, action).status == expected


BAD_DOCUMENTS = [
    (CertificateDocument(), Invalid, "certificate_source_required"),
    (CertificateDocument(generate=True, url="https://x.kz/c.pdf"), Invalid, "certificate_source_required"),
    (CertificateDocument(pdf=PDF, generate=True), Invalid, "certificate_source_required"),
    (CertificateDocument(pdf=b""), Invalid, "empty_file"),
    (CertificateDocument(pdf=b"\x89PNG\r\n\x1a\n" + b"0" * 100, filename="fake.pdf"), UnsupportedMediaType,
     "unsupported_media_type"),
    (CertificateDocument(pdf=b"MZ this is an exe renamed to .pdf", filename="c.pdf"), UnsupportedMediaType,
     "unsupported_media_type"),
    (CertificateDocument(pdf=b"%PDF-" + b"0" * certificates.MAX_PDF_BYTES), FileTooLarge, "file_too_large"),
    (CertificateDocument(url="javascript:alert(1)"), Invalid, "validation_error"),
    (CertificateDocument(url="https://x.kz/" + "a" * 500), Invalid, "validation_error"),
    (CertificateDocument(generate=True, notes="я" * 2001), Invalid, "validation_error"),
]


@pytest.mark.parametrize(("doc", "error", "code"), BAD_DOCUMENTS)
def test_bad_documents_are_refused_in_russian_and_change_nothing(session, storage, make, doc, error, code):
    admin, req = make.admin(), make.certificate_request()
    before = _snapshot(session, req)
    with pytest.raises(error) as caught:
        _issue(session, storage, req, admin, doc)
    assert caught.value.code == code
    assert any("а" <= ch <= "я" for ch in caught.value.message.lower())
    assert _snapshot(session, req) == before
    assert list(storage.iter_keys(private=True)) == []


def test_only_admins_decide(session, storage, make):
    req = make.certificate_request()
    for actor in (req.user, make.support(), make.student()):
        with pytest.raises(Forbidden):
            _issue(session, storage, req, actor)
        with pytest.raises(Forbidden):
            certificates.deny_certificate(session, request_id=req.id, actor=actor, reason="x", now=NOW)
    with pytest.raises(ServiceError) as caught:
        _issue(session, storage, req, None)
    assert caught.value.http_status == 401
    with pytest.raises(NotFound):
        certificates.deny_certificate(session, request_id="nope", actor=make.admin(), reason="x", now=NOW)


def test_fifty_issuances_per_admin_per_hour(session, storage, make):
    admin, other = make.admin(), make.admin()
    user = make.student()
    reqs = [make.certificate_request(user, threshold_xp=100 + i) for i in range(52)]
    doc = CertificateDocument(url="https://x.kz/c.pdf", send_email=False)
    for i, req in enumerate(reqs[:50]):
        _issue(session, storage, req, admin, doc, now=NOW + timedelta(seconds=i))
    with pytest.raises(RateLimited) as caught:
        _issue(session, storage, reqs[50], admin, doc, now=NOW + timedelta(minutes=30))
    assert caught.value.retry_after > 0 and reqs[50].status == "PENDING"
    _issue(session, storage, reqs[50], other, doc, now=NOW + timedelta(minutes=30))  # per admin
    _issue(session, storage, reqs[51], admin, doc, now=NOW + timedelta(hours=1, seconds=1))  # window slid


def test_file_access_owner_or_admin_only(session, storage, make):
    admin, req = make.admin(), make.certificate_request()
    with pytest.raises(NotFound):  # nothing issued yet
        queries.certificate_file(session, actor=req.user, request_id=req.id)
    _issue(session, storage, req, admin)
    assert queries.certificate_file(session, actor=req.user, request_id=req.id).key is not None
    assert queries.certificate_file(session, actor=admin, request_id=req.id).key is not None
    for stranger in (make.student(), make.support()):
        with pytest.raises(NotFound):
            queries.certificate_file(session, actor=stranger, request_id=req.id)


def test_my_lists_newest_first_with_links_only_for_sent(session, storage, make, count_queries):
    admin, user = make.admin(), make.student()
    old = make.certificate_request(user, threshold_xp=100, created_at=NOW - timedelta(days=2))
    new = make.certificate_request(user, threshold_xp=500, created_at=NOW - timedelta(days=1))
    _issue(session, storage, old, admin)
    with count_queries() as n:
        rows, total = queries.list_my(session, actor=user, page=queries.Page())
    assert n() <= 3
    assert total == 2 and [r.request.id for r in rows] == [new.id, old.id]
    assert rows[0].certificate is None and rows[1].certificate is not None


def test_pending_queue_is_admin_only_oldest_first(session, make, count_queries):
    admin = make.admin()
    first = make.certificate_request(created_at=NOW - timedelta(hours=2))
    second = make.certificate_request(created_at=NOW - timedelta(hours=1))
    with count_queries() as n:
        rows, total = queries.list_pending(session, actor=admin, page=queries.Page(limit=100))
    assert n() <= 3
    ids = [r.id for r in rows]
    assert ids.index(first.id) < ids.index(second.id)
    with pytest.raises(Forbidden):
        queries.list_pending(session, actor=make.support(), page=queries.Page())


def test_verify_unknown_or_malformed_code_is_404(session):
    for code in ("", "ABC", "A" * 33, "../../etc", "ЖЖЖЖЖЖЖЖЖЖ", "ABCDEFGHJKLMNPQR"):
        with pytest.raises(NotFound):
            queries.verify_certificate(session, code=code)


def test_certificate_names_the_club_and_the_course_the_xp_came_from(session, storage, make):
    from tests.factories_clubs import make_club
    from tests.factories_learning import make_course

    admin = make.admin()
    club = make_club(session, title="Юные инженеры")
    course = make_course(session, title="Основы робототехники")
    req = make.certificate_request(kruzhok_id=club.id, course_id=course.id)
    _issue(session, storage, req, admin)
    cert = certificates.current_certificate(session, req.id)
    assert cert.subject == "Кружок «Юные инженеры», Курс «Основы робототехники»"
    only_course = make.certificate_request(course_id=course.id)
    assert certificates.subject_of(only_course) == "Курс «Основы робототехники»"
    assert certificates.subject_of(make.certificate_request()) is None
