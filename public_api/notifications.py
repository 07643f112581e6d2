"""Notifications of the current user."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.services import notifications
from core.services.pagination import Page
from public_api.http import Ctx, api
from public_api.validation import OutModel, PageQuery


class NotificationOut(OutModel):
    id: str
    type: str
    title: str
    message: str
    link: str | None
    metadata: dict[str, Any] | None = None
    read_at: datetime | None
    created_at: datetime


class NotificationListOut(OutModel):
    items: list[NotificationOut]
    total: int
    unread_count: int
    limit: int
    offset: int


class CountOut(OutModel):
    updated: int


def _out(note: Any) -> dict:
    return {"id": note.id, "type": note.type, "title": note.title, "message": note.message,
            "link": note.link, "metadata": note.meta, "readAt": note.read_at, "createdAt": note.created_at}


@api("/api/notifications", "GET", query=PageQuery, response=NotificationListOut, tag="notifications")
def list_notifications(ctx: Ctx, query: PageQuery) -> dict:
    """The caller's notifications, newest first, with the unread count."""
    page = Page.of(query.limit, query.offset)
    items, total, unread = notifications.list_notifications(ctx.session, actor=ctx.actor, page=page)
    return {"items": [_out(n) for n in items], "total": total, "unreadCount": unread,
            "limit": page.limit, "offset": page.offset}


@api("/api/notifications/read-all", "POST", response=CountOut, tag="notifications")
def read_all_notifications(ctx: Ctx) -> dict:
    """Mark all of the caller's notifications read."""
    return {"updated": notifications.mark_all_read(ctx.session, actor=ctx.actor, now=ctx.now)}


@api("/api/notifications/{notification_id}/read", "POST", response=NotificationOut, tag="notifications")
def read_notification(ctx: Ctx, notification_id: str) -> dict:
    """Mark one notification read."""
    return _out(notifications.mark_read(ctx.session, actor=ctx.actor, notification_id=notification_id,
                                        now=ctx.now))


routes = [list_notifications, read_all_notifications, read_notification]
