"""Typed read-back of what the composition root (`s7/app.py`) puts on an app's `state`.

Starlette's `app.state` is untyped; every door reads the database, settings and storage through these
functions, so handlers get real `Database`, `Settings` and `Storage` objects — and an app that was not
wired by `create_app` fails loudly at the first request instead of with an AttributeError deep inside.
"""

from __future__ import annotations

from typing import TypeVar

from core.db import Database
from core.services.auth import TokenSigner
from core.settings import Settings
from core.storage import Storage

T = TypeVar("T")


def _unwired(name: str, value: object, kind: type) -> RuntimeError:
    return RuntimeError(f"app.state.{name} is {type(value).__name__}, not {kind.__name__}: "
                        "build the app with s7.app.create_app")


def _typed(state: object, name: str, kind: type[T]) -> T:
    value = getattr(state, name, None)
    if not isinstance(value, kind):
        raise _unwired(name, value, kind)
    return value


def db_of(state: object) -> Database:
    return _typed(state, "db", Database)


def settings_of(state: object) -> Settings:
    return _typed(state, "settings", Settings)


def storage_of(state: object) -> Storage:
    value = getattr(state, "storage", None)
    if not isinstance(value, Storage):  # an ABC: not usable as type[T] for _typed
        raise _unwired("storage", value, Storage)
    return value


def signer_of(state: object) -> TokenSigner:
    return _typed(state, "signer", TokenSigner)
