"""The seed's two end-to-end checks through real HTTP: a lesson video and a ByteSize video play.

(1) admin uploads → saves on a lesson → course published → student enrols → course page → video 206.
(2) admin creates a ByteSize item → anonymous feed shows it first → video 206.
Plus: every legacy URL form an old row may hold comes back canonical and plays.
"""

from __future__ import annotations

import pytest

from core.models import ByteSizeItem, Course, Lesson, Module
from tests.courses_helpers import mp4_bytes
from tests.factories import token_for
from tests.factories_media import LEGACY_FORMS


def _upload(client, admin_headers) -> dict:  # type: ignore[no-untyped-def]
    response = client.post("/api/uploads/media", headers=admin_headers,
                           files={"file": ("lesson.mp4", mp4_bytes(), "video/mp4")})
    assert response.status_code in (200, 201), response.text
    body = response.json()
    assert body["url"].startswith("/api/media/")
    return body


def _assert_plays(client, url: str) -> None:  # type: ignore[no-untyped-def]
    assert url.startswith("/api/media/")
    response = client.get(url, headers={"Range": "bytes=0-"})
    assert response.status_code == 206, response.text
    assert response.headers["content-type"].startswith("video/mp4")
    assert response.content == mp4_bytes()


def test_lesson_video_uploaded_by_admin_plays_for_enrolled_student(app, client, make):  # type: ignore[no-untyped-def]
    admin_h, student_h = token_for(app, make.admin()), token_for(app, make.student())
    video = _upload(client, admin_h)
    course = client.post("/api/admin-courses", headers=admin_h, json={"title": "Видео-курс"}).json()
    module = client.post(f"/api/admin-courses/{course['id']}/modules", headers=admin_h,
                         json={"title": "Модуль 1"}).json()
    lesson = client.post(f"/api/admin-courses/modules/{module['id']}/lessons", headers=admin_h,
                         json={"title": "Урок 1"}).json()

    saved = client.put(f"/api/admin-courses/lessons/{lesson['id']}", headers=admin_h,
                       json={"videoUrl": video["url"]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["videoUrl"] == video["url"]
    published = client.put(f"/api/admin-courses/{course['id']}", headers=admin_h, json={"isPublished": True})
    assert published.json()["isPublished"] is True
    # The old platform's bug: a lesson (auto)save unpublished the course.
    client.put(f"/api/admin-courses/lessons/{lesson['id']}", headers=admin_h,
               json={"title": "Урок 1. Введение", "videoUrl": video["url"]}).raise_for_status()

    enrolled = client.post(f"/api/courses/{course['id']}/enroll", headers=student_h)
    assert enrolled.status_code == 200, enrolled.text
    page = client.get(f"/api/courses/{course['id']}", headers=student_h)
    assert page.status_code == 200, page.text
    assert page.json()["isPublished"] is True and page.json()["isEnrolled"] is True
    got = page.json()["modules"][0]["lessons"][0]
    assert got["title"] == "Урок 1. Введение" and got["locked"] is False
    _assert_plays(client, got["videoUrl"])


def test_bytesize_video_appears_first_in_public_feed_and_plays(app, client, make):  # type: ignore[no-untyped-def]
    admin_h = token_for(app, make.admin())
    video = _upload(client, admin_h)
    created = client.post("/api/admin/bytesize", headers=admin_h,
                          json={"videoUrl": video["url"], "title": "Как собрать робота за минуту"})
    assert created.status_code == 201, created.text
    feed = client.get("/api/bytesize")
    assert feed.status_code == 200
    first = feed.json()["items"][0]
    assert first["id"] == created.json()["id"]
    _assert_plays(client, first["videoUrl"])


@pytest.mark.parametrize("form", LEGACY_FORMS)
def test_legacy_lesson_url_comes_back_canonical_and_plays(app, client, make, session, form):  # type: ignore[no-untyped-def]
    video = _upload(client, token_for(app, make.admin()))
    course = Course(title="Старый курс", is_published=True, is_free=True, price=0)
    module = Module(title="М", order_index=0)
    module.lessons.append(Lesson(title="Старый урок", order_index=0, video_url=form.format(key=video["key"])))
    course.modules.append(module)
    session.add(course)
    session.commit()
    page = client.get(f"/api/courses/{course.id}")
    url = page.json()["modules"][0]["lessons"][0]["videoUrl"]
    assert url == video["url"]
    _assert_plays(client, url)


@pytest.mark.parametrize("form", LEGACY_FORMS)
def test_legacy_bytesize_url_comes_back_canonical_and_plays(app, client, make, session, form):  # type: ignore[no-untyped-def]
    video = _upload(client, token_for(app, make.admin()))
    from datetime import timedelta

    from core.clock import utcnow

    item = ByteSizeItem(title="Старое видео", video_url=form.format(key=video["key"]), is_published=True,
                        created_at=utcnow() + timedelta(days=1))
    session.add(item)
    session.commit()
    first = client.get("/api/bytesize").json()["items"][0]
    assert first["id"] == item.id and first["videoUrl"] == video["url"]
    _assert_plays(client, first["videoUrl"])
