"""Role checks shared by all services."""

from __future__ import annotations

from core.errors import Forbidden, Unauthorized
from core.models import Role, User


def require_user(actor: User | None) -> User:
    if actor is None:
        raise Unauthorized()
    return actor


def require_admin(actor: User | None) -> User:
    actor = require_user(actor)
    if actor.role != Role.ADMIN:
        raise Forbidden("Действие доступно только администратору")
    return actor


def require_staff(actor: User | None) -> User:
    """ADMIN or SUPPORT (media diagnostics, read-only back-office)."""
    actor = require_user(actor)
    if actor.role not in (Role.ADMIN, Role.SUPPORT):
        raise Forbidden("Действие доступно только сотрудникам поддержки и администраторам")
    return actor
