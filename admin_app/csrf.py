"""CSRF protection for the whole back-office (SQLAdmin has none).

Every unsafe request (POST/PUT/PATCH/DELETE) must
  1. come from our own origin (Origin header, or Referer when Origin is absent), and
  2. carry the session's CSRF token: header `X-CSRF-Token`, or the form field `csrf_token`.

The token field is the first field of every form (our script inserts it), so for multipart bodies
only the first part is read before the check; the body is then replayed to the app unchanged and
the rest streams through — a 1 GB upload is never buffered here.
"""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import parse_qs, urlsplit

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MAX_SCAN = 64 * 1024
LOGIN_SUFFIX = "/login"


def ensure_token(session: dict) -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_of(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the scheme's default port filled in; None if it is not a plain web origin."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return None
    return parts.scheme, parts.hostname, port if port is not None else DEFAULT_PORTS[parts.scheme]


def _same_origin(scope: Scope) -> bool:
    """Origin (or Referer) must equal our own scheme, host and port exactly — no prefix or suffix match."""
    host = _header(scope, b"host")
    source = _header(scope, b"origin") or _header(scope, b"referer")
    if not host or not source or source == "null":
        return False
    claimed = urlsplit(source)
    theirs = _origin_of(claimed.scheme.lower(), claimed.netloc)
    ours = _origin_of(str(scope.get("scheme", "http")).lower(), host)
    return theirs is not None and theirs == ours


def _token_in(body: bytes, content_type: str, *, complete: bool) -> str | None:
    """The csrf_token field if the (possibly partial) body already holds it whole."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        # A value is whole only when followed by "&" or when the body has ended: a chunk boundary
        # can cut a token in two, and a truncated token must not be compared (it would 403).
        match = re.search(rb"(?:^|&)csrf_token=([^&]*)(&)?", body)
        if not match or (match.group(2) is None and not complete):
            return None
        values = parse_qs("csrf_token=" + match.group(1).decode("latin-1")).get("csrf_token")
        return values[0] if values else ""
    if content_type.startswith("multipart/form-data"):
        match = re.search(rb'name="csrf_token"\r\n\r\n([^\r\n]*)\r\n', body)
        return match.group(1).decode("latin-1") if match else None
    return None


def _matches(supplied: str | None, expected: str) -> bool:
    # Compare bytes: compare_digest raises TypeError on non-ASCII str (a crafted token must be a 403).
    if not supplied or not expected:
        return False
    return hmac.compare_digest(supplied.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape"))


class CSRFMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = scope.setdefault("session", {})
        ensure_token(session)
        if scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        if not _same_origin(scope):
            await _refuse(send, "Запрос отклонён: недопустимый источник (Origin/Referer).")
            return
        # Only the login form itself is exempt from the token (it has no session yet); it still
        # needs a same-origin Origin/Referer. Compare the whole path, not a suffix.
        is_login = scope["path"] == scope.get("root_path", "") + LOGIN_SUFFIX
        expected = session.get("csrf", "")
        supplied = _header(scope, b"x-csrf-token")
        buffered: list[Message] = []
        if supplied is None:
            content_type = (_header(scope, b"content-type") or "").lower()
            data = b""
            more = True
            while more and len(data) < MAX_SCAN:
                message = await receive()
                buffered.append(message)
                data += message.get("body", b"")
                more = message.get("more_body", False)
                supplied = _token_in(data, content_type, complete=not more)
                if supplied is not None:
                    break
        if not is_login and not _matches(supplied, expected):
            await _refuse(send, "Запрос отклонён: устаревшая форма (CSRF). Обновите страницу и повторите.")
            return

        async def replay() -> Message:
            if buffered:
                return buffered.pop(0)
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send, text: str) -> None:
    response = PlainTextResponse(text, status_code=403)
    await response({"type": "http"}, _empty_receive, send)


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
