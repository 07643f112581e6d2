"""`create_app(settings)`: one ASGI app serving the public API (/api, legacy paths) and /admin."""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta

import anyio.from_thread
import anyio.to_thread
import httpx
from sqladmin import Admin
from starlette.applications import Starlette

from admin_app.setup import mount_admin
from admin_app.views.video_upload import VideoUploadView
from core.db import Database
from core.services import statement_parse
from core.services.auth import TokenSigner
from core.services.certificates import MAX_PDF_BYTES
from core.services.media_check import Serve
from core.settings import Settings, get_settings
from core.storage import make_storage
from public_api.app import api_routes
from public_api.errors import EXCEPTION_HANDLERS
from public_api.http_cache import PublicCacheMiddleware
from public_api.media_upload import MULTIPART_OVERHEAD
from s7 import metrics
from s7.body_limit import BodyLimitMiddleware, Rule, rule
from s7.metrics import MetricsMiddleware
from s7.proxy import TrustedProxyMiddleware
from s7.security_headers import SecurityHeadersMiddleware, storage_origin


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> Starlette:
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level)
    db = db or Database.from_url(settings.database_url, pool_size=settings.db_pool_size)
    app = Starlette(routes=[*metrics.routes, *api_routes()], exception_handlers=EXCEPTION_HANDLERS,
                    lifespan=thread_pool_lifespan(settings.db_pool_size))
    app.state.settings = settings
    app.state.db = db
    app.state.signer = TokenSigner(settings.secret_key,
                                   int(timedelta(days=settings.token_ttl_days).total_seconds()))
    app.state.storage = make_storage(settings)
    admin = app.state.admin = mount_admin(app, db, settings, serve_media=in_process_serve(app))
    app.add_middleware(PublicCacheMiddleware)  # innermost: answers repeated public GETs before routing
    app.add_middleware(BodyLimitMiddleware, default=settings.max_body_bytes,
                       rules=body_limit_rules(settings, admin))
    app.add_middleware(TrustedProxyMiddleware, trusted=settings.trusted_proxy_networks)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.https_only_cookies,
                       media_origin=storage_origin(settings.s3_endpoint_url))
    app.add_middleware(MetricsMiddleware)  # outermost: times everything, labels by route template
    return app


def thread_pool_lifespan(threads: int) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Size the worker-thread pool (sync handlers, one database connection each) to the connection
    pool: more threads would only wait for a connection while holding a thread."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    return lifespan


def body_limit_rules(settings: Settings, admin: Admin) -> list[Rule]:
    """Streaming media uploads (API and the back-office forms with a video field) may be large."""
    media = settings.media_max_bytes + MULTIPART_OVERHEAD
    uploads = sorted(re.escape(view.identity) for view in admin.views if isinstance(view, VideoUploadView))
    rules = [rule(r"/(?:api/)?uploads/media", media)]
    if uploads:
        rules.append(rule(rf"/admin/(?:{'|'.join(uploads)})/(?:create|edit/[^/]+)", media))
    # Payment screenshots: PAYMENT_PROOF_MAX_BYTES (users' uploads, much smaller than media).
    rules.append(rule(r"/api/payments/proof", settings.payment_proof_max_bytes + MULTIPART_OVERHEAD))
    # Certificate PDFs (10 MB) in the issue/re-issue API and the back-office Выдать/Перевыпустить dialogs.
    certificate = MAX_PDF_BYTES + 64 * 1024
    rules.append(rule(r"/api/certificates/[^/]+/(?:issue|reissue)", certificate))
    rules.append(rule(r"/admin/certificate-request/form-action/(?:issue|reissue)", certificate))
    # Bank statement files (5 MB) on «Сверка с выпиской».
    rules.append(rule(r"/admin/bank-statement", statement_parse.MAX_BYTES + 64 * 1024))
    return rules


def in_process_serve(app: Starlette) -> Serve:
    """The media doctor's live check: a real GET of a URL through this app (its /api/media routes,
    same database, settings and storage), in process. Call it from a worker thread (it hops back to
    the event loop), outside any transaction (see `media_check.probe_url`)."""

    async def get(url: str, headers: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://media.local") as c:
            return await c.get(url, headers=headers)

    return lambda url, headers: anyio.from_thread.run(get, url, headers)


def asgi() -> Starlette:
    """Entry point for `uvicorn --factory s7.app:asgi` (several workers share nothing in memory)."""
    from s7.startup import load_settings, require_real_secret

    settings = load_settings()
    require_real_secret(settings)
    app = create_app(settings)
    # What start-up built (modules, schemas, the back-office) lives as long as the process: out of the
    # collector's sight, a full collection no longer walks it — without this, one every few seconds
    # under load paused every request for ~100 ms (bench/RESULTS.md).
    gc.freeze()
    return app
