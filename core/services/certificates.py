"""Certificates: an admin issues (upload / URL / generated PDF), denies, revokes or re-issues a request.

    issue_certificate    PENDING → SENT            a new Certificate; the student notified (+ emailed)
    deny_certificate     PENDING → DENIED          reason required; the student notified and emailed
    revoke_certificate   SENT → REVOKED            reason required; verification then says "revoked"
    reissue_certificate  SENT | REVOKED → SENT     a new Certificate; the previous one revoked

Anything else is 409 (`not_pending`, `not_sent`, `not_reissuable`). The request row is locked first
(`SELECT … FOR UPDATE`; SQLite's BEGIN IMMEDIATE), so two admins clicking at once decide it once.
Issuing counts against 50 issuances per admin per hour. Certificate files live in PRIVATE storage
(never reachable through /api/media); a file stored for a call that then fails is deleted again.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import local_date
from core.errors import Conflict, ErrorCode, NotFound, field_error
from core.models import (
    AuditAction,
    Certificate,
    CertificateRequest,
    CertificateSource,
    CertificateStatus,
    NotificationType,
    User,
)
from core.services import audit, media, notifications, outbox, ratelimit
from core.services import certificate_texts as texts
from core.services.certificate_pdf import CertificateContent, render_certificate
from core.services.clean import LINE_REFUSED, SPACES, char_class, clean_text, get_row, trimmed_pattern
from core.services.media_sniff import sniff
from core.services.permissions import require_admin
from core.storage.base import Storage

MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_TEXT = 2000
MAX_URL = 500
# A certificate link as `_clean_document` accepts it (blank: no link), for the API schema.
URL_PATTERN = trimmed_pattern(f"(?:https?://{char_class(SPACES | LINE_REFUSED, negate=True)}*)?")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from paper
CODE_LENGTH = 16


@dataclass(frozen=True)
class CertificateDocument:
    """What the admin gives: exactly one of an uploaded PDF, an external URL, or `generate`."""

    pdf: bytes | None = None
    filename: str | None = None
    url: str | None = None
    generate: bool = False
    notes: str | None = None
    send_email: bool = True


@dataclass(frozen=True)
class Site:
    """Where verification links point and which timezone dates are printed in."""

    base_url: str = "http://localhost:8000"
    timezone: str = "Asia/Almaty"

    def verify_url(self, code: str) -> str:
        return f"{self.base_url.rstrip('/')}/api/certificates/verify/{code}"


def file_path(request_id: str) -> str:
    return f"/api/certificates/{request_id}/file"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def subject_of(req: CertificateRequest) -> str | None:
    """The club and/or course the XP came from, as printed on the certificate."""
    parts = ([f"Кружок «{req.kruzhok.title}»"] if req.kruzhok is not None else []) + (
        [f"Курс «{req.course.title}»"] if req.course is not None else [])
    return ", ".join(parts)[:300] or None  # Certificate.subject is 300 characters


def get_request(session: Session, request_id: str | None) -> CertificateRequest | None:
    """The request for an id from user input (None for an empty, over-long or unstorable id)."""
    return get_row(session, CertificateRequest, request_id)


def _clean_reason(value: str | None) -> str:
    text = clean_text(value, field="reason", label="Причина", max_length=MAX_TEXT, multiline=True)
    assert text is not None
    return text


def _clean_notes(value: str | None) -> str | None:
    return clean_text(value, field="notes", label="Заметка", max_length=MAX_TEXT, required=False, multiline=True)


def _clean_document(doc: CertificateDocument) -> tuple[CertificateSource, str | None]:
    """Validate the document choice; returns (source, clean URL)."""
    url = (doc.url or "").strip()
    given = [doc.pdf is not None, bool(url), doc.generate]
    if sum(given) != 1:
        raise field_error("certificate", texts.ONE_SOURCE, code=ErrorCode.CERTIFICATE_SOURCE_REQUIRED)
    _clean_notes(doc.notes)
    if doc.pdf is not None:
        if not doc.pdf:
            raise field_error("file", texts.EMPTY_FILE, code=ErrorCode.EMPTY_FILE)
        if len(doc.pdf) > MAX_PDF_BYTES:
            raise media.FileTooLarge(f"Файл сертификата больше {MAX_PDF_BYTES // (1024 * 1024)} МБ",
                                     details={"maxBytes": MAX_PDF_BYTES})
        if sniff(doc.pdf[:4096]) != "pdf":
            raise media.UnsupportedMediaType(texts.NOT_PDF, details={"field": "file"})
        return CertificateSource.UPLOAD, None
    if url:
        url = clean_text(url, field="certificateUrl", label="Ссылка на сертификат", max_length=MAX_URL) or ""
        if not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
            raise field_error("certificateUrl", texts.BAD_URL)
        return CertificateSource.URL, url
    return CertificateSource.GENERATED, None


def _locked(session: Session, request_id: str) -> CertificateRequest:
    if get_request(session, request_id) is None:  # also refuses ids PostgreSQL cannot take
        raise NotFound(texts.NOT_FOUND)
    req = session.scalar(select(CertificateRequest).where(CertificateRequest.id == request_id)
                         .with_for_update().execution_options(populate_existing=True))
    if req is None:
        raise NotFound(texts.NOT_FOUND)
    return req


def _require_status(req: CertificateRequest, allowed: tuple[CertificateStatus, ...], message: str,
                    code: ErrorCode) -> None:
    if req.status not in allowed:
        raise Conflict(message, code=code, details={"status": req.status})


def current_certificate(session: Session, request_id: str) -> Certificate | None:
    """The newest certificate issued for a request (revoked or not)."""
    return session.scalar(select(Certificate).where(Certificate.request_id == request_id)
                          .order_by(Certificate.issued_at.desc(), Certificate.created_at.desc()).limit(1))


def content_for(req: CertificateRequest, *, verification_code: str, site: Site, now: datetime,
                sample: bool = False) -> CertificateContent:
    code = verification_code
    return CertificateContent(student_name=req.user.full_name, achievement=texts.achievement(req),
                              task=req.task_description, subject=subject_of(req),
                              issued_on=local_date(now, site.timezone), code=code,
                              verify_url=site.verify_url(code), sample=sample)


def _store_pdf(session: Session, storage: Storage, data: bytes, *, name: str, actor: User, now: datetime) -> str:
    row = media.store_upload(session, storage, stream=[data], filename=name, declared_type="application/pdf",
                             actor=actor, now=now, max_bytes=MAX_PDF_BYTES, private=True)
    return row.key


def _write_certificate(session: Session, storage: Storage, req: CertificateRequest, doc: CertificateDocument, *,
                       source: CertificateSource, url: str | None, actor: User, now: datetime, site: Site,
                       cleanup: list[str]) -> Certificate:
    code = new_code()
    key: str | None = None
    if source is CertificateSource.GENERATED:
        pdf = render_certificate(content_for(req, verification_code=code, site=site, now=now))
        key = _store_pdf(session, storage, pdf, name=f"certificate-{code}.pdf", actor=actor, now=now)
    elif source is CertificateSource.UPLOAD:
        assert doc.pdf is not None
        key = _store_pdf(session, storage, doc.pdf, name=(doc.filename or "certificate.pdf")[:200], actor=actor,
                         now=now)
    if key is not None:
        cleanup.append(key)
    cert = Certificate(request_id=req.id, user_id=req.user_id, source=source, file_key=key, external_url=url,
                       verification_code=code, student_name=req.user.full_name[:200],
                       achievement=texts.achievement(req), subject=subject_of(req), issued_at=now,
                       issued_by_id=actor.id, created_at=now)
    session.add(cert)
    req.status, req.issued_at, req.reviewed_by_id = CertificateStatus.SENT, now, actor.id
    req.certificate_url = url or file_path(req.id)
    notes = _clean_notes(doc.notes)
    if notes is not None:
        req.notes = notes
    session.flush()
    user = req.user
    notifications.notify(session, user_id=user.id, type=NotificationType.CERTIFICATE_ISSUED,
                         title="Сертификат выдан", message=texts.issued_message(req), link=texts.MY_LINK, now=now,
                         meta={"certificateRequestId": req.id, "certificateId": cert.id})
    if doc.send_email:
        subject, body = texts.issued_email(name=user.full_name, req=req, verify_url=site.verify_url(code), link=url)
        outbox.enqueue_email(session, to=user.email, subject=subject, body_text=body, now=now, attachment_key=key,
                             attachment_name=f"certificate-{code}.pdf" if key else None)
    return cert


def _issuing(session: Session, storage: Storage, *, request_id: str, actor: User | None,
             doc: CertificateDocument, now: datetime, site: Site,
             check: Callable[[CertificateRequest], None], action: AuditAction) -> CertificateRequest:
    admin = require_admin(actor)
    source, url = _clean_document(doc)  # bad input is refused before anything is counted or locked
    ratelimit.hit(session, "certificate_issue", admin.id, now=now)
    req = _locked(session, request_id)
    check(req)
    previous = current_certificate(session, req.id) if req.status != CertificateStatus.PENDING else None
    stored: list[str] = []
    try:
        if previous is not None and previous.revoked_at is None:
            previous.revoked_at, previous.revoked_by_id = now, admin.id
            previous.revoke_reason = texts.REISSUED_REASON
        cert = _write_certificate(session, storage, req, doc, source=source, url=url, actor=admin, now=now,
                                  site=site, cleanup=stored)
        audit.record(session, actor=admin, action=action, entity="certificate_request", entity_id=req.id, now=now,
                     data={"certificateId": cert.id, "source": cert.source, "code": cert.verification_code,
                           "sendEmail": doc.send_email,
                           "replaced": previous.id if previous is not None else None})
        session.flush()
    except BaseException:
        for key in stored:
            storage.delete(key, private=True)
        raise
    return req


def issue_certificate(session: Session, storage: Storage, *, request_id: str, actor: User | None,
                      document: CertificateDocument, now: datetime, site: Site = Site()) -> CertificateRequest:
    """PENDING → SENT. 422/413/415 bad document, 429 over 50 an hour, 409 `not_pending`."""
    def check(req: CertificateRequest) -> None:
        _require_status(req, (CertificateStatus.PENDING,), texts.NOT_PENDING, ErrorCode.NOT_PENDING)

    return _issuing(session, storage, request_id=request_id, actor=actor, doc=document, now=now, site=site,
                    check=check, action=AuditAction.CERTIFICATE_ISSUE)


def reissue_certificate(session: Session, storage: Storage, *, request_id: str, actor: User | None,
                        document: CertificateDocument, now: datetime, site: Site = Site()) -> CertificateRequest:
    """SENT | REVOKED → SENT with a new certificate; the previous one is revoked. 409 `not_reissuable`."""
    def check(req: CertificateRequest) -> None:
        _require_status(req, (CertificateStatus.SENT, CertificateStatus.REVOKED), texts.NOT_REISSUABLE,
                        ErrorCode.NOT_REISSUABLE)

    return _issuing(session, storage, request_id=request_id, actor=actor, doc=document, now=now, site=site,
                    check=check, action=AuditAction.CERTIFICATE_REISSUE)


def deny_certificate(session: Session, *, request_id: str, actor: User | None, reason: str,
                     now: datetime) -> CertificateRequest:
    """PENDING → DENIED with a required reason (≤ 2000). 409 `not_pending`."""
    admin = require_admin(actor)
    clean = _clean_reason(reason)
    req = _locked(session, request_id)
    _require_status(req, (CertificateStatus.PENDING,), texts.NOT_PENDING, ErrorCode.NOT_PENDING)
    req.status, req.denial_reason, req.reviewed_by_id = CertificateStatus.DENIED, clean, admin.id
    user = req.user
    notifications.notify(session, user_id=user.id, type=NotificationType.CERTIFICATE_DENIED,
                         title="Запрос на сертификат отклонен", message=texts.denied_message(clean),
                         link=texts.MY_LINK, now=now,
                         meta={"certificateRequestId": req.id})
    subject, body = texts.denied_email(name=user.full_name, reason=clean)
    outbox.enqueue_email(session, to=user.email, subject=subject, body_text=body, now=now)
    audit.record(session, actor=admin, action=AuditAction.CERTIFICATE_DENY, entity="certificate_request",
                 entity_id=req.id, now=now, data={"reason": clean})
    return req


def revoke_certificate(session: Session, *, request_id: str, actor: User | None, reason: str,
                       now: datetime) -> CertificateRequest:
    """SENT → REVOKED with a required reason; verification then answers "revoked". 409 `not_sent`."""
    admin = require_admin(actor)
    clean = _clean_reason(reason)
    req = _locked(session, request_id)
    _require_status(req, (CertificateStatus.SENT,), texts.NOT_SENT, ErrorCode.NOT_SENT)
    cert = current_certificate(session, req.id)
    if cert is None:  # a SENT request always has one; guard against hand-edited data
        raise NotFound(texts.CERT_NOT_FOUND)
    cert.revoked_at, cert.revoked_by_id, cert.revoke_reason = now, admin.id, clean
    req.status = CertificateStatus.REVOKED
    user = req.user
    notifications.notify(session, user_id=user.id, type=NotificationType.CERTIFICATE_REVOKED,
                         title="Сертификат отозван", message=texts.revoked_message(req, clean),
                         link=texts.MY_LINK, now=now,
                         meta={"certificateRequestId": req.id, "certificateId": cert.id})
    subject, body = texts.revoked_email(name=user.full_name, req=req, reason=clean)
    outbox.enqueue_email(session, to=user.email, subject=subject, body_text=body, now=now)
    audit.record(session, actor=admin, action=AuditAction.CERTIFICATE_REVOKE, entity="certificate_request",
                 entity_id=req.id, now=now, data={"certificateId": cert.id, "reason": clean})
    return req
