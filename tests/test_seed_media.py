"""The demo seed puts a playable video on the demo course's first lesson and in ByteSize, once."""

from __future__ import annotations

from sqlalchemy import func, select

from core.clock import utcnow
from core.models import ByteSizeItem, Course, Lesson, MediaObject
from s7.seed import _course
from s7.seed_media import BYTESIZE_TITLE, seed_media


def test_seed_media_is_idempotent_and_playable(session, settings, make, app, client):  # type: ignore[no-untyped-def]
    course_id = _course(session, utcnow())
    users = {"admin": make.admin(), "students": []}
    first = seed_media(session, users=users, now=utcnow(), settings=settings)
    second = seed_media(session, users=users, now=utcnow(), settings=settings)
    assert first == second
    course = session.get(Course, course_id)
    lesson = session.scalars(select(Lesson).where(Lesson.module_id == course.modules[0].id)
                             .order_by(Lesson.order_index)).first()
    assert lesson.video_url == first["demoVideo"]
    assert course.is_published is True
    key = first["demoVideo"].rsplit("/", 1)[1]
    assert session.scalar(select(func.count()).select_from(MediaObject).where(MediaObject.key == key)) == 1
    assert session.scalar(select(func.count()).select_from(ByteSizeItem)
                          .where(ByteSizeItem.title == BYTESIZE_TITLE)) == 1
    session.commit()
    assert client.get(first["demoVideo"], headers={"Range": "bytes=0-99"}).status_code == 206
