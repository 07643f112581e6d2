"""Statements per request do not grow with the size of the feed or the course (no N+1)."""

from __future__ import annotations

from core.clock import utcnow
from core.models import ByteSizeItem, Course, Lesson, LessonQuestion, Module
from tests.factories import token_for


def _feed(session, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        session.add(ByteSizeItem(title=f"Видео {i}", video_url=f"/media/v{i}.mp4", is_published=True,
                                 created_at=utcnow()))
    session.flush()


def _course(session, modules: int, lessons: int) -> Course:  # type: ignore[no-untyped-def]
    course = Course(title="Робототехника", is_published=True, is_free=True, price=0, created_at=utcnow())
    for m in range(modules):
        module = Module(title=f"Модуль {m}", order_index=m)
        for k in range(lessons):
            lesson = Lesson(title=f"Урок {k}", order_index=k, video_url=f"/media/l{m}-{k}.mp4")
            lesson.questions.append(LessonQuestion(text="Вопрос?", options=["a", "b"], correct_answer="a",
                                                   order_index=0))
            module.lessons.append(lesson)
        course.modules.append(module)
    session.add(course)
    session.flush()
    return course


def test_feed_statements_do_not_grow_with_the_page(client, session, make, count_queries) -> None:  # type: ignore[no-untyped-def]
    _feed(session, 25)
    headers = token_for(client.app, make.student())  # signed in: the handler runs (no public cache)
    counts = {}
    for limit in (2, 20):
        with count_queries() as n:
            answer = client.get(f"/api/bytesize?limit={limit}", headers=headers)
        assert answer.status_code == 200 and len(answer.json()["items"]) == limit
        counts[limit] = n()
    assert counts[2] == counts[20] <= 3, counts  # actor, page, total


def test_course_statements_do_not_grow_with_the_course(client, session, make, count_queries) -> None:  # type: ignore[no-untyped-def]
    """Cold: actor, version, course, modules, lessons, questions, enrolment. Warm (structure unchanged
    since the last request, in this process): actor, version, enrolment."""
    student = make.student()
    headers = token_for(client.app, student)
    counts = {}
    for size in ((1, 1), (5, 10)):
        course = _course(session, *size)
        make.course_enrollment(course, student)
        for attempt in ("cold", "warm"):
            with count_queries() as n:
                answer = client.get(f"/api/courses/{course.id}", headers=headers)
            assert answer.status_code == 200 and answer.json()["isEnrolled"] is True
            assert sum(len(m["lessons"]) for m in answer.json()["modules"]) == size[0] * size[1]
            counts[size, attempt] = n()
    assert counts[(1, 1), "cold"] == counts[(5, 10), "cold"] <= 7, counts
    assert counts[(1, 1), "warm"] == counts[(5, 10), "warm"] == 3, counts


def test_a_lesson_edit_reaches_the_next_page_view(client, session, make) -> None:  # type: ignore[no-untyped-def]
    student = make.student()
    headers = token_for(client.app, student)
    course = _course(session, 1, 2)
    make.course_enrollment(course, student)
    assert client.get(f"/api/courses/{course.id}", headers=headers).status_code == 200  # cached now
    lesson_id = course.modules[0].lessons[1].id
    admin = token_for(client.app, make.admin())
    assert client.put(f"/api/admin-courses/lessons/{lesson_id}", headers=admin,
                      json={"title": "Переименован"}).status_code == 200
    titles = [lesson["title"] for lesson in client.get(f"/api/courses/{course.id}",
                                                        headers=headers).json()["modules"][0]["lessons"]]
    assert titles == ["Урок 0", "Переименован"]
