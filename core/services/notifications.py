"""In-app notifications: create, list with unread count, mark read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.db import rowcount
from core.errors import NotFound
from core.models import Notification, Role, User
from core.services.pagination import Page
from core.services.permissions import require_user


def new_notification(*, user_id: str, type: str, title: str, message: str, now: datetime,
                     link: str | None = None, meta: dict[str, Any] | None = None) -> Notification:
    """A notification row not yet added (for batches added with one `add_all`)."""
    return Notification(user_id=user_id, type=type, title=title, message=message, link=link,
                        meta=meta or {}, created_at=now)


def notify(session: Session, *, user_id: str, type: str, title: str, message: str, now: datetime,
           link: str | None = None, meta: dict[str, Any] | None = None) -> Notification:
    note = new_notification(user_id=user_id, type=type, title=title, message=message, now=now, link=link, meta=meta)
    session.add(note)
    return note


def admin_ids(session: Session) -> list[str]:
    """Ids of every ADMIN user ("notify admins" means one notification each)."""
    return list(session.scalars(select(User.id).where(User.role == Role.ADMIN)).all())


def notify_admins(session: Session, *, type: str, title: str, message: str, now: datetime,
                  link: str | None = None, meta: dict[str, Any] | None = None) -> int:
    """One notification per ADMIN user; returns how many were written."""
    ids = admin_ids(session)
    for admin_id in ids:
        notify(session, user_id=admin_id, type=type, title=title, message=message, now=now,
               link=link, meta=meta)
    return len(ids)


def list_notifications(session: Session, *, actor: User | None, page: Page) -> tuple[list[Notification], int, int]:
    """The caller's notifications, newest first; returns (items, total, unread_count)."""
    actor = require_user(actor)
    base = select(Notification).where(Notification.user_id == actor.id)
    items = session.scalars(
        base.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(page.limit).offset(page.offset)
    ).all()
    total, unread = session.execute(
        select(func.count(), func.count().filter(Notification.read_at.is_(None)))
        .where(Notification.user_id == actor.id)
    ).one()
    return list(items), total, unread


def mark_read(session: Session, *, actor: User | None, notification_id: str, now: datetime) -> Notification:
    actor = require_user(actor)
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != actor.id:
        raise NotFound("Уведомление не найдено")
    if note.read_at is None:
        note.read_at = now
    return note


def mark_all_read(session: Session, *, actor: User | None, now: datetime) -> int:
    actor = require_user(actor)
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
    return rowcount(result)
