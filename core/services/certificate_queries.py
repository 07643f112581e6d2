"""Reading certificates: the admin queue, a student's own list, a file download, public verification,
and the admin's preview of a generated certificate before issuing it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from core.errors import NotFound
from core.models import Certificate, CertificateRequest, CertificateStatus, Role, User
from core.services import certificate_texts as texts
from core.services.certificate_pdf import render_certificate
from core.services.certificates import Site, content_for, current_certificate, get_request
from core.services.pagination import Page
from core.services.permissions import require_admin, require_user

_CODE_RE = re.compile(r"[A-Z0-9]{8,32}")


@dataclass(frozen=True)
class MyCertificate:
    request: CertificateRequest
    certificate: Certificate | None  # the current one, for SENT and REVOKED requests


@dataclass(frozen=True)
class CertificateFile:
    """Either private storage bytes to stream (`key`) or an external URL to redirect to."""

    key: str | None
    url: str | None
    filename: str


@dataclass(frozen=True)
class Verification:
    valid: bool
    status: str  # VALID | REVOKED
    student_name: str
    achievement: str
    subject: str | None
    issued_at: datetime
    revoked_at: datetime | None


def list_pending(session: Session, *, actor: User | None, page: Page) -> tuple[list[CertificateRequest], int]:
    """Admin queue of PENDING requests, oldest first, with the student and the club loaded."""
    require_admin(actor)
    rows = session.scalars(
        select(CertificateRequest)
        .options(joinedload(CertificateRequest.user), joinedload(CertificateRequest.kruzhok),
                 joinedload(CertificateRequest.course))
        .where(CertificateRequest.status == CertificateStatus.PENDING)
        .order_by(CertificateRequest.created_at, CertificateRequest.id).limit(page.limit).offset(page.offset)
    ).all()
    total = session.scalar(select(func.count()).select_from(CertificateRequest)
                           .where(CertificateRequest.status == CertificateStatus.PENDING))
    return list(rows), int(total or 0)


def list_my(session: Session, *, actor: User | None, page: Page) -> tuple[list[MyCertificate], int]:
    """The caller's requests, newest first, each with its current certificate (two queries in all)."""
    user = require_user(actor)
    reqs = list(session.scalars(
        select(CertificateRequest)
        .options(joinedload(CertificateRequest.kruzhok), joinedload(CertificateRequest.course))
        .where(CertificateRequest.user_id == user.id)
        .order_by(CertificateRequest.created_at.desc(), CertificateRequest.id.desc())
        .limit(page.limit).offset(page.offset)
    ).all())
    current: dict[str, Certificate] = {}
    if reqs:
        for cert in session.scalars(select(Certificate).where(Certificate.request_id.in_([r.id for r in reqs]))
                                    .order_by(Certificate.issued_at, Certificate.created_at)):
            current[cert.request_id] = cert  # ascending: the newest wins
    total = session.scalar(select(func.count()).select_from(CertificateRequest)
                           .where(CertificateRequest.user_id == user.id))
    return [MyCertificate(r, current.get(r.id)) for r in reqs], int(total or 0)


def certificate_file(session: Session, *, actor: User | None, request_id: str) -> CertificateFile:
    """The current certificate of a request: its owner gets it while SENT, an admin always.
    Anyone else (and a missing file) gets 404, as for objects the caller may not see."""
    user = require_user(actor)
    req = get_request(session, request_id)
    allowed = req is not None and (
        user.role == Role.ADMIN and req.status in (CertificateStatus.SENT, CertificateStatus.REVOKED)
        or req.user_id == user.id and req.status == CertificateStatus.SENT)
    cert = current_certificate(session, request_id) if allowed else None
    if cert is None:
        raise NotFound(texts.CERT_NOT_FOUND)
    return CertificateFile(key=cert.file_key, url=cert.external_url,
                           filename=f"certificate-{cert.verification_code}.pdf")


def normalize_code(raw: str) -> str | None:
    code = re.sub(r"[\s-]", "", raw or "").upper()
    return code if _CODE_RE.fullmatch(code) else None


def verify_certificate(session: Session, *, code: str) -> Verification:
    """Public: who, what and when for a verification code; nothing more. 404 for an unknown code."""
    clean = normalize_code(code)
    cert = session.scalar(select(Certificate).where(Certificate.verification_code == clean)) if clean else None
    if cert is None:
        raise NotFound(texts.CERT_NOT_FOUND)
    revoked = cert.revoked_at is not None
    return Verification(valid=not revoked, status="REVOKED" if revoked else "VALID", student_name=cert.student_name,
                        achievement=cert.achievement, subject=cert.subject, issued_at=cert.issued_at,
                        revoked_at=cert.revoked_at)


def preview_certificate(session: Session, *, actor: User | None, request_id: str, now: datetime,
                        site: Site = Site()) -> bytes:
    """Admin: the PDF that «Сгенерировать» would issue now, marked as a sample; nothing is stored."""
    require_admin(actor)
    req = get_request(session, request_id)
    if req is None:
        raise NotFound(texts.NOT_FOUND)
    return render_certificate(content_for(req, verification_code="X" * 16, site=site, now=now,
                                                  sample=True))
