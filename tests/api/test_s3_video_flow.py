"""The whole video flow on the S3 backend (real moto server): upload → lesson → course page → play,
in redirect and proxy mode; the back-office lesson form and the media doctor on S3 too."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from core.models import Lesson
from core.services import media_check, media_doctor
from s7.app import create_app
from tests.admin.helpers import ORIGIN, csrf_of, login, multipart
from tests.courses_helpers import mp4_bytes
from tests.factories import token_for
from tests.s3_server import s3_endpoint, s3_settings  # noqa: F401 - fixtures

VIDEO = mp4_bytes()


@pytest.fixture
def s3_app(s3_settings, db):  # type: ignore[no-untyped-def]  # noqa: F811
    from starlette.testclient import TestClient

    app = create_app(s3_settings, db=db)
    with TestClient(app) as client:
        yield app, client


def _play(app, client, url: str) -> None:  # type: ignore[no-untyped-def]
    """What a browser <video> does: open with `bytes=0-`, then seek into the middle."""
    if app.state.settings.s3_serve_mode == "redirect":
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code == 307, answer.text
        url, get = answer.headers["location"], httpx.get
    else:
        get = client.get
    first = get(url, headers={"Range": "bytes=0-"})
    assert first.status_code == 206 and first.content == VIDEO
    assert first.headers["content-type"] == "video/mp4"
    middle = len(VIDEO) // 2
    seek = get(url, headers={"Range": f"bytes={middle}-"})
    assert seek.status_code == 206 and seek.content == VIDEO[middle:]


@pytest.mark.parametrize("mode", ["redirect", "proxy"])
def test_upload_lesson_enrol_and_play_on_s3(s3_app, make, mode) -> None:  # type: ignore[no-untyped-def]
    app, client = s3_app
    app.state.settings.s3_serve_mode = mode
    admin_h, student_h = token_for(app, make.admin()), token_for(app, make.student())
    video = client.post("/api/uploads/media", headers=admin_h,
                        files={"file": ("урок.mp4", VIDEO, "video/mp4")}).json()
    course = client.post("/api/admin-courses", headers=admin_h, json={"title": "S3-курс"}).json()
    module = client.post(f"/api/admin-courses/{course['id']}/modules", headers=admin_h, json={"title": "М"}).json()
    lesson = client.post(f"/api/admin-courses/modules/{module['id']}/lessons", headers=admin_h,
                         json={"title": "Урок"}).json()
    legacy = "https://s7robotics.kz/media/" + video["key"]
    saved = client.put(f"/api/admin-courses/lessons/{lesson['id']}", headers=admin_h, json={"videoUrl": legacy})
    assert saved.status_code == 200 and saved.json()["videoUrl"] == video["url"], saved.text
    client.put(f"/api/admin-courses/{course['id']}", headers=admin_h,
               json={"isPublished": True, "isFree": True}).raise_for_status()
    assert client.post(f"/api/courses/{course['id']}/enroll", headers=student_h).status_code in (200, 201)
    got = client.get(f"/api/courses/{course['id']}", headers=student_h).json()["modules"][0]["lessons"][0]
    assert got["videoUrl"] == video["url"]
    _play(app, client, got["videoUrl"])
    missing = client.put(f"/api/admin-courses/lessons/{lesson['id']}", headers=admin_h,
                         json={"videoUrl": "/api/media/" + "0" * 32 + ".mp4"})
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "media_not_found"


def test_admin_lesson_form_and_media_doctor_on_s3(s3_app, session, make) -> None:  # type: ignore[no-untyped-def]
    app, client = s3_app
    from core.models import Course, Module

    course = Course(title="S3", is_published=True, is_free=True, price=0)
    module = Module(title="М", order_index=0)
    module.lessons.append(Lesson(title="Урок", order_index=0))
    course.modules.append(module)
    session.add(course)
    session.flush()
    lesson = module.lessons[0]
    admin = make.admin()
    login(client, admin)
    token = csrf_of(client)
    body, headers = multipart([("csrf_token", token), ("module", module.id), ("title", "Урок"), ("order_index", "0"),
                               ("content", ""), ("video_url", ""), ("upload", ("clip.mp4", VIDEO, "video/mp4")),
                               ("save", "Save")])
    saved = client.post(f"/admin/lesson/edit/{lesson.id}", content=body, headers=headers, follow_redirects=False)
    assert saved.status_code == 302, saved.text[-2000:]
    url = session.scalar(select(Lesson.video_url).where(Lesson.id == lesson.id))
    assert url.startswith("/api/media/")
    _play(app, client, url)

    storage = app.state.storage
    report = media_doctor.scan(session, storage, actor=admin)
    assert report.counts["missing_object"] == 0 and report.counts["ok"] >= 1
    check = client.post("/admin/media-doctor", headers=ORIGIN, data={"csrf_token": token, "op": "check", "url": url})
    assert "HTTP 307" in check.text and "НЕ отдаётся" not in check.text
    result = media_check.check_url(session, storage, url, actor=admin)
    assert result.exists and result.size == len(VIDEO) and result.content_type == "video/mp4"
