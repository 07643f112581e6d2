"""Classes of a club: create (within the owner's limit) and regenerate the 6-digit join code."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, ErrorCode, NotFound
from core.models import AuditAction, ClubClass, User
from core.services import audit, clean
from core.services.club_access import owned_class, owned_club
from core.services.clubs import clean_title
from core.services.limits import effective_limits, limit_exceeded, subscription_required
from core.services.permissions import require_admin, require_user

CODE_ATTEMPTS = 20


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _save_with_fresh_code(session: Session, klass: ClubClass) -> None:
    """Give the class a code no other class has; the unique index settles races (retry in a SAVEPOINT)."""
    for _ in range(CODE_ATTEMPTS):
        code = new_code()
        if session.scalar(select(ClubClass.id).where(ClubClass.join_code == code)) is not None:
            continue
        try:
            with session.begin_nested():
                klass.join_code = code
                session.add(klass)
                session.flush()
            return
        except IntegrityError:
            continue
    raise Conflict("Не удалось создать уникальный код. Попробуйте ещё раз.", code=ErrorCode.CODE_GENERATION_FAILED)


def create_class(session: Session, *, actor: User | None, kruzhok_id: str, name: str,
                 now: datetime) -> ClubClass:
    """Owner only; at most the owner's maxClassesPerKruzhok active classes (403 `limit_exceeded`)."""
    actor = require_user(actor)
    name = clean_title(name, field="name", label="Название класса")
    club = owned_club(session, actor, kruzhok_id, lock=True)  # locked: concurrent creates count in turn
    limits = effective_limits(session, actor.id, now=now)
    if not limits.active:
        raise subscription_required(session)
    count = session.scalar(select(func.count()).select_from(ClubClass)
                           .where(ClubClass.kruzhok_id == club.id, ClubClass.is_active.is_(True))) or 0
    if count >= limits.max_classes_per_kruzhok:
        raise limit_exceeded(session, limit="maxClassesPerKruzhok", current=count,
                             maximum=limits.max_classes_per_kruzhok)
    klass = ClubClass(kruzhok_id=club.id, name=name, created_at=now)
    _save_with_fresh_code(session, klass)
    audit.record(session, actor=actor, action=AuditAction.CLASS_CREATE, entity="club_class", entity_id=klass.id,
                 now=now, data={"kruzhokId": club.id, "name": name})
    return klass


def regenerate_code(session: Session, *, actor: User | None, class_id: str, now: datetime) -> ClubClass:
    """Owner only: a new join code; the old one stops working at once."""
    actor = require_user(actor)
    klass = owned_class(session, actor, class_id, lock=True)
    old = klass.join_code
    _save_with_fresh_code(session, klass)
    audit.record(session, actor=actor, action=AuditAction.CLASS_REGENERATE_CODE, entity="club_class",
                 entity_id=klass.id, now=now, data={"old": old})
    return klass


def admin_edit_class(session: Session, *, actor: User | None, class_id: str, values: dict[str, Any],
                     now: datetime) -> ClubClass:
    """Back-office edit of a class's name / active flag (ADMIN; audited). Codes change only by regeneration."""
    actor = require_admin(actor)
    klass = clean.get_row(session, ClubClass, class_id)
    if klass is None:
        raise NotFound("Класс не найден")
    if "name" in values:
        klass.name = clean_title(values["name"], field="name", label="Название класса")
    if "is_active" in values:
        klass.is_active = bool(values["is_active"])
    audit.record(session, actor=actor, action=AuditAction.CLASS_ADMIN_EDIT, entity="club_class", entity_id=klass.id,
                 now=now, data={k: v for k, v in values.items() if k in ("name", "is_active")})
    return klass
