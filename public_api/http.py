"""The one route decorator: parse → one service call in a transaction → serialise.

    @api("/api/me", "GET", response=UserOut)
    def me(ctx: Ctx) -> dict: ...

Handlers are plain sync functions run in the thread pool with an open unit of work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.clock import utcnow
from core.errors import BodyTooLarge, ErrorCode, Invalid, Unauthorized
from core.models import User
from core.services import auth, cache_versions
from core.services.auth import TokenSigner
from core.services.permissions import require_admin
from core.settings import Settings
from core.storage import Storage
from core.wiring import db_of, settings_of, signer_of, storage_of
from public_api import http_cache
from public_api.validation import check_input, to_invalid

MAX_JSON_BYTES = 1024 * 1024


@dataclass
class Ctx:
    """What a handler gets: the open session, the caller (or None), the request, `now`, and the app's
    settings and storage."""

    session: Session
    actor: User | None
    request: Request
    now: datetime
    settings: Settings = field(repr=False)
    storage: Storage = field(repr=False)

    @property
    def state(self) -> State:
        return self.request.app.state

    @property
    def signer(self) -> TokenSigner:
        return signer_of(self.state)

    @property
    def client_ip(self) -> str:
        return self.request.client.host if self.request.client else "unknown"


@dataclass
class ApiMeta:
    path: str
    method: str
    summary: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    auth: str
    tag: str
    name: str = ""  # the handler's name: the operationId (unique; tests/api/test_openapi.py checks)


def bearer_token(request: Request) -> str | None:
    return http_cache.bearer_of(request.headers.get("authorization", ""))


async def read_json(request: Request) -> Any:
    """The JSON body (None when there is none), read chunk by chunk and refused (413) as soon as it
    passes MAX_JSON_BYTES."""
    too_large = BodyTooLarge(details={"maxBytes": MAX_JSON_BYTES})
    length = request.headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > MAX_JSON_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_JSON_BYTES:
            raise too_large
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return None  # no body at all (the caller decides whether one was required)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("Некорректный JSON в теле запроса", code=ErrorCode.INVALID_JSON) from exc
    except RecursionError as exc:
        raise Invalid("Слишком глубокая вложенность JSON", code=ErrorCode.INVALID_JSON) from exc
    check_input(data, location="body")
    return data


def body_is_required(method: str, body: type[BaseModel] | None) -> bool:
    """A PUT/PATCH always needs its body (even `{}`); a POST when its model has a required field."""
    if body is None:
        return False
    return method in ("PUT", "PATCH") or any(f.is_required() for f in body.model_fields.values())


def parse_model(model: type[BaseModel], data: Any, *, location: str) -> BaseModel:
    if not isinstance(data, dict):
        raise Invalid("Тело запроса должно быть JSON-объектом", code=ErrorCode.INVALID_JSON,
                      details={"location": location})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise to_invalid(exc, location=location) from exc


_ADAPTERS: dict[int, TypeAdapter[Any]] = {}


def _adapter(response_model: Any) -> TypeAdapter[Any]:
    """One TypeAdapter per response type (building one costs more than using it)."""
    adapter = _ADAPTERS.get(id(response_model))
    if adapter is None:
        adapter = _ADAPTERS[id(response_model)] = TypeAdapter(response_model)
    return adapter


def render_json(response_model: Any, result: Any) -> bytes:
    """JSON bytes through the response model (pydantic's own encoder: one pass, no intermediate dicts)."""
    if response_model is None:
        return http_cache.render(result)
    adapter = _adapter(response_model)
    return adapter.dump_json(adapter.validate_python(result), by_alias=True)


def render_result(response_model: Any, result: Any) -> bytes | Response:
    """The handler's result as JSON bytes; a Response is passed through, a JsonBody is already rendered."""
    if isinstance(result, Response):
        return result
    if isinstance(result, http_cache.JsonBody):
        return bytes(result)
    return render_json(response_model, result)


def resolve_actor(session: Session, request: Request, mode: str) -> User | None:
    token = bearer_token(request)
    if token is None:
        if mode == "required":
            raise Unauthorized()
        return None
    return auth.user_from_token(session, signer=signer_of(request.app.state), token=token)


def api(path: str, method: str, *, summary: str = "", body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None, response: Any = None, status: int = 200,
        auth_mode: str = "required", tag: str = "api",
        writes: bool | None = None, cache: str | None = None) -> Callable[[Callable[..., Any]], Route]:
    """Build a Starlette Route from a sync handler `fn(ctx, body?, query?, **path_params)`.

    A GET runs in a read unit of work (`Database.read()`: no write lock on SQLite, any write raises);
    `writes=True` gives a GET a write transaction. `cache=TOPIC` (a topic of
    core/services/cache_versions.py): anonymous requests get a public ETag'd body (public_api/http_cache.py);
    any GET answered to a signed-in caller is `Cache-Control: private`."""
    read_only = method == "GET" if writes is None else not writes
    body_required = body_is_required(method, body)

    def decorate(fn: Callable[..., Any]) -> Route:
        meta = ApiMeta(path, method, summary or (fn.__doc__ or "").strip().split("\n")[0], body, query,
                       response, status, auth_mode, tag, fn.__name__)

        async def endpoint(request: Request) -> Response:
            kwargs: dict[str, Any] = dict(request.path_params)
            invalid: Invalid | None = None
            try:
                check_input(kwargs, location="path")
                for name, value in request.query_params.multi_items():
                    check_input({name: value}, location="query")
                if body is not None:
                    data = await read_json(request)
                    if data is None and body_required:
                        raise Invalid("Тело запроса обязательно", code=ErrorCode.INVALID_JSON,
                                      details={"location": "body"})
                    kwargs["body"] = parse_model(body, {} if data is None else data, location="body")
                if query is not None:
                    kwargs["query"] = parse_model(query, dict(request.query_params), location="query")
            except Invalid as error:
                invalid = error  # reported after authentication: a bad token is a 401 whatever the body
            return await run_in_threadpool(_run, request, kwargs, invalid)

        fingerprints: dict[int, str] = {}

        def _public(request: Request, kwargs: dict[str, Any], invalid: Invalid | None, topic: str) -> Response:
            """An anonymous GET of public data: 304, or the body cached for this ETag, or a fresh one."""
            if invalid is not None:
                raise invalid
            state = request.app.state
            settings = settings_of(state)
            print_ = fingerprints.get(id(settings))
            if print_ is None:
                print_ = fingerprints[id(settings)] = http_cache.fingerprint(settings, response)
            bodies = http_cache.body_cache_of(state)
            with db_of(state).read() as session:
                version = cache_versions.version_of(session, topic)  # before the data: never newer
                built = None if version is None else http_cache.Built(
                    topic, version, http_cache.etag_for(topic, version, request, print_), request.scope.get("route"))
                if built is not None:
                    if http_cache.matches(request.headers.get("if-none-match"), built.etag):
                        return http_cache.not_modified(built.etag)
                    cached = bodies.get(built.etag)
                    if cached is not None:
                        bodies.keep(request.scope, built, cached)
                        return http_cache.public_json(cached, built.etag)
                ctx = Ctx(session=session, actor=None, request=request, now=utcnow(), settings=settings,
                          storage=storage_of(state))
                body = render_result(response, fn(ctx, **kwargs))
            if isinstance(body, Response):
                return body
            if built is None:
                return http_cache.public_json(body, None)
            bodies.keep(request.scope, built, body)
            return http_cache.public_json(body, built.etag)

        def _run(request: Request, kwargs: dict[str, Any], invalid: Invalid | None) -> Response:
            if cache is not None and bearer_token(request) is None:
                return _public(request, kwargs, invalid, cache)
            state = request.app.state
            db = db_of(state)
            with (db.read() if read_only else db.transaction()) as session:
                actor = resolve_actor(session, request, "required" if auth_mode == "admin" else auth_mode)
                if auth_mode == "admin":
                    # Same check the service makes; done first so a non-admin learns nothing of the body rules.
                    require_admin(actor)
                if invalid is not None:
                    raise invalid
                ctx = Ctx(session=session, actor=actor, request=request, now=utcnow(),
                          settings=settings_of(state), storage=storage_of(state))
                payload = render_result(response, fn(ctx, **kwargs))
            if isinstance(payload, Response):
                if method == "GET" and actor is not None and "cache-control" not in payload.headers:
                    payload.headers["Cache-Control"] = http_cache.PRIVATE
                return payload
            headers = {"Cache-Control": http_cache.PRIVATE} if method == "GET" and actor is not None else None
            return Response(payload, status_code=status, headers=headers, media_type="application/json")

        endpoint.__name__ = fn.__name__
        endpoint.__doc__ = fn.__doc__
        route = Route(path, endpoint, methods=[method], name=fn.__name__)
        route.api_meta = meta  # type: ignore[attr-defined]
        return route

    return decorate
