"""Parsed back-office forms are closed when the request ends.

Starlette never closes a parsed multipart form on its own: each `UploadFile` keeps its temporary file
open until garbage collection (a ResourceWarning; a leaked descriptor per upload meanwhile). Every
place that parses a form records it with `remember(request, form)`; `CloseFormsMiddleware` closes them
after the response, whatever happened.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

SCOPE_KEY = "s7.forms"


def remember(request: Request, form: FormData) -> FormData:
    request.scope.setdefault(SCOPE_KEY, []).append(form)
    return form


async def parse_form(request: Request, **limits: Any) -> FormData:
    """`request.form(**limits)`, closed at the end of the request."""
    return remember(request, await request.form(**limits))


class CloseFormsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            for form in scope.pop(SCOPE_KEY, []):
                await form.close()
