"""`POST /api/certificates/{id}/issue` and `/reissue`: multipart (a PDF in «file», or «certificateUrl»,
or «generate=true»; «notes»; «sendEmail», default true) or the same fields as JSON without a file.

The body is bounded before it is read (413) and the caller must be an admin before it is read at all.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.clock import utcnow
from core.errors import ErrorCode, Invalid, ServiceError, field_error
from core.services import certificates
from core.services.clean import MULTILINE_PATTERN
from core.services.media import FileTooLarge
from core.services.permissions import require_admin
from public_api.certificate_out import CertificateRequestOut, request_out
from public_api.errors import service_error_response
from public_api.http import resolve_actor
from public_api.openapi import register_path
from public_api.validation import check_input, text_problem

MAX_BODY = certificates.MAX_PDF_BYTES + 64 * 1024
TRUE, FALSE = ("true", "1", "on", "yes"), ("false", "0", "off", "no", "")
FIELDS = ("file", "certificateUrl", "generate", "notes", "sendEmail")


async def _bounded_body(request: Request) -> bytes:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise FileTooLarge(details={"maxBytes": certificates.MAX_PDF_BYTES})
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise FileTooLarge(details={"maxBytes": certificates.MAX_PDF_BYTES})
    return bytes(data)


def _flag(value: Any, *, field: str, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False if text else default
    raise field_error(field, "Ожидается true или false")


def _text(value: Any, *, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise field_error(field, "Ожидается строка")
    problem = text_problem(value)
    if problem:
        raise field_error(field, problem)
    return value


async def _from_multipart(request: Request, body: bytes) -> certificates.CertificateDocument:
    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(request.headers, stream(), max_files=1, max_fields=10,
                                     max_part_size=64 * 1024).parse()
    except MultiPartException as exc:
        raise Invalid("Некорректный multipart-запрос.", code=ErrorCode.INVALID_MULTIPART) from exc
    try:
        unknown = sorted(set(form.keys()) - set(FIELDS))
        if unknown:
            raise field_error(unknown[0], "Неизвестное поле")
        upload = form.get("file")
        pdf, name = None, None
        if isinstance(upload, UploadFile):
            pdf, name = await upload.read(), upload.filename
        elif upload not in (None, ""):
            raise field_error("file", "Файл нужно отправить как часть multipart с именем файла")
        values = {k: form.get(k) for k in FIELDS[1:]}
    finally:
        await form.close()
    return _document(values, pdf=pdf, name=name)


def _from_json(body: bytes) -> certificates.CertificateDocument:
    try:
        data = json.loads(body) if body.strip() else {}
    except (ValueError, RecursionError) as exc:
        raise Invalid("Некорректный JSON в теле запроса", code=ErrorCode.INVALID_JSON) from exc
    if not isinstance(data, dict):
        raise Invalid("Тело запроса должно быть JSON-объектом", code=ErrorCode.INVALID_JSON)
    unknown = sorted(set(data) - set(FIELDS[1:]))
    if unknown:
        raise field_error(unknown[0], "Неизвестное поле")
    return _document(data, pdf=None, name=None)


def _document(values: dict[str, Any], *, pdf: bytes | None, name: str | None) -> certificates.CertificateDocument:
    return certificates.CertificateDocument(
        pdf=pdf, filename=name, url=_text(values.get("certificateUrl"), field="certificateUrl"),
        generate=_flag(values.get("generate"), field="generate", default=False),
        notes=_text(values.get("notes"), field="notes"),
        send_email=_flag(values.get("sendEmail"), field="sendEmail", default=True))


def _authenticate(request: Request) -> None:
    with request.app.state.db.transaction() as session:
        require_admin(resolve_actor(session, request, "required"))


def _endpoint(service: Callable[..., Any]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        try:
            await run_in_threadpool(_authenticate, request)
            check_input(dict(request.path_params), location="path")
            body = await _bounded_body(request)
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "multipart/form-data":
                doc = await _from_multipart(request, body)
            elif ctype in ("application/json", ""):
                doc = _from_json(body)
            else:
                raise Invalid("Отправьте multipart/form-data или JSON", code=ErrorCode.MULTIPART_REQUIRED)
            out = await run_in_threadpool(_run, request, service, doc)
        except ServiceError as error:
            response = service_error_response(error)
            if error.http_status in (401, 403, 413):
                response.headers["Connection"] = "close"  # do not read a body we refuse
            return response
        return JSONResponse(out)

    return endpoint


def _run(request: Request, service: Callable[..., Any], doc: certificates.CertificateDocument) -> dict[str, Any]:
    settings = request.app.state.settings
    site = certificates.Site(base_url=settings.public_base_url, timezone=settings.default_timezone)
    with request.app.state.db.transaction() as session:
        actor = resolve_actor(session, request, "required")
        req = service(session, request.app.state.storage, request_id=request.path_params["request_id"],
                      actor=actor, document=doc, now=utcnow(), site=site)
        cert = certificates.current_certificate(session, req.id)
        out = CertificateRequestOut.model_validate(request_out(req, cert, site=site))
        return out.model_dump(mode="json", by_alias=True)


def _operation(summary: str) -> dict[str, Any]:
    fields = {"file": {"type": "string", "format": "binary", "description": "PDF сертификата"},
              "certificateUrl": {"type": "string", "maxLength": certificates.MAX_URL,
                                 "pattern": certificates.URL_PATTERN},
              "generate": {"type": "boolean"},
              "notes": {"type": "string", "maxLength": certificates.MAX_TEXT, "pattern": MULTILINE_PATTERN},
              "sendEmail": {"type": "boolean", "default": True}}
    return {
        "summary": summary, "tags": ["certificates"], "security": [{"bearer": []}],
        "parameters": [{"name": "request_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {
            "multipart/form-data": {"schema": {"type": "object", "properties": fields}},
            "application/json": {"schema": {"type": "object", "properties":
                                            {k: v for k, v in fields.items() if k != "file"}}}}},
        "responses": {
            "200": {"description": "Сертификат выдан (запрос с текущим сертификатом)", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/CertificateRequestOut"}}}},
            "409": {"description": "Запрос уже обработан"},
            "413": {"description": "Файл больше 10 МБ"},
            "415": {"description": "Файл не PDF"},
            "429": {"description": "Более 50 выдач в час"},
            "default": {"description": "Ошибка", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }


register_path("/api/certificates/{request_id}/issue", "POST",
              {**_operation("Выдать сертификат (ADMIN): PDF, ссылка или генерация"),
               "operationId": "issue_certificate"})
register_path("/api/certificates/{request_id}/reissue", "POST",
              {**_operation("Перевыпустить сертификат (ADMIN): новый сертификат, прежний отзывается"),
               "operationId": "reissue_certificate"})

routes = [
    Route("/api/certificates/{request_id}/issue", _endpoint(certificates.issue_certificate), methods=["POST"],
          name="issue_certificate"),
    Route("/api/certificates/{request_id}/reissue", _endpoint(certificates.reissue_certificate), methods=["POST"],
          name="reissue_certificate"),
]
