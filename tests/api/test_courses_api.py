"""Course and ByteSize API doors: validation, permissions, error bodies."""

from __future__ import annotations

import pytest

from core.models import Course, Lesson, Module
from tests.factories import token_for


@pytest.fixture
def paid_course(session):  # type: ignore[no-untyped-def]
    course = Course(title="Платный", is_published=True, is_free=False, price=9000)
    module = Module(title="М", order_index=0)
    module.lessons.append(Lesson(title="Л", order_index=0, video_url="/api/media/" + "a" * 32 + ".mp4"))
    course.modules.append(module)
    session.add(course)
    session.flush()
    return course


def test_unknown_lesson_fields_are_422(app, client, make, paid_course):  # type: ignore[no-untyped-def]
    lesson_id = paid_course.modules[0].lessons[0].id
    response = client.put(f"/api/admin-courses/lessons/{lesson_id}", headers=token_for(app, make.admin()),
                          json={"title": "x", "isPublished": False})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "isPublished"


def test_external_video_url_is_refused(app, client, make, paid_course):  # type: ignore[no-untyped-def]
    lesson_id = paid_course.modules[0].lessons[0].id
    response = client.put(f"/api/admin-courses/lessons/{lesson_id}", headers=token_for(app, make.admin()),
                          json={"videoUrl": "https://youtu.be/xyz"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "external_url_not_allowed"


def test_lesson_edit_permissions(app, client, make, paid_course):  # type: ignore[no-untyped-def]
    url = f"/api/admin-courses/lessons/{paid_course.modules[0].lessons[0].id}"
    assert client.put(url, json={"title": "x"}).status_code == 401
    assert client.put(url, headers=token_for(app, make.student()), json={"title": "x"}).status_code == 403
    assert client.put(url, headers=token_for(app, make.support()), json={"title": "x"}).status_code == 403
    assert client.put("/api/admin-courses/lessons/nope", headers=token_for(app, make.admin()),
                      json={"title": "x"}).status_code == 404


def test_paid_course_is_locked_and_enrol_needs_payment(app, client, make, paid_course):  # type: ignore[no-untyped-def]
    student = token_for(app, make.student())
    lesson = client.get(f"/api/courses/{paid_course.id}", headers=student).json()["modules"][0]["lessons"][0]
    assert lesson["locked"] is True and lesson["videoUrl"] is None
    response = client.post(f"/api/courses/{paid_course.id}/enroll", headers=student)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "payment_required"
    assert client.post(f"/api/courses/{paid_course.id}/enroll").status_code == 401


def test_unpublished_course_is_404(app, client, make, session):  # type: ignore[no-untyped-def]
    course = Course(title="Черновик", is_published=False, is_free=True, price=0)
    session.add(course)
    session.flush()
    assert client.get(f"/api/courses/{course.id}").status_code == 404
    assert client.get(f"/api/courses/{course.id}", headers=token_for(app, make.student())).status_code == 404
    assert client.get(f"/api/courses/{course.id}", headers=token_for(app, make.admin())).status_code == 200
    assert client.post(f"/api/courses/{course.id}/enroll",
                       headers=token_for(app, make.student())).status_code == 404


def test_bytesize_create_validation_and_permissions(app, client, make):  # type: ignore[no-untyped-def]
    admin = token_for(app, make.admin())
    assert client.post("/api/admin/bytesize", json={"videoUrl": "x", "title": "t"}).status_code == 401
    assert client.post("/api/admin/bytesize", headers=token_for(app, make.student()),
                       json={"videoUrl": "x", "title": "t"}).status_code == 403
    missing = client.post("/api/admin/bytesize", headers=admin, json={"title": "t"})
    assert missing.status_code == 422
    gone = client.post("/api/admin/bytesize", headers=admin,
                       json={"title": "t", "videoUrl": "/media/" + "b" * 32 + ".mp4"})
    assert gone.status_code == 422 and gone.json()["error"]["code"] == "media_not_found"
    assert client.post("/api/admin/bytesize/nope/publish", headers=admin).status_code == 404


def test_feed_pagination_bounds(client):  # type: ignore[no-untyped-def]
    assert client.get("/api/bytesize?limit=0").status_code == 422
    assert client.get("/api/bytesize?limit=101").status_code == 422
    body = client.get("/api/bytesize?limit=5&offset=0").json()
    assert body["limit"] == 5 and isinstance(body["items"], list)
    assert client.get("/api/courses?limit=abc").status_code == 422


def test_complete_and_answer_through_http(app, client, make, session):  # type: ignore[no-untyped-def]
    from core.models import LessonQuestion

    course = Course(title="Бесплатный", is_published=True, is_free=True, price=0)
    module = Module(title="М", order_index=0)
    lesson = Lesson(title="Л", order_index=0)
    lesson.questions.append(LessonQuestion(text="?", options=["да", "нет"], correct_answer="да"))
    module.lessons.append(lesson)
    course.modules.append(module)
    session.add(course)
    session.flush()
    student = token_for(app, make.student())
    done = client.post(f"/api/courses/{course.id}/lessons/{lesson.id}/complete", headers=student)
    assert done.json()["xpAwarded"] == 10
    assert client.post(f"/api/courses/{course.id}/lessons/{lesson.id}/complete",
                       headers=student).json()["xpAwarded"] == 0
    qid = lesson.questions[0].id
    first = client.post(f"/api/courses/{course.id}/questions/{qid}/answer", headers=student, json={"answer": "Да"})
    assert first.json() == {"isCorrect": True, "xpAwarded": 20, "missionXpAwarded": 0}
    again = client.post(f"/api/courses/{course.id}/questions/{qid}/answer", headers=student, json={"answer": "да"})
    assert again.json() == {"isCorrect": True, "xpAwarded": 0, "missionXpAwarded": 0}
    assert client.get("/api/me", headers=student).json()["experiencePoints"] == 30


def test_feed_pages_are_stable_when_created_at_ties(client, session):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from core.clock import utcnow
    from core.models import ByteSizeItem

    when = utcnow() + timedelta(days=4000)  # ahead of every other row: these are the first pages
    items = [ByteSizeItem(title=f"Байт {i}", video_url="/media/" + f"{i:032x}" + ".mp4", is_published=True,
                          created_at=when) for i in range(7)]
    session.add_all(items)
    session.flush()
    seen: list[str] = []
    for offset in range(0, 8, 2):
        page = client.get(f"/api/bytesize?limit=2&offset={offset}").json()["items"]
        seen += [i["id"] for i in page if i["id"] in {x.id for x in items}]
    assert seen == sorted((x.id for x in items), reverse=True)  # each once, in one fixed order
    assert all(i["videoUrl"].startswith("/api/media/") for i in client.get("/api/bytesize?limit=7").json()["items"])
