"""`create_app(settings)`: one ASGI app serving the public API (/api, legacy paths) and /admin."""

from __future__ import annotations

import logging
from datetime import timedelta

from starlette.applications import Starlette

from admin_app.setup import mount_admin
from core.db import Database
from core.services.auth import TokenSigner
from core.settings import Settings, get_settings
from public_api.app import api_routes
from public_api.errors import EXCEPTION_HANDLERS


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> Starlette:
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level)
    db = db or Database.from_url(settings.database_url)
    app = Starlette(routes=api_routes(), exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
    app.state.settings = settings
    app.state.db = db
    app.state.signer = TokenSigner(settings.secret_key,
                                   int(timedelta(days=settings.token_ttl_days).total_seconds()))
    app.state.storage = build_storage(settings)
    mount_admin(app, db, settings)
    return app


def build_storage(settings: Settings) -> object | None:
    try:
        from core.storage import make_storage  # provided by the media package
    except ImportError:
        return None
    return make_storage(settings)


def asgi() -> Starlette:
    """Entry point for `uvicorn --factory s7.app:asgi` (several workers share nothing in memory)."""
    return create_app()
