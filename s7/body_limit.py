"""Every request body is bounded before it is read (SPEC §2): one ASGI middleware around the whole app.

A body is refused with 413 `body_too_large` as soon as it passes its path's limit:
  * a `Content-Length` above the limit is refused before a single byte is read;
  * otherwise (chunked bodies, lying lengths) the bytes are counted as the app pulls them, and the
    first chunk that crosses the limit stops the reading: the app's receive raises `BodyTooLarge`,
    whatever the app then tries to send is dropped, and the 413 goes out with `Connection: close`
    (the server does not drain the rest).

Limits: `MAX_BODY_BYTES` for everything (API JSON, back-office forms, the login forms), and
`MEDIA_MAX_BYTES` plus multipart framing for the streaming upload routes and the back-office forms
that carry a video upload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import BodyTooLarge as BodyTooLargeError
from core.errors import ErrorCode

CODE = ErrorCode.BODY_TOO_LARGE
MESSAGE = BodyTooLargeError.message


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the body passes its limit (an HTTPException so no handler logs it)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=MESSAGE)
        self.limit = limit


@dataclass(frozen=True)
class Rule:
    """Bodies of requests whose path fully matches `pattern` may be up to `limit` bytes."""

    pattern: re.Pattern[str]
    limit: int


def rule(pattern: str, limit: int) -> Rule:
    return Rule(re.compile(pattern), limit)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


async def send_too_large(send: Send, limit: int) -> None:
    body = json.dumps({"error": {"code": CODE.value, "message": MESSAGE, "details": {"maxBytes": limit}}},
                      ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, default: int, rules: Iterable[Rule] = ()) -> None:
        self.app = app
        self.default = default
        self.rules = list(rules)

    def limit_for(self, path: str) -> int:
        for item in self.rules:
            if item.pattern.fullmatch(path):
                return item.limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await send_too_large(send, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's own answer to the refused body: ours goes out instead
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge:
            if not exceeded:
                raise
        if exceeded and not started:
            await send_too_large(send, limit)
