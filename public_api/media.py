"""Serving public media: `GET`/`HEAD` `/api/media/{key}` and the legacy `/media/{key}`.

Ranges (206/416), ETag + If-None-Match (304), immutable caching and CORS, so every browser
video player can seek. Local files are streamed in chunks or handed to nginx (X-Accel-Redirect);
S3 objects are redirected to a presigned URL or proxied, by setting.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from core.errors import ErrorCode
from core.services import media as media_service
from core.services.media_urls import is_valid_key
from core.wiring import db_of, settings_of, storage_of
from public_api.errors import error_response
from public_api.media_ranges import Unsatisfiable, etag_matches, parse_range
from public_api.openapi import register_path

CACHE_CONTROL = "public, max-age=31536000, immutable"
EXPOSE = "Content-Range, Accept-Ranges, Content-Length, ETag"
NOT_FOUND_MESSAGE = "Файл не найден"


@dataclass
class Found:
    key: str
    size: int
    content_type: str
    etag: str


def cors_headers(request: Request) -> dict[str, str]:
    origins = settings_of(request.app.state).cors_origins or ["*"]
    origin = request.headers.get("origin")
    if "*" in origins:
        allow = "*"
    elif origin and origin in origins:
        allow = origin
    else:
        return {"Vary": "Origin"}
    headers = {"Access-Control-Allow-Origin": allow, "Access-Control-Expose-Headers": EXPOSE}
    if allow != "*":
        headers["Vary"] = "Origin"
    return headers


def _not_found(request: Request) -> Response:
    response = error_response(404, ErrorCode.NOT_FOUND, NOT_FOUND_MESSAGE)
    response.headers.update(cors_headers(request))
    return response


def _lookup(request: Request, key: str) -> Found | None:
    storage = storage_of(request.app.state)
    with db_of(request.app.state).read() as session:
        row = media_service.find_object(session, key)
        if row is not None and row.is_private:
            return None
        content_type = media_service.content_type_of(key, row)
        sha = row.sha256 if row is not None else None
    size = storage.size(key)
    if size is None:
        return None
    # Legacy objects have no row (no sha256): tag them by key and size, which never change.
    etag = sha or hashlib.sha256(f"{key}:{size}".encode()).hexdigest()
    return Found(key, size, content_type, f'"{etag}"')


async def serve_media(request: Request) -> Response:
    key = request.path_params["key"]
    if not is_valid_key(key):
        return _not_found(request)  # traversal, slashes, NUL…: never reaches storage
    found = await run_in_threadpool(_lookup, request, key)
    if found is None:
        return _not_found(request)
    settings = settings_of(request.app.state)
    storage = storage_of(request.app.state)
    headers = {"ETag": found.etag, "Cache-Control": CACHE_CONTROL, "Accept-Ranges": "bytes",
               **cors_headers(request)}
    if etag_matches(request.headers.get("if-none-match"), found.etag):
        return Response(status_code=304, headers=headers)
    if storage.kind == "s3" and settings.s3_serve_mode == "redirect":
        url = storage.presigned_url(key, settings.s3_presign_seconds, content_type=found.content_type)
        # Short-lived URL: the redirect itself must not be cached for a year.
        headers["Cache-Control"] = "private, max-age=60"
        return RedirectResponse(url, status_code=307, headers=headers)
    if storage.kind == "local" and settings.media_accel_redirect_prefix:
        headers["X-Accel-Redirect"] = settings.media_accel_redirect_prefix.rstrip("/") + "/" + key
        return Response(b"", media_type=found.content_type, headers=headers)
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range and if_range.strip() != found.etag:
        range_header = None
    try:
        byte_range = parse_range(range_header, found.size)
    except Unsatisfiable:
        headers["Content-Range"] = f"bytes */{found.size}"
        response = error_response(416, ErrorCode.RANGE_NOT_SATISFIABLE, "Запрошенный диапазон вне файла")
        response.headers.update(headers)
        return response
    status = 200
    start, end = 0, found.size - 1
    if byte_range is not None:
        start, end = byte_range
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{found.size}"
    headers["Content-Length"] = str(end - start + 1 if found.size else 0)
    if request.method == "HEAD" or found.size == 0:
        return Response(status_code=status, headers=headers, media_type=found.content_type)
    try:
        chunks = await run_in_threadpool(storage.open_range, key, start, end)
    except FileNotFoundError:
        return _not_found(request)
    return StreamingResponse(chunks, status_code=status, headers=headers, media_type=found.content_type)


async def preflight(request: Request) -> Response:
    headers = cors_headers(request)
    headers.update({"Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                    "Access-Control-Allow-Headers": "Range, If-None-Match, If-Range",
                    "Access-Control-Max-Age": "86400"})
    return Response(status_code=204, headers=headers)


def _document() -> None:
    params = [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
               "description": "<32 hex>.<ext> (или имя старой загрузки)"},
              {"name": "Range", "in": "header", "required": False, "schema": {"type": "string"},
               "example": "bytes=0-"}]
    binary: dict[str, Any] = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    responses = {"200": {"description": "Весь файл", "content": binary},
                 "206": {"description": "Часть файла (Content-Range)", "content": binary},
                 "304": {"description": "Не изменился (If-None-Match)"},
                 "307": {"description": "S3: переадресация на временную ссылку"},
                 "404": {"description": "Нет такого файла"},
                 "416": {"description": "Диапазон вне файла"}}
    for path in ("/api/media/{key}", "/media/{key}"):
        for method in ("GET", "HEAD"):
            register_path(path, method, {"summary": "Медиафайл с поддержкой Range (для видеоплеера)",
                                         "tags": ["media"], "operationId": f"{method.lower()}_media"
                                         + ("" if path.startswith("/api/") else "_legacy"),
                                         "parameters": params, "responses": responses})


_document()

routes = [
    Route("/api/media/{key:path}", serve_media, methods=["GET", "HEAD"], name="media"),
    Route("/media/{key:path}", serve_media, methods=["GET", "HEAD"], name="media_legacy"),
    Route("/api/media/{key:path}", preflight, methods=["OPTIONS"], name="media_preflight"),
    Route("/media/{key:path}", preflight, methods=["OPTIONS"], name="media_legacy_preflight"),
]
