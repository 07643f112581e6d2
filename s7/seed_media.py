"""Demo media: a small playable MP4 on the demo course's first lesson and one published ByteSize item.

The video is `s7/assets/demo.mp4` (17 KB, H.264 baseline, 3 s), shipped with the code so the seed
needs no ffmpeg. Idempotent: a second run finds the lesson's video and the ByteSize item in place.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ByteSizeItem, Course, Lesson, MediaObject, Module, User
from core.services.media import key_of, store_upload
from core.settings import Settings
from core.storage import Storage, make_storage

ASSET = Path(__file__).resolve().parent / "assets" / "demo.mp4"
COURSE_TITLE = "Основы робототехники"
BYTESIZE_TITLE = "Робот за 30 секунд"


def _playable(session: Session, storage: Storage, url: str | None) -> bool:
    if not url:
        return False
    try:
        key = key_of(url)
    except Exception:  # noqa: BLE001 - any unparsable old value means "not playable"
        return False
    row = session.scalar(select(MediaObject).where(MediaObject.key == key))
    return row is not None and row.content_type.startswith("video/") and storage.exists(key)


def _demo_video(session: Session, storage: Storage, admin: User, now: datetime) -> str:
    """The demo video's canonical URL; uploads it once (found again by its content hash)."""
    import hashlib

    digest = hashlib.sha256(ASSET.read_bytes()).hexdigest()
    for row in session.scalars(select(MediaObject).where(MediaObject.sha256 == digest,
                                                         MediaObject.is_private.is_(False))):
        if storage.exists(row.key):
            return f"/api/media/{row.key}"
    with ASSET.open("rb") as stream:
        row = store_upload(session, storage, stream=stream, filename="demo.mp4", declared_type="video/mp4",
                           actor=admin, now=now, max_bytes=ASSET.stat().st_size + 1)
    return f"/api/media/{row.key}"


def seed_media(session: Session, *, users: dict[str, Any], now: datetime, settings: Settings) -> dict[str, Any]:
    storage = make_storage(settings)
    admin = users["admin"]
    url = _demo_video(session, storage, admin, now)
    lesson = session.scalar(
        select(Lesson).join(Module, Lesson.module_id == Module.id).join(Course, Module.course_id == Course.id)
        .where(Course.title == COURSE_TITLE).order_by(Module.order_index, Lesson.order_index).limit(1)
    )
    if lesson is not None and not _playable(session, storage, lesson.video_url):
        lesson.video_url = url  # only the lesson: the course's published/free/price stay as they are
    item = session.scalar(select(ByteSizeItem).where(ByteSizeItem.title == BYTESIZE_TITLE))
    if item is None:
        item = ByteSizeItem(title=BYTESIZE_TITLE, description="Как робот видит мир: датчик расстояния в деле.",
                            video_url=url, is_published=True, created_by_id=admin.id, created_at=now,
                            updated_at=now)
        session.add(item)
    elif not _playable(session, storage, item.video_url):
        item.video_url = url
    session.flush()
    return {"demoVideo": url, "bytesize": item.id}
