"""Response shapes of the certificate endpoints (camelCase), shared by the JSON and multipart routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.models import Certificate, CertificateRequest, CertificateStatus
from core.services import certificate_texts as texts
from core.services.certificates import Site, file_path, subject_of
from public_api.validation import OutModel


class KruzhokRef(OutModel):
    id: str
    title: str


class CertificateRequestOut(OutModel):
    id: str
    status: str
    title: str
    total_xp: int
    threshold_xp: int
    task_description: str
    kruzhok: KruzhokRef | None
    subject: str | None
    created_at: datetime
    issued_at: datetime | None
    download_url: str | None
    verification_code: str | None
    verification_url: str | None
    denial_reason: str | None
    revoked_at: datetime | None
    revoke_reason: str | None


def request_out(req: CertificateRequest, cert: Certificate | None, *, site: Site) -> dict[str, Any]:
    sent = req.status == CertificateStatus.SENT and cert is not None
    return {
        "id": req.id, "status": req.status, "title": texts.title(req), "totalXp": req.total_xp,
        "thresholdXp": req.threshold_xp, "taskDescription": req.task_description,
        "kruzhok": {"id": req.kruzhok.id, "title": req.kruzhok.title} if req.kruzhok is not None else None,
        "subject": subject_of(req), "createdAt": req.created_at,
        "issuedAt": cert.issued_at if cert is not None else None,
        "downloadUrl": file_path(req.id) if sent else None,
        "verificationCode": cert.verification_code if sent and cert is not None else None,
        "verificationUrl": site.verify_url(cert.verification_code) if sent and cert is not None else None,
        "denialReason": req.denial_reason,
        "revokedAt": cert.revoked_at if cert is not None and req.status == CertificateStatus.REVOKED else None,
        "revokeReason": cert.revoke_reason if cert is not None and req.status == CertificateStatus.REVOKED else None,
    }
