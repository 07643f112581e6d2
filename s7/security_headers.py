"""Security headers on every response (SPEC §2), in one middleware around the whole app.

  * every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`, and
    `Strict-Transport-Security` when `HTTPS_ONLY_COOKIES` says the site is served over HTTPS;
  * HTML: `X-Frame-Options: DENY` and a Content-Security-Policy with `frame-ancestors 'none'`;
  * every back-office response (PDF previews, payment screenshots, exports too): `X-Frame-Options: DENY`,
    so no other site can frame a staff-only file;
  * back-office HTML (/admin): a full CSP. Scripts only from our origin or inline with this
    request's nonce (`request.state.csp_nonce`, used by the templates' own `<script nonce=…>`);
    styles from our origin plus inline styles (SQLAdmin's templates and its widgets write style
    attributes); media and images also from https (presigned storage URLs, external covers).
Headers the app already set are left alone (media keeps its own CORS headers).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=31536000"
HTML_CSP = "frame-ancestors 'none'"


def admin_csp(nonce: str, *, extra_sources: str = "") -> str:
    extra = f" {extra_sources}" if extra_sources else ""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: https:{extra}",
        f"media-src 'self' blob: https:{extra}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def storage_origin(endpoint_url: str) -> str:
    """The S3 endpoint's origin (media may redirect there), or ''."""
    parts = urlsplit(endpoint_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool, admin_prefix: str = "/admin", media_origin: str = "") -> None:
        self.app = app
        self.hsts = hsts
        self.admin_prefix = admin_prefix
        self.media_origin = media_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        in_admin = path == self.admin_prefix or path.startswith(self.admin_prefix + "/")
        nonce = ""
        if in_admin:  # only the back-office's pages carry scripts with a nonce
            nonce = secrets.token_urlsafe(16)
            scope["state"] = {**scope.get("state", {}), "csp_nonce": nonce}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if in_admin or headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("X-Frame-Options", "DENY")
                if headers.get("content-type", "").startswith("text/html"):
                    policy = admin_csp(nonce, extra_sources=self.media_origin) if in_admin else HTML_CSP
                    headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
