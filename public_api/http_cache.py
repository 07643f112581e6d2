"""Public JSON with a strong ETag: `If-None-Match` → 304 after one primary-key read, no body built.

The ETag hashes the topic's version (core/services/cache_versions.py, bumped by every write in the same
transaction), the path and query, the response schema and the public settings that appear in bodies
(media URLs, payment instructions) — so processes agree, and a deploy changing either never answers
304 to an old body. Bodies are also kept per process by ETag (bounded), so a plain GET of an unchanged
feed is served without running the handler.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

from core.settings import Settings

PUBLIC = "public, no-cache"  # may be stored, revalidated every time: never stale after a publish
PRIVATE = "private, no-cache"
MAX_BODIES = 512

_PUBLIC_SETTINGS = ("public_base_url", "media_backend", "s3_bucket", "s3_endpoint_url", "s3_region",
                    "s3_serve_mode", "kaspi_phone", "kaspi_recipient", "kaspi_comment_note")


def fingerprint(settings: Settings, response_model: Any) -> str:
    """What, besides the data, shapes a body: public settings and the response schema."""
    public = {name: str(getattr(settings, name)) for name in _PUBLIC_SETTINGS}
    schema = TypeAdapter(response_model).json_schema() if response_model is not None else None
    raw = json.dumps([public, schema], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def etag_for(topic: str, version: int, request: Request, print_: str) -> str:
    query = sorted(request.query_params.multi_items())
    raw = json.dumps([topic, version, request.url.path, query, print_])
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison over a list of tags, or `*`."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag in (t.removeprefix("W/") for t in tags)


def not_modified(etag: str) -> Response:
    return Response(status_code=304, headers={"ETag": etag, "Cache-Control": PUBLIC})


def public_json(body: bytes, etag: str | None) -> Response:
    headers = {"Cache-Control": PUBLIC}
    if etag is not None:
        headers["ETag"] = etag
    return Response(body, media_type="application/json", headers=headers)


def render(payload: Any) -> bytes:
    """The same bytes as Starlette's JSONResponse."""
    return json.dumps(payload, ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")


class BodyCache:
    """ETag → body, least recently used first out; thread-safe (handlers run in worker threads)."""

    def __init__(self, size: int = MAX_BODIES) -> None:
        self._size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        with self._lock:
            body = self._items.get(etag)
            if body is not None:
                self._items.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        with self._lock:
            self._items[etag] = body
            self._items.move_to_end(etag)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def body_cache_of(state: Any) -> BodyCache:
    """The app's body cache (one per app: tests build many apps on one database)."""
    cache = getattr(state, "http_body_cache", None)
    if not isinstance(cache, BodyCache):
        cache = state.http_body_cache = BodyCache()
    return cache
