"""ByteSize at the service layer (SPEC §3 bug 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import utcnow
from core.errors import Forbidden, Invalid
from core.models import AuditEvent, ByteSizeItem
from core.services import bytesize
from core.services.pagination import Page
from core.storage import make_storage
from tests.courses_helpers import upload


@pytest.fixture
def storage(settings):  # type: ignore[no-untyped-def]
    return make_storage(settings)


def _create(session, storage, admin, **fields):  # type: ignore[no-untyped-def]
    now = fields.pop("now", utcnow())
    video = upload(session, storage, admin)
    values = {"title": "Видео", "video_url": f"/media/{video.key}", **fields}
    return bytesize.create_item(session, storage, actor=admin, fields=values, now=now)


def test_create_publishes_by_default_with_canonical_url(session, storage, make):  # type: ignore[no-untyped-def]
    item = _create(session, storage, make.admin())
    assert item.is_published and item.video_url.startswith("/api/media/")


def test_video_is_required_and_must_be_a_video(session, storage, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    with pytest.raises(Invalid) as info:
        bytesize.create_item(session, storage, actor=admin, fields={"title": "x"}, now=utcnow())
    assert info.value.code == "video_required"
    image = upload(session, storage, admin, kind="image")
    with pytest.raises(Invalid) as info:
        bytesize.create_item(session, storage, actor=admin, now=utcnow(),
                             fields={"title": "x", "video_url": f"/api/media/{image.key}"})
    assert info.value.code == "wrong_media_type"
    with pytest.raises(Invalid) as info:
        _create(session, storage, admin, cover_image_url="https://example.com/c.png")
    assert info.value.code == "external_url_not_allowed"


def test_cover_must_be_an_image(session, storage, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    cover = upload(session, storage, admin, kind="image")
    item = _create(session, storage, admin, cover_image_url=cover.key)
    assert item.cover_image_url == f"/api/media/{cover.key}"


def test_only_admins_create(session, storage, make):  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        bytesize.create_item(session, storage, actor=make.support(), fields={"title": "x"}, now=utcnow())


def test_feed_newest_first_published_only_stable(session, storage, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    base = utcnow() + timedelta(days=3650)  # ahead of anything else in the database
    old = _create(session, storage, admin, title="Старое", now=base)
    same_a = _create(session, storage, admin, title="A", now=base + timedelta(seconds=1))
    same_b = _create(session, storage, admin, title="B", now=base + timedelta(seconds=1))
    hidden = _create(session, storage, admin, title="Скрыто", is_published=False, now=base + timedelta(seconds=2))
    items, total = bytesize.list_feed(session, page=Page(3, 0))
    tie = sorted([same_a.id, same_b.id], reverse=True)
    assert [i.id for i in items] == [*tie, old.id]
    assert hidden.id not in [i.id for i in items]
    second, _ = bytesize.list_feed(session, page=Page(2, 1))
    assert [i.id for i in second] == [tie[1], old.id]
    assert total >= 3


def test_publish_and_unpublish_are_audited(session, storage, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    item = _create(session, storage, admin, is_published=False)
    bytesize.set_published(session, storage, actor=admin, item_id=item.id, published=True, now=utcnow())
    bytesize.set_published(session, storage, actor=admin, item_id=item.id, published=False, now=utcnow())
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == item.id)).all()
    assert {"bytesize.create", "bytesize.publish", "bytesize.unpublish"} <= set(actions)


def test_item_without_playable_video_cannot_be_published(session, storage, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    item = ByteSizeItem(title="Старая запись", video_url="/media/missing-123.mp4", is_published=False)
    session.add(item)
    session.flush()
    with pytest.raises(Invalid) as info:
        bytesize.set_published(session, storage, actor=admin, item_id=item.id, published=True, now=utcnow())
    assert info.value.code == "media_not_found"


def test_update_cannot_remove_the_video(session, storage, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    item = _create(session, storage, admin)
    with pytest.raises(Invalid):
        bytesize.update_item(session, storage, actor=admin, item_id=item.id, fields={"video_url": None},
                             now=utcnow())
    updated = bytesize.update_item(session, storage, actor=admin, item_id=item.id, now=utcnow(),
                                   fields={"title": "Новое", "description": "  "})
    assert updated.title == "Новое" and updated.description is None
