"""ByteSize: short videos in a public feed. Admins create, edit, publish and unpublish them.

A published item always has a verified video (`/api/media/<key>` of a stored video object), so the
feed never shows an item that cannot play.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import ErrorCode, Invalid, NotFound, field_error
from core.models import AuditAction, ByteSizeItem, User
from core.services import audit, clean
from core.services.media import require_media_url
from core.services.pagination import Page
from core.services.permissions import require_admin
from core.services.play_access import Access, Reason

FIELDS = ("title", "description", "video_url", "cover_image_url", "is_published")
API_NAMES = {"title": "title", "description": "description", "video_url": "videoUrl",
             "cover_image_url": "coverImageUrl", "is_published": "isPublished"}
MAX_DESCRIPTION_CHARS = 5000


def clean_field(session: Session, storage: Any, name: str, value: Any) -> Any:
    if name == "title":
        return clean.clean_title(value)
    if name == "description":
        return clean.clean_text(value, field="description", label="Описание", max_length=MAX_DESCRIPTION_CHARS,
                                required=False, multiline=True)
    if name == "video_url":
        if value is None or not str(value).strip():
            raise field_error("videoUrl", "Загрузите видео или укажите ссылку на загруженное видео",
                              code=ErrorCode.VIDEO_REQUIRED)
        return require_media_url(session, storage, value, field="videoUrl", kinds=("video",))
    if name == "cover_image_url":
        if value is None or not str(value).strip():
            return None
        return require_media_url(session, storage, value, field="coverImageUrl", kinds=("image",))
    return clean.clean_bool(value, field="isPublished")


def _apply(session: Session, storage: Any, item: ByteSizeItem, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise Invalid(details={"fields": [{"field": f, "message": "Неизвестное поле"} for f in sorted(unknown)]})
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        value = clean_field(session, storage, name, value)
        if getattr(item, name) != value:
            setattr(item, name, value)
            changed[API_NAMES[name]] = value
    return changed


def get_item(session: Session, item_id: str) -> ByteSizeItem:
    item = clean.get_row(session, ByteSizeItem, item_id)
    if item is None:
        raise NotFound("Видео ByteSize не найдено")
    return item


def create_item(session: Session, storage: Any, *, actor: User | None, fields: dict[str, Any],
                now: datetime) -> ByteSizeItem:
    """Create an item; videoUrl is required and verified as a video; published unless told otherwise."""
    actor = require_admin(actor)
    fields = {"title": None, "video_url": None, "is_published": True, **fields}
    item = ByteSizeItem(title="", created_by_id=actor.id, created_at=now, updated_at=now)
    _apply(session, storage, item, fields)
    session.add(item)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.BYTESIZE_CREATE, entity="bytesize", entity_id=item.id,
                 now=now, data={"title": item.title, "videoUrl": item.video_url, "isPublished": item.is_published})
    return item


def update_item(session: Session, storage: Any, *, actor: User | None, item_id: str, fields: dict[str, Any],
                now: datetime) -> ByteSizeItem:
    """Change the given fields (absent = unchanged). The video cannot be removed, only replaced."""
    actor = require_admin(actor)
    item = get_item(session, item_id)
    changed = _apply(session, storage, item, fields)
    if changed:
        item.updated_at = now
        audit.record(session, actor=actor, action=AuditAction.BYTESIZE_UPDATE, entity="bytesize", entity_id=item.id,
                     now=now, data={"changed": sorted(changed),
                                    **{k: v for k, v in changed.items() if k != "description"}})
    return item


def set_published(session: Session, storage: Any, *, actor: User | None, item_id: str, published: bool,
                  now: datetime) -> ByteSizeItem:
    """Publish or unpublish; publishing re-verifies the video so the feed only shows playable items."""
    actor = require_admin(actor)
    item = get_item(session, item_id)
    if published:
        item.video_url = clean_field(session, storage, "video_url", item.video_url)
    if item.is_published != published:
        item.is_published = published
        item.updated_at = now
        action = AuditAction.BYTESIZE_PUBLISH if published else AuditAction.BYTESIZE_UNPUBLISH
        audit.record(session, actor=actor, action=action,
                     entity="bytesize", entity_id=item.id, now=now, data={"title": item.title})
    return item


def _in_feed() -> tuple[Any, ...]:
    """The feed's rule: published, with a video."""
    return ByteSizeItem.is_published.is_(True), ByteSizeItem.video_url.is_not(None)


def item_access(session: Session, item: ByteSizeItem) -> Access:
    """Whether the feed shows `item`, with the reason (the feed's own rule, asked of one row)."""
    if session.scalar(select(ByteSizeItem.id).where(ByteSizeItem.id == item.id, *_in_feed())) is not None:
        return Access(Reason.OPEN_IN_FEED)
    return Access(Reason.ITEM_UNPUBLISHED if not item.is_published else Reason.ITEM_WITHOUT_VIDEO)


def list_feed(session: Session, *, page: Page) -> tuple[list[ByteSizeItem], int]:
    """Published items with a video, newest first (id breaks ties so pages never overlap)."""
    base = select(ByteSizeItem).where(*_in_feed())
    items = session.scalars(base.order_by(ByteSizeItem.created_at.desc(), ByteSizeItem.id.desc())
                            .limit(page.limit).offset(page.offset)).all()
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    return list(items), total

