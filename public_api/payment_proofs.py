"""Payment screenshots (core/services/payment_proofs.py):

    POST /api/payments/proof        multipart field `file` → 201 {url, contentType, size}; any signed-in user
    GET  /api/payments/proof/{key}  the image, for its uploader or an ADMIN (others 404), never cached
"""

from __future__ import annotations

from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from core.clock import utcnow
from core.errors import ErrorCode, FileTooLarge, ServiceError
from core.models import User
from core.services import payment_proofs
from core.wiring import db_of, settings_of, storage_of
from public_api.errors import error_response, service_error_response
from public_api.http import resolve_actor
from public_api.media_upload import MULTIPART_OVERHEAD, body_chunks
from public_api.multipart_stream import MultipartFileReader, boundary_of
from public_api.openapi import register_path


def _begin(request: Request) -> User:
    with db_of(request.app.state).transaction() as session:
        return payment_proofs.begin_upload(session, actor=resolve_actor(session, request, "required"), now=utcnow())


def _store(request: Request, actor: User) -> dict[str, Any]:
    max_bytes = settings_of(request.app.state).payment_proof_max_bytes
    storage = storage_of(request.app.state)
    reader = MultipartFileReader(body_chunks(request), boundary_of(request.headers.get("content-type")),
                                 max_body_bytes=max_bytes + MULTIPART_OVERHEAD)
    reader.open()
    key: str | None = None
    try:
        with db_of(request.app.state).transaction() as session:
            row = payment_proofs.store_proof(session, storage, uploader=actor, stream=reader.iter_file(),
                                             filename=reader.filename, declared_type=reader.content_type,
                                             max_bytes=max_bytes, now=utcnow())
            key = row.key
            out = {"url": payment_proofs.proof_url(row.key), "contentType": row.content_type, "size": row.size}
    except BaseException:
        if key is not None:  # stored, but the row did not commit: leave nothing behind
            storage.delete(key, private=True)
        raise
    return out


async def upload_proof(request: Request) -> Response:
    max_bytes = settings_of(request.app.state).payment_proof_max_bytes
    length = request.headers.get("content-length", "")
    try:
        if length.isdigit() and int(length) > max_bytes + MULTIPART_OVERHEAD:
            raise FileTooLarge(details={"maxBytes": max_bytes})
        actor = await run_in_threadpool(_begin, request)
        out = await anyio.to_thread.run_sync(_store, request, actor)
    except ServiceError as error:
        response = service_error_response(error)
        if error.http_status in (401, 403, 413, 429):
            response.headers["Connection"] = "close"  # do not read a body we refuse
        return response
    return JSONResponse(out, status_code=201)


def _authorise(request: Request) -> payment_proofs.ProofFile:
    with db_of(request.app.state).transaction() as session:
        return payment_proofs.proof_for_view(session, actor=resolve_actor(session, request, "required"),
                                             key=request.path_params["key"])


def proof_response(found: payment_proofs.ProofFile, chunks: Any) -> Response:
    headers = {"Content-Length": str(found.size), "Cache-Control": "private, no-store",
               "Content-Disposition": f'inline; filename="{found.filename}"'}
    return StreamingResponse(chunks, headers=headers, media_type=found.content_type)


async def view_proof(request: Request) -> Response:
    found = await run_in_threadpool(_authorise, request)  # ServiceErrors → the app's error handler
    try:
        chunks = await run_in_threadpool(storage_of(request.app.state).open_range, found.key, 0,
                                         max(found.size - 1, 0), private=True)
    except FileNotFoundError:
        return error_response(404, ErrorCode.NOT_FOUND, payment_proofs.MSG_NOT_FOUND)
    return proof_response(found, chunks)


def _document() -> None:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    register_path("/api/payments/proof", "POST", {
        "summary": "Загрузить скриншот оплаты (JPEG, PNG или WebP; хранится закрыто)",
        "tags": ["subscriptions"], "operationId": "upload_payment_proof", "security": [{"bearer": []}],
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}},
        "responses": {
            "201": {"description": "Скриншот сохранён: `url` передайте в paymentProofUrl заявки",
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["url", "contentType", "size"],
                        "properties": {"url": {"type": "string", "example": "/api/payments/proof/<key>"},
                                       "contentType": {"type": "string"}, "size": {"type": "integer"}}}}}},
            "401": {"description": "Нет входа", "content": error},
            "413": {"description": "Файл больше PAYMENT_PROOF_MAX_BYTES", "content": error},
            "415": {"description": "Не изображение JPEG/PNG/WebP", "content": error},
            "429": {"description": "Слишком много загрузок", "content": error}}})
    register_path("/api/payments/proof/{key}", "GET", {
        "summary": "Скриншот оплаты (только его владельцу и администраторам)",
        "tags": ["subscriptions"], "operationId": "view_payment_proof", "security": [{"bearer": []}],
        "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "Изображение", "content": {
                          "image/*": {"schema": {"type": "string", "format": "binary"}}}},
                      "401": {"description": "Нет входа", "content": error},
                      "404": {"description": "Нет такого скриншота или нет доступа к нему", "content": error}}})


_document()

routes = [Route("/api/payments/proof", upload_proof, methods=["POST"], name="upload_payment_proof"),
          Route("/api/payments/proof/{key}", view_proof, methods=["GET"], name="view_payment_proof")]
