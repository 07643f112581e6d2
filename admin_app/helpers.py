"""Shared plumbing for admin actions: the actor, running a service in a transaction, flash, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqladmin import Flash
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse

from core import wiring
from core.clock import utcnow
from core.db import Database
from core.errors import Forbidden, ServiceError
from core.models import User
from core.settings import Settings

T = TypeVar("T")


def db_of(request: Request) -> Database:
    return wiring.db_of(request.app.state)


def settings_of(request: Request) -> Settings:
    return wiring.settings_of(request.app.state)


def pks_of(request: Request) -> list[str]:
    raw = request.query_params.get("pks", "")
    return [pk for pk in raw.split(",") if pk][:500]


def safe_back(request: Request, fallback: str) -> str:
    """A same-site path to return to (never an absolute URL from user input)."""
    target = str(request.query_params.get("next") or "")
    return target if target.startswith("/admin") and "//" not in target else fallback


def load_actor(session: Session, request: Request) -> User:
    user = session.get(User, request.session.get("uid"))
    if user is None or not user.is_staff:
        raise Forbidden()
    return user


async def run_service(request: Request, call: Callable[[Session, User], T]) -> T:
    """Run `call(session, actor)` in one transaction in the thread pool. ServiceErrors propagate."""

    def work() -> T:
        with db_of(request).transaction() as session:
            return call(session, load_actor(session, request))

    return await run_in_threadpool(work)


async def run_and_flash(request: Request, call: Callable[[Session, User], Any], *, success: str,
                        back: str) -> RedirectResponse:
    """Run a service; flash success or the service's Russian error message; redirect back."""
    try:
        await run_service(request, call)
    except ServiceError as error:
        Flash.error(request, error.message)
    else:
        Flash.success(request, success)
    return RedirectResponse(back, status_code=303)


def now() -> Any:
    return utcnow()
