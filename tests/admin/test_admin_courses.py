"""Back-office: lesson and ByteSize forms upload the video and save its URL in one step."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from core.models import AuditEvent, ByteSizeItem, Course, Lesson, MediaObject, Module
from core.storage import make_storage
from tests.admin.helpers import ORIGIN, csrf_of, login, multipart
from tests.courses_helpers import mp4_bytes, upload


@pytest.fixture
def admin_client(client, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    assert login(client, admin).status_code == 302
    client.admin_user = admin
    return client


@pytest.fixture
def lesson(session, settings, make):  # type: ignore[no-untyped-def]
    course = Course(title="Опубликованный", is_published=True, is_free=False, price=7000)
    module = Module(title="Модуль", order_index=0)
    module.lessons.append(Lesson(title="Урок", order_index=0))
    course.modules.append(module)
    session.add(course)
    session.flush()
    return module.lessons[0]


def _lesson_parts(token: str, lesson: Lesson, **over: object) -> list:
    parts = [("csrf_token", token), ("module", lesson.module_id), ("title", over.get("title", lesson.title)),
             ("order_index", "0"), ("content", "Текст"), ("video_url", over.get("video_url", lesson.video_url or ""))]
    parts.append(("upload", over.get("upload", ("", b"", "application/octet-stream"))))
    parts.append(("save", "Save"))
    return parts


def test_lesson_edit_uploads_video_and_keeps_course_published(admin_client, session, lesson):  # type: ignore[no-untyped-def]
    token = csrf_of(admin_client)
    body, headers = multipart(_lesson_parts(token, lesson, upload=("урок.mp4", mp4_bytes(), "video/mp4")))
    response = admin_client.post(f"/admin/lesson/edit/{lesson.id}", content=body, headers=headers,
                                 follow_redirects=False)
    assert response.status_code == 302, response.text[:2000]
    session.expire_all()
    saved = session.get(Lesson, lesson.id)
    assert saved.video_url and saved.video_url.startswith("/api/media/")
    key = saved.video_url.rsplit("/", 1)[1]
    assert session.scalar(select(MediaObject).where(MediaObject.key == key)).content_type == "video/mp4"
    course = session.get(Course, saved.module.course_id)
    assert (course.is_published, course.is_free, course.price) == (True, False, 7000)
    assert admin_client.get(saved.video_url, headers={"Range": "bytes=0-"}).status_code == 206
    page = admin_client.get(f"/admin/lesson/edit/{lesson.id}")
    assert f'<video controls preload="metadata" src="{saved.video_url}"' in page.text
    details = admin_client.get(f"/admin/lesson/details/{lesson.id}")
    assert f'src="{saved.video_url}"' in details.text
    assert session.scalar(select(AuditEvent).where(AuditEvent.entity_id == lesson.id,
                                                   AuditEvent.action == "lesson.update")) is not None


def test_no_file_chosen_keeps_typed_url_normalised(admin_client, session, settings, lesson):  # type: ignore[no-untyped-def]
    video = upload(session, make_storage(settings), admin_client.admin_user)
    token = csrf_of(admin_client)
    body, headers = multipart(_lesson_parts(token, lesson, title="Новое имя", video_url=f"/media/{video.key}"))
    response = admin_client.post(f"/admin/lesson/edit/{lesson.id}", content=body, headers=headers,
                                 follow_redirects=False)
    assert response.status_code == 302, response.text[:2000]
    session.expire_all()
    saved = session.get(Lesson, lesson.id)
    assert (saved.title, saved.video_url) == ("Новое имя", f"/api/media/{video.key}")
    assert session.get(Course, saved.module.course_id).is_published is True


@pytest.mark.parametrize("bad", ["https://youtu.be/abc", "/api/media/" + "c" * 32 + ".mp4"])
def test_bad_typed_url_is_a_form_error_not_a_500(admin_client, session, lesson, bad):  # type: ignore[no-untyped-def]
    token = csrf_of(admin_client)
    body, headers = multipart(_lesson_parts(token, lesson, video_url=bad))
    response = admin_client.post(f"/admin/lesson/edit/{lesson.id}", content=body, headers=headers)
    assert response.status_code == 400
    assert "alert-danger" in response.text
    session.expire_all()
    assert session.get(Lesson, lesson.id).video_url is None


def test_uploading_a_non_video_is_a_form_error(admin_client, lesson):  # type: ignore[no-untyped-def]
    token = csrf_of(admin_client)
    body, headers = multipart(_lesson_parts(token, lesson, upload=("a.mp4", b"not a video at all" * 10, "video/mp4")))
    response = admin_client.post(f"/admin/lesson/edit/{lesson.id}", content=body, headers=headers)
    assert response.status_code == 400 and "alert-danger" in response.text


def test_bytesize_create_with_upload_then_unpublish_and_publish(admin_client, client, session):  # type: ignore[no-untyped-def]
    token = csrf_of(admin_client)
    title = f"Робот за минуту {uuid.uuid4().hex[:6]}"
    body, headers = multipart([("csrf_token", token), ("title", title), ("description", "Коротко"),
                               ("video_url", ""), ("cover_image_url", ""),
                               ("upload", ("clip.mp4", mp4_bytes(), "video/mp4")), ("save", "Save")])
    response = admin_client.post("/admin/byte-size-item/create", content=body, headers=headers,
                                 follow_redirects=False)
    assert response.status_code == 302, response.text[:2000]
    item = session.scalar(select(ByteSizeItem).where(ByteSizeItem.title == title))
    assert item.is_published and item.video_url.startswith("/api/media/")
    assert item.created_by_id == admin_client.admin_user.id
    assert client.get("/api/bytesize").json()["items"][0]["id"] == item.id

    # The GET action only shows the confirmation dialog; nothing changes.
    page = admin_client.get(f"/admin/byte-size-item/action/unpublish?pks={item.id}")
    assert page.status_code == 200 and "Снять с публикации" in page.text
    session.expire_all()
    assert session.get(ByteSizeItem, item.id).is_published is True

    done = admin_client.post("/admin/byte-size-item/form-action/unpublish", headers=ORIGIN,
                             data={"csrf_token": token, "pks": item.id}, follow_redirects=False)
    assert done.status_code == 303
    session.expire_all()
    assert session.get(ByteSizeItem, item.id).is_published is False
    assert item.id not in [i["id"] for i in client.get("/api/bytesize").json()["items"]]
    admin_client.post("/admin/byte-size-item/form-action/publish", headers=ORIGIN,
                      data={"csrf_token": token, "pks": item.id}, follow_redirects=False)
    session.expire_all()
    assert session.get(ByteSizeItem, item.id).is_published is True
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == item.id)).all())
    assert {"bytesize.create", "bytesize.unpublish", "bytesize.publish"} <= actions
    details = admin_client.get(f"/admin/byte-size-item/details/{item.id}")
    assert f'<video controls preload="metadata" src="{item.video_url}"' in details.text


def test_bytesize_create_without_video_is_a_form_error(admin_client):  # type: ignore[no-untyped-def]
    token = csrf_of(admin_client)
    body, headers = multipart([("csrf_token", token), ("title", "Без видео"), ("video_url", ""),
                               ("upload", ("", b"", "application/octet-stream")), ("save", "Save")])
    response = admin_client.post("/admin/byte-size-item/create", content=body, headers=headers)
    assert response.status_code == 400 and "Загрузите видео" in response.text


def test_admin_pages_render(admin_client, lesson):  # type: ignore[no-untyped-def]
    for path in ("/admin/course/list", "/admin/module/list", "/admin/lesson/list", "/admin/byte-size-item/list",
                 "/admin/lesson/create", "/admin/byte-size-item/create", f"/admin/lesson/edit/{lesson.id}"):
        assert admin_client.get(path).status_code == 200, path


def test_lesson_create_form_uploads_and_never_touches_the_course(admin_client, session, lesson):  # type: ignore[no-untyped-def]
    token = csrf_of(admin_client)
    parts = [("csrf_token", token), ("module", lesson.module_id), ("title", "Новый урок"), ("order_index", "1"),
             ("content", "Текст"), ("video_url", ""), ("upload", ("НОВЫЙ.MP4", mp4_bytes(), "video/mp4")),
             # A crafted form cannot reach the course: unknown fields are ignored.
             ("is_published", "false"), ("price", "0"), ("is_free", "y"), ("save", "Save")]
    body, headers = multipart(parts)
    response = admin_client.post("/admin/lesson/create", content=body, headers=headers, follow_redirects=False)
    assert response.status_code == 302, response.text[:2000]
    created = session.scalar(select(Lesson).where(Lesson.title == "Новый урок", Lesson.module_id == lesson.module_id))
    assert created.video_url.startswith("/api/media/") and created.video_url.endswith(".mp4")
    course = session.get(Course, created.module.course_id)
    session.refresh(course)
    assert (course.is_published, course.is_free, course.price) == (True, False, 7000)
    assert session.scalar(select(AuditEvent).where(AuditEvent.entity_id == created.id,
                                                   AuditEvent.action == "lesson.create")) is not None


@pytest.mark.parametrize("target", ["edit", "create"])
@pytest.mark.parametrize(("value", "message"), [
    ("https://www.youtube.com/watch?v=abc", "Внешние ссылки не принимаются"),
    ("/api/media/" + "c" * 32 + ".mp4", "Файл не найден в хранилище"),
    ("image", "Неверный тип файла: нужно видео"),
    ("../../etc/passwd", "Некорректная ссылка на медиафайл"),
])
def test_lesson_form_refuses_bad_urls_with_the_russian_message(admin_client, session, settings, lesson,
                                                                target, value, message):  # type: ignore[no-untyped-def]
    if value == "image":
        value = "/media/" + upload(session, make_storage(settings), admin_client.admin_user, kind="image").key
    token = csrf_of(admin_client)
    body, headers = multipart(_lesson_parts(token, lesson, title="Плохая ссылка", video_url=value))
    path = f"/admin/lesson/edit/{lesson.id}" if target == "edit" else "/admin/lesson/create"
    response = admin_client.post(path, content=body, headers=headers)
    assert response.status_code == 400 and message in response.text
    session.expire_all()
    assert session.get(Lesson, lesson.id).video_url is None
    assert session.scalar(select(Lesson).where(Lesson.title == "Плохая ссылка")) is None


def _course_form(token: str, **over: str) -> dict[str, str]:
    data = {"csrf_token": token, "title": "Курс из админки", "description": "", "cover_url": "",
            "is_published": "y", "price": "0", "is_free": "y", "save": "Save"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(("over", "message"), [
    ({"cover_url": "https://www.youtube.com/watch?v=abc"}, "Внешние ссылки не принимаются"),
    ({"cover_url": "/media/" + "b" * 32 + ".png"}, "Файл не найден в хранилище"),
    ({"is_free": None, "price": "0"}, "Укажите цену платного курса"),
])
def test_course_form_goes_through_the_service_rules(admin_client, session, over, message):  # type: ignore[no-untyped-def]
    token = csrf_of(admin_client)
    title = f"Курс {uuid.uuid4().hex[:6]}"
    response = admin_client.post("/admin/course/create", data=_course_form(token, title=title, **over),
                                 headers=ORIGIN)
    assert response.status_code == 400 and message in response.text
    assert session.scalar(select(Course).where(Course.title == title)) is None


def test_course_form_saves_a_canonical_cover_and_is_audited(admin_client, session, settings):  # type: ignore[no-untyped-def]
    cover = upload(session, make_storage(settings), admin_client.admin_user, kind="image")
    token = csrf_of(admin_client)
    title = f"Курс {uuid.uuid4().hex[:6]}"
    created = admin_client.post("/admin/course/create", headers=ORIGIN, follow_redirects=False,
                                data=_course_form(token, title=title, cover_url=f"https://s7robotics.kz/media/{cover.key}"))
    assert created.status_code == 302, created.text[-2000:]
    course = session.scalar(select(Course).where(Course.title == title))
    assert course.cover_url == f"/api/media/{cover.key}" and course.is_published and course.is_free
    edited = admin_client.post(f"/admin/course/edit/{course.id}", headers=ORIGIN, follow_redirects=False,
                               data=_course_form(token, title=title, cover_url=course.cover_url, is_free=None,
                                                 price="12000"))
    assert edited.status_code == 302, edited.text[-2000:]
    session.expire_all()
    fresh = session.get(Course, course.id)
    assert (fresh.is_free, fresh.price) == (False, 12000)
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == course.id)))
    assert {"course.create", "course.update"} <= actions
