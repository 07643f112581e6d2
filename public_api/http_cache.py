"""Public JSON with a strong ETag: `If-None-Match` → 304 after one primary-key read, no body built.

The ETag hashes the topic's version (core/services/cache_versions.py, bumped by every write in the same
transaction), the path and query, the response schema and the public settings that appear in bodies
(media URLs, payment instructions) — so processes agree, and a deploy changing either never answers
304 to an old body. Bodies are also kept per process by ETag (bounded), so a plain GET of an unchanged
feed is served without running the handler: by `PublicCacheMiddleware`, on the event loop, with the
version read shared by the requests around it (public_api/version_gate.py).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from core.services import cache_versions
from core.settings import Settings
from core.wiring import db_of
from public_api.version_gate import VersionGate

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


# The same URL answers a signed-in caller differently (private): a shared cache must not hand the public
# body to a request with a token (RFC 9111 lets it, for a `public` response, unless it varies).
VARY = "Authorization"


def not_modified(etag: str) -> Response:
    return Response(status_code=304, headers={"ETag": etag, "Cache-Control": PUBLIC, "Vary": VARY})


def public_json(body: bytes, etag: str | None) -> Response:
    headers = {"Cache-Control": PUBLIC, "Vary": VARY}
    if etag is not None:
        headers["ETag"] = etag
    return Response(body, media_type="application/json", headers=headers)


def render(payload: Any) -> bytes:
    """The same bytes as Starlette's JSONResponse."""
    return json.dumps(payload, ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")


RequestKey = tuple[str, bytes]
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class Built:
    """The answer built for one request (path, raw query) at a topic's version."""

    topic: str
    version: int
    etag: str
    route: Any  # the Starlette route (metrics label by its template)


def request_key(scope: Scope) -> RequestKey:
    return scope["path"], scope.get("query_string", b"")


class Lru(Generic[K, V]):
    """A bounded map, least recently used out first; thread-safe (handlers run in worker threads, the
    middleware on the event loop)."""

    def __init__(self, size: int = MAX_BODIES) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class BodyCache:
    """ETag → body; and, per request as it arrived (path, raw query), the answer built last, so the next
    identical request is answered before routing (`PublicCacheMiddleware`)."""

    def __init__(self, size: int = MAX_BODIES) -> None:
        self._bodies: Lru[str, bytes] = Lru(size)
        self._built: Lru[RequestKey, Built] = Lru(size)

    def built(self, key: RequestKey) -> Built | None:
        return self._built.get(key)

    def get(self, etag: str) -> bytes | None:
        return self._bodies.get(etag)

    def keep(self, scope: Scope, built: Built, body: bytes) -> None:
        """Keep the body under its ETag, and remember it as this request's answer at this version."""
        self._bodies.put(built.etag, body)
        self._built.put(request_key(scope), built)


class PublicCacheMiddleware:
    """An anonymous GET of public JSON that this process already answered, unchanged since: answered here,
    before routing and parsing, without a thread — 304, or the same body. "Unchanged" is the topic's
    version read after the request arrived (`VersionGate`, one statement shared by the requests around
    it), so a write committed by any process is seen as if the handler had run. Anything else (a token,
    another method, a first request, a changed version) goes to the route as usual."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and "app" in scope:
            answer = await self._answer(scope)
            if answer is not None:
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope) -> Response | None:
        state = scope["app"].state
        bodies = body_cache_of(state)
        built = bodies.built(request_key(scope))
        if built is None:
            return None
        headers = Headers(scope=scope)
        if bearer_of(headers.get("authorization", "")) is not None:
            return None
        if (await version_gate_of(state).versions()).get(built.topic) != built.version:
            return None
        body = bodies.get(built.etag)
        if body is None:
            return None
        scope["route"] = built.route
        if matches(headers.get("if-none-match"), built.etag):
            return not_modified(built.etag)
        return public_json(body, built.etag)


def bearer_of(header: str) -> str | None:
    """The token of an `Authorization: Bearer …` header value, or None."""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class JsonBody(bytes):
    """A handler's JSON, already rendered through its response model (e.g. taken from `Rendered`)."""


Rendered = Lru[Hashable, bytes]  # bodies already rendered, by what they depend on (`CoursePage.shape`)


def rendered_of(state: Any, name: str) -> Rendered:
    """The app's store of rendered bodies called `name` (one per app: tests build many apps)."""
    stores = getattr(state, "http_rendered", None)
    if not isinstance(stores, dict):
        stores = state.http_rendered = {}
    found = stores.get(name)
    if found is None:
        found = stores[name] = Rendered()
    return found


def version_gate_of(state: Any) -> VersionGate:
    """The app's version gate (one per app and database)."""
    gate = getattr(state, "http_version_gate", None)
    if not isinstance(gate, VersionGate):
        db = db_of(state)

        def read() -> dict[str, int]:
            with db.read() as session:
                return cache_versions.all_versions(session)

        gate = state.http_version_gate = VersionGate(read)
    return gate


def body_cache_of(state: Any) -> BodyCache:
    """The app's body cache (one per app: tests build many apps on one database)."""
    cache = getattr(state, "http_body_cache", None)
    if not isinstance(cache, BodyCache):
        cache = state.http_body_cache = BodyCache()
    return cache
