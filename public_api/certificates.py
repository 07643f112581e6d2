"""Certificates: the admin queue, deny, revoke, preview; a student's list and download; public verify.
(Issue and re-issue take a file: `public_api/certificate_issue.py`.)"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field
from starlette.responses import RedirectResponse, Response

from core.services import certificate_queries as queries
from core.services import certificates
from core.services.pagination import Page
from public_api.certificate_out import CertificateRequestOut, request_out
from public_api.http import Ctx, api
from public_api.openapi import register_path
from public_api.validation import ApiModel, OutModel, PageQuery, RequiredMultiLine


class ReasonIn(ApiModel):
    reason: RequiredMultiLine = Field(max_length=2000)


class StudentOut(OutModel):
    id: str
    full_name: str
    email: str
    experience_points: int


class PendingItemOut(CertificateRequestOut):
    user: StudentOut


class PendingCertificatesOut(OutModel):
    items: list[PendingItemOut]
    total: int
    limit: int
    offset: int


class MyOut(OutModel):
    items: list[CertificateRequestOut]
    total: int
    limit: int
    offset: int


class VerifyOut(OutModel):
    valid: bool
    status: str
    student_name: str
    achievement: str
    subject: str | None
    issued_at: datetime
    revoked_at: datetime | None


def _site(ctx: Ctx) -> certificates.Site:
    return certificates.Site(base_url=ctx.settings.public_base_url, timezone=ctx.settings.default_timezone)


@api("/api/certificates/pending", "GET", query=PageQuery, response=PendingCertificatesOut, tag="certificates",
     auth_mode="admin")
def pending_certificates(ctx: Ctx, query: PageQuery) -> dict:
    """Admin: PENDING certificate requests, oldest first, with the student's card data."""
    page = Page.of(query.limit, query.offset)
    rows, total = queries.list_pending(ctx.session, actor=ctx.actor, page=page)
    items = [{**request_out(r, None, site=_site(ctx)),
              "user": {"id": r.user.id, "fullName": r.user.full_name, "email": r.user.email,
                       "experiencePoints": r.user.experience_points}} for r in rows]
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@api("/api/certificates/my", "GET", query=PageQuery, response=MyOut, tag="certificates")
def my_certificates(ctx: Ctx, query: PageQuery) -> dict:
    """The caller's certificate requests, newest first; SENT ones with download and verification links."""
    page = Page.of(query.limit, query.offset)
    rows, total = queries.list_my(ctx.session, actor=ctx.actor, page=page)
    return {"items": [request_out(r.request, r.certificate, site=_site(ctx)) for r in rows], "total": total,
            "limit": page.limit, "offset": page.offset}


@api("/api/certificates/{request_id}/deny", "POST", body=ReasonIn, response=CertificateRequestOut,
     tag="certificates", auth_mode="admin")
def deny_certificate(ctx: Ctx, body: ReasonIn, request_id: str) -> dict:
    """Admin: deny a PENDING request with a reason; 409 if it is not pending."""
    req = certificates.deny_certificate(ctx.session, request_id=request_id, actor=ctx.actor, reason=body.reason,
                                        now=ctx.now)
    return request_out(req, None, site=_site(ctx))


@api("/api/certificates/{request_id}/revoke", "POST", body=ReasonIn, response=CertificateRequestOut,
     tag="certificates", auth_mode="admin")
def revoke_certificate(ctx: Ctx, body: ReasonIn, request_id: str) -> dict:
    """Admin: revoke an issued certificate with a reason; verification then answers "revoked"."""
    req = certificates.revoke_certificate(ctx.session, request_id=request_id, actor=ctx.actor, reason=body.reason,
                                          now=ctx.now)
    return request_out(req, certificates.current_certificate(ctx.session, req.id), site=_site(ctx))


def _pdf(data: bytes, filename: str, *, inline: bool) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"', "Cache-Control": "private, no-store"})


@api("/api/certificates/{request_id}/preview", "GET", response=bytes, tag="certificates", auth_mode="admin")
def preview_certificate(ctx: Ctx, request_id: str) -> Response:
    """Admin: the PDF «Сгенерировать» would issue now, marked as a sample (nothing is stored)."""
    data = queries.preview_certificate(ctx.session, actor=ctx.actor, request_id=request_id, now=ctx.now,
                                       site=_site(ctx))
    return _pdf(data, "certificate-preview.pdf", inline=True)


@api("/api/certificates/{request_id}/file", "GET", response=bytes, tag="certificates")
def download_certificate(ctx: Ctx, request_id: str) -> Response:
    """The certificate PDF: its owner (while valid) or an admin; 404 for anyone else."""
    found = queries.certificate_file(ctx.session, actor=ctx.actor, request_id=request_id)
    if found.key is None:
        assert found.url is not None
        return RedirectResponse(found.url, status_code=302, headers={"Cache-Control": "private, no-store"})
    try:
        data = ctx.state.storage.read_bytes(found.key, private=True)
    except FileNotFoundError:
        from core.errors import NotFound

        raise NotFound("Файл сертификата не найден в хранилище") from None
    return _pdf(data, found.filename, inline=False)


@api("/api/certificates/verify/{code}", "GET", response=VerifyOut, tag="certificates", auth_mode="none")
def verify_certificate(ctx: Ctx, code: str) -> dict:
    """Public: is this certificate genuine? Only the name, what and when (and whether it was revoked)."""
    found = queries.verify_certificate(ctx.session, code=code)
    return {"valid": found.valid, "status": found.status, "studentName": found.student_name,
            "achievement": found.achievement, "subject": found.subject, "issuedAt": found.issued_at,
            "revokedAt": found.revoked_at}


def _document_binary(path: str, summary: str, *, operation_id: str, admin: bool, redirect: bool) -> None:
    """The PDF routes answer with a file, not JSON (`response=bytes` only marks them as documented)."""
    responses: dict = {
        "200": {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string",
                                                                                 "format": "binary"}}}},
        "404": {"description": "Нет такого сертификата или нет доступа"},
        "default": {"description": "Ошибка", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}}
    if redirect:
        responses["302"] = {"description": "Сертификат по внешней ссылке: переадресация"}
    register_path(path, "GET", {
        "summary": summary, "tags": ["certificates"], "operationId": operation_id, "security": [{"bearer": []}],
        "parameters": [{"name": "request_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": responses, **({"description": "Только для администраторов (роль ADMIN)."} if admin else {})})


_document_binary("/api/certificates/{request_id}/preview", "Предпросмотр генерируемого сертификата (ADMIN)",
                 operation_id="preview_certificate", admin=True, redirect=False)
_document_binary("/api/certificates/{request_id}/file", "Скачать сертификат (владелец или ADMIN)",
                 operation_id="download_certificate", admin=False, redirect=True)

routes = [pending_certificates, my_certificates, verify_certificate, deny_certificate, revoke_certificate,
          preview_certificate, download_certificate]
