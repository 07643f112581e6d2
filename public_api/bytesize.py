"""ByteSize: the public feed (no auth) and admin create/edit/publish/unpublish."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from core.models import ByteSizeItem
from core.services import bytesize, cache_versions
from core.services.bytesize import MAX_DESCRIPTION_CHARS
from core.services.clean import MAX_TITLE_CHARS
from core.services.pagination import Page
from public_api.http import Ctx, api
from public_api.validation import (
    ApiModel,
    MediaUrlOut,
    MultiLine,
    NotBlank,
    OutModel,
    PageQuery,
    RequiredOneLine,
    not_null,
)


class ByteSizeIn(ApiModel):
    video_url: NotBlank
    title: RequiredOneLine = Field(max_length=MAX_TITLE_CHARS)
    description: MultiLine | None = Field(default=None, max_length=MAX_DESCRIPTION_CHARS)
    cover_image_url: str | None = None
    is_published: bool = True


class ByteSizePatch(ApiModel):
    """Only the fields sent are changed. The video can be replaced, not removed (null is refused)."""

    video_url: NotBlank | None = not_null()
    title: RequiredOneLine | None = not_null(max_length=MAX_TITLE_CHARS)
    description: MultiLine | None = Field(default=None, max_length=MAX_DESCRIPTION_CHARS)
    cover_image_url: str | None = None
    is_published: bool | None = not_null()


class ByteSizeOut(OutModel):
    id: str
    title: str
    description: str | None
    video_url: MediaUrlOut
    cover_image_url: MediaUrlOut
    is_published: bool
    created_at: datetime
    updated_at: datetime | None


class ByteSizeListOut(OutModel):
    items: list[ByteSizeOut]
    total: int
    limit: int
    offset: int


@api("/api/bytesize", "GET", query=PageQuery, response=ByteSizeListOut, auth_mode="none", tag="bytesize",
     cache=cache_versions.BYTESIZE)
def bytesize_feed(ctx: Ctx, query: PageQuery) -> dict:
    """Published ByteSize videos, newest first."""
    page = Page.of(query.limit, query.offset)
    items, total = bytesize.list_feed(ctx.session, page=page)
    return {"items": items, "total": total, "limit": page.limit,
            "offset": page.offset}


@api("/api/admin/bytesize", "POST", body=ByteSizeIn, response=ByteSizeOut, status=201,
     tag="bytesize", auth_mode="admin")
def create_bytesize(ctx: Ctx, body: ByteSizeIn) -> ByteSizeItem:
    """Create (and by default publish) a ByteSize video (admin)."""
    item = bytesize.create_item(ctx.session, ctx.storage, actor=ctx.actor, fields=body.model_dump(),
                                now=ctx.now)
    return item


@api("/api/admin/bytesize/{item_id}", "PUT", body=ByteSizePatch, response=ByteSizeOut,
     tag="bytesize", auth_mode="admin")
def update_bytesize(ctx: Ctx, body: ByteSizePatch, item_id: str) -> ByteSizeItem:
    """Edit a ByteSize video (admin)."""
    item = bytesize.update_item(ctx.session, ctx.storage, actor=ctx.actor, item_id=item_id,
                                fields=body.model_dump(exclude_unset=True), now=ctx.now)
    return item


@api("/api/admin/bytesize/{item_id}/publish", "POST", response=ByteSizeOut, tag="bytesize", auth_mode="admin")
def publish_bytesize(ctx: Ctx, item_id: str) -> ByteSizeItem:
    """Show the video in the public feed (admin)."""
    item = bytesize.set_published(ctx.session, ctx.storage, actor=ctx.actor, item_id=item_id,
                                  published=True, now=ctx.now)
    return item


@api("/api/admin/bytesize/{item_id}/unpublish", "POST", response=ByteSizeOut, tag="bytesize", auth_mode="admin")
def unpublish_bytesize(ctx: Ctx, item_id: str) -> ByteSizeItem:
    """Hide the video from the public feed (admin)."""
    item = bytesize.set_published(ctx.session, ctx.storage, actor=ctx.actor, item_id=item_id,
                                  published=False, now=ctx.now)
    return item


routes = [bytesize_feed, create_bytesize, update_bytesize, publish_bytesize, unpublish_bytesize]
