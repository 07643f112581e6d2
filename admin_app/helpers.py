"""Shared plumbing for admin actions: the actor, running a service in a transaction, flash, redirect."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqladmin import Flash
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from core import wiring
from core.clock import utcnow
from core.db import Database
from core.errors import Forbidden, Invalid, ServiceError
from core.models import User
from core.services import auth
from core.settings import Settings

T = TypeVar("T")
log = logging.getLogger(__name__)

# The last-resort answer when a save fails below the services (a database or driver error that a
# service's validation should have caught): staff see this, the log gets the real error, and no
# SQL, table name or driver message ever reaches a page.
SAVE_FAILED = ("Не удалось сохранить: база данных отклонила значения. Проверьте поля формы; если ошибка "
               "повторяется, сообщите разработчикам.")
ACTION_FAILED = ("Не удалось выполнить действие. Изменения не сохранены; если ошибка повторяется, сообщите "
                 "разработчикам.")


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
    user = auth.staff_for_session(session, user_id=request.session.get("uid"))
    if user is None:
        raise Forbidden()
    return user


async def run_service(request: Request, call: Callable[[Session, User], T]) -> T:
    """Run `call(session, actor)` in one transaction in the thread pool. ServiceErrors propagate."""

    def work() -> T:
        with db_of(request).transaction() as session:
            return call(session, load_actor(session, request))

    return await run_in_threadpool(work)


def guard_save(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Wrap a view's insert/update/delete: a ServiceError (Russian, meant for staff) passes through;
    anything else (DBAPIError, IntegrityError, OverflowError, a bug) is logged and becomes `Invalid`
    with `SAVE_FAILED`, which SQLAdmin shows as the form's error with status 400."""

    @functools.wraps(method)
    async def guarded(*args: Any, **kwargs: Any) -> T:
        try:
            return await method(*args, **kwargs)
        except (ServiceError, HTTPException):
            raise
        except Exception:
            log.exception("back-office save failed: %s", getattr(method, "__qualname__", method))
            raise Invalid(SAVE_FAILED) from None

    guarded.is_guarded = True  # type: ignore[attr-defined]
    return guarded


async def run_and_flash(request: Request, call: Callable[[Session, User], Any], *, success: str,
                        back: str) -> RedirectResponse:
    """Run a service; flash success or the service's Russian error message; redirect back."""
    try:
        await run_service(request, call)
    except ServiceError as error:
        Flash.error(request, error.message)
    except Exception:  # a database/driver error or a bug: logged, never shown (see SAVE_FAILED)
        log.exception("back-office action failed")
        Flash.error(request, ACTION_FAILED)
    else:
        Flash.success(request, success)
    return RedirectResponse(back, status_code=303)


def now() -> Any:
    return utcnow()
