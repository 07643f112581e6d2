"""`POST /uploads/media` and `POST /api/uploads/media`: a streamed, sniffed, size-capped upload."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import anyio.from_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.clock import utcnow
from core.errors import FileTooLarge, ServiceError
from core.models import MediaObject
from core.services import media
from core.services.permissions import require_admin
from core.wiring import db_of, settings_of, storage_of
from public_api.errors import service_error_response
from public_api.http import resolve_actor
from public_api.multipart_stream import MultipartFileReader, boundary_of
from public_api.openapi import register_path

# Multipart framing (boundaries, part headers, small extra fields) on top of the file itself.
MULTIPART_OVERHEAD = 64 * 1024


def _authenticate(request: Request) -> Any:
    with db_of(request.app.state).transaction() as session:
        return require_admin(resolve_actor(session, request, "required"))


def body_chunks(request: Request) -> Iterator[bytes]:
    """Pull request-body chunks from the event loop into this worker thread, one at a time."""
    stream = request.stream().__aiter__()

    async def next_chunk() -> bytes | None:
        try:
            return await stream.__anext__()
        except StopAsyncIteration:
            return None
        except ClientDisconnect:
            return None

    while True:
        chunk = anyio.from_thread.run(next_chunk)
        if chunk is None:
            return
        if chunk:
            yield chunk


def _store(request: Request, actor: Any) -> dict[str, Any]:
    settings = settings_of(request.app.state)
    storage = storage_of(request.app.state)
    reader = MultipartFileReader(body_chunks(request), boundary_of(request.headers.get("content-type")),
                                 max_body_bytes=settings.media_max_bytes + MULTIPART_OVERHEAD)
    reader.open()
    key: str | None = None
    try:
        with db_of(request.app.state).transaction() as session:
            row = media.store_upload(session, storage, stream=reader.iter_file(), filename=reader.filename,
                                     declared_type=reader.content_type, actor=actor, now=utcnow(),
                                     max_bytes=settings.media_max_bytes)
            key = row.key
            out = _uploaded_out(row)
    except BaseException:
        if key is not None:  # stored, but the row did not commit: leave nothing behind
            storage.delete(key)
        raise
    return out


def _uploaded_out(row: MediaObject) -> dict[str, Any]:
    return {"url": media.CANONICAL_PREFIX + row.key, "key": row.key, "contentType": row.content_type,
            "size": row.size}


async def upload_media(request: Request) -> Response:
    settings = settings_of(request.app.state)
    length = request.headers.get("content-length", "")
    try:
        if length.isdigit() and int(length) > settings.media_max_bytes + MULTIPART_OVERHEAD:
            raise FileTooLarge(details={"maxBytes": settings.media_max_bytes})
        actor = await run_in_threadpool(_authenticate, request)
        out = await anyio.to_thread.run_sync(_store, request, actor)
    except ServiceError as error:
        response = service_error_response(error)
        if error.http_status in (401, 403, 413):
            response.headers["Connection"] = "close"  # do not read a body we refuse
        return response
    return JSONResponse(out, status_code=201)


_OPERATION = {
    "summary": "Загрузить медиафайл (только ADMIN): видео, изображение или документ",
    "tags": ["media"],
    "security": [{"bearer": []}],
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"}}}}}},
    "responses": {
        "201": {"description": "Файл сохранён", "content": {"application/json": {"schema": {
            "type": "object", "required": ["url", "key", "contentType", "size"],
            "properties": {"url": {"type": "string", "example": "/api/media/<key>"}, "key": {"type": "string"},
                           "contentType": {"type": "string"}, "size": {"type": "integer"}}}}}},
        "413": {"description": "Файл больше MEDIA_MAX_BYTES"},
        "415": {"description": "Тип файла не поддерживается или не совпадает с заявленным"},
        "default": {"description": "Ошибка", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}},
    },
}
for _path in ("/uploads/media", "/api/uploads/media"):
    register_path(_path, "POST", {**_OPERATION, "operationId": "upload_media" if _path.startswith("/api/")
                                  else "upload_media_legacy"})

routes = [
    Route("/uploads/media", upload_media, methods=["POST"], name="upload_media_legacy"),
    Route("/api/uploads/media", upload_media, methods=["POST"], name="upload_media"),
]
