"""Small builders with unique random values. `Bound(session)` exposes them without the session arg."""

from __future__ import annotations

import sys
import uuid
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.models import User
from core.services import auth

PASSWORD = "correct-horse-1"
_HASH: dict[str, str] = {}


def unique(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def _hash() -> str:
    # Argon2 is deliberately slow: hash the shared test password once.
    if "h" not in _HASH:
        _HASH["h"] = auth.hash_password(PASSWORD)
    return _HASH["h"]


def make_user(session: Session, **overrides: Any) -> User:
    values: dict[str, Any] = {"email": f"{unique()}@example.kz", "full_name": "Тест Пользователь",
                              "role": "USER", "password_hash": _hash(), "created_at": utcnow()}
    values.update(overrides)
    user = User(**values)
    session.add(user)
    session.flush()
    return user


def make_student(session: Session, **overrides: Any) -> User:
    return make_user(session, **{"full_name": "Ученик Тестовый", **overrides})


def make_admin(session: Session, **overrides: Any) -> User:
    return make_user(session, **{"role": "ADMIN", "full_name": "Админ Тестовый", **overrides})


def make_support(session: Session, **overrides: Any) -> User:
    return make_user(session, **{"role": "SUPPORT", "full_name": "Поддержка Тестовая", **overrides})


class Bound:
    """All `make_*` builders of the tests/factories*.py modules bound to one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __getattr__(self, name: str) -> Any:
        # Imported here: those modules import this one (make_user, unique) at their top.
        from tests import (
            factories_certificates,
            factories_clubs,
            factories_learning,
            factories_media,
            factories_schedule,
        )

        for module in (sys.modules[__name__], factories_media, factories_clubs, factories_schedule,
                       factories_learning, factories_certificates):
            fn = getattr(module, f"make_{name}", None)
            if fn is not None:
                return partial(fn, self.session)
        raise AttributeError(name)


def token_for(app: Any, user: User) -> dict[str, str]:
    """Authorization header for a user (as a login would return)."""
    return {"Authorization": f"Bearer {app.state.signer.issue(user)}"}
