"""Уроки and ByteSize save through `lessons.*` / `bytesize.*`: the row and its audit event commit
together, or neither does."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.errors import Conflict
from core.models import AuditEvent, ByteSizeItem, Course, Lesson, Module
from core.services import audit
from core.storage import make_storage
from tests.admin.helpers import csrf_of, login, multipart
from tests.courses_helpers import upload


@pytest.fixture
def admin_client(client, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    assert login(client, admin).status_code == 302
    client.admin_user = admin
    return client


@pytest.fixture
def two_modules(session):  # type: ignore[no-untyped-def]
    course = Course(title="Курс", is_published=True, is_free=True, price=0)
    first, second = Module(title="Первый", order_index=0), Module(title="Второй", order_index=1)
    first.lessons.append(Lesson(title="Урок", order_index=0))
    course.modules.extend([first, second])
    session.add(course)
    session.flush()
    return first, second


def _audit_count(session, entity_id: str) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_id == entity_id))


def _lesson_body(token: str, module_id: str, title: str) -> tuple[bytes, dict[str, str]]:
    return multipart([("csrf_token", token), ("module", module_id), ("title", title), ("order_index", "3"),
                      ("content", "Текст"), ("video_url", ""), ("upload", ("", b"", "application/octet-stream")),
                      ("save", "Save")])


def test_lesson_edit_moves_it_and_writes_one_audit_event_with_the_actor(admin_client, session, two_modules):  # type: ignore[no-untyped-def]
    first, second = two_modules
    lesson = first.lessons[0]
    body, headers = _lesson_body(csrf_of(admin_client), second.id, "Переехал")
    response = admin_client.post(f"/admin/lesson/edit/{lesson.id}", content=body, headers=headers,
                                 follow_redirects=False)
    assert response.status_code == 302, response.text[:1000]
    session.expire_all()
    saved = session.get(Lesson, lesson.id)
    assert (saved.module_id, saved.title, saved.order_index) == (second.id, "Переехал", 3)
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == lesson.id)).all()
    assert [(e.action, e.actor_id) for e in events] == [("lesson.update", admin_client.admin_user.id)]
    assert events[0].data["moduleId"] == second.id


def test_lesson_save_and_its_audit_are_one_transaction(admin_client, session, two_modules, monkeypatch):  # type: ignore[no-untyped-def]
    first, _ = two_modules
    lesson = first.lessons[0]

    def failing_record(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise Conflict("Журнал действий недоступен")

    monkeypatch.setattr(audit, "record", failing_record)
    body, headers = _lesson_body(csrf_of(admin_client), first.id, "Не сохранится")
    response = admin_client.post(f"/admin/lesson/edit/{lesson.id}", content=body, headers=headers)
    assert response.status_code == 400 and "Журнал действий недоступен" in response.text
    body, headers = _lesson_body(csrf_of(admin_client), first.id, "Новый не сохранится")
    response = admin_client.post("/admin/lesson/create", content=body, headers=headers)
    assert response.status_code == 400 and "Журнал действий недоступен" in response.text
    session.expire_all()
    assert session.get(Lesson, lesson.id).title == "Урок"
    assert session.scalar(select(Lesson).where(Lesson.title == "Новый не сохранится")) is None


def test_bytesize_edit_is_audited_once_and_atomically(admin_client, session, settings, monkeypatch):  # type: ignore[no-untyped-def]
    video = upload(session, make_storage(settings), admin_client.admin_user)
    item = ByteSizeItem(title="Было", video_url=f"/api/media/{video.key}", is_published=True)
    session.add(item)
    session.flush()
    token = csrf_of(admin_client)

    def body(title: str) -> tuple[bytes, dict[str, str]]:
        return multipart([("csrf_token", token), ("title", title), ("description", ""),
                          ("video_url", item.video_url), ("cover_image_url", ""),
                          ("upload", ("", b"", "application/octet-stream")), ("save", "Save")])

    content, headers = body("Стало")
    response = admin_client.post(f"/admin/byte-size-item/edit/{item.id}", content=content, headers=headers,
                                 follow_redirects=False)
    assert response.status_code == 302, response.text[:1000]
    session.expire_all()
    assert session.get(ByteSizeItem, item.id).title == "Стало"
    assert _audit_count(session, item.id) == 1

    def failing_record(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise Conflict("Журнал действий недоступен")

    monkeypatch.setattr(audit, "record", failing_record)
    content, headers = body("Не сохранится")
    response = admin_client.post(f"/admin/byte-size-item/edit/{item.id}", content=content, headers=headers)
    assert response.status_code == 400
    session.expire_all()
    assert session.get(ByteSizeItem, item.id).title == "Стало"
    assert _audit_count(session, item.id) == 1
