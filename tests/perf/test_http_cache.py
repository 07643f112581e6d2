"""Public JSON (feed, courses, plans): a strong ETag checked with one statement, 304 without a body,
invalidated by every write through the services; user-specific answers are private."""

from __future__ import annotations

import pytest

from core.clock import utcnow
from core.models import ByteSizeItem
from core.services import cache_versions
from tests.factories import token_for


def _item(session, title: str = "Видео") -> ByteSizeItem:  # type: ignore[no-untyped-def]
    item = ByteSizeItem(title=title, video_url="/media/feed.mp4", is_published=True, created_at=utcnow())
    session.add(item)
    session.flush()
    return item


def test_feed_revalidates_with_one_statement_and_no_body(client, session, count_queries) -> None:  # type: ignore[no-untyped-def]
    _item(session)
    first = client.get("/api/bytesize?limit=20")
    assert first.status_code == 200 and first.json()["total"] == 1
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"] == "public, no-cache" and first.headers["vary"] == "Authorization"
    with count_queries() as n:
        again = client.get("/api/bytesize?limit=20", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert n() == 1  # the version row, nothing else
    with count_queries() as n:
        plain = client.get("/api/bytesize?limit=20")
    assert plain.content == first.content and plain.headers["etag"] == etag and n() == 1
    # Another page is another body: another tag.
    assert client.get("/api/bytesize?limit=5").headers["etag"] != etag


def test_an_admin_change_through_the_api_changes_the_tag(client, session, make) -> None:  # type: ignore[no-untyped-def]
    item = _item(session)
    admin = token_for(client.app, make.admin())
    etag = client.get("/api/bytesize").headers["etag"]
    assert client.post(f"/api/admin/bytesize/{item.id}/unpublish", headers=admin).status_code == 200
    after = client.get("/api/bytesize", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.json()["items"] == [] and after.headers["etag"] != etag


def test_a_failed_write_changes_nothing(client, session, make) -> None:  # type: ignore[no-untyped-def]
    _item(session)
    admin = token_for(client.app, make.admin())
    etag = client.get("/api/bytesize").headers["etag"]
    refused = client.put("/api/admin/bytesize/nope", headers=admin, json={"title": "x"})
    assert refused.status_code == 404
    assert client.get("/api/bytesize", headers={"If-None-Match": etag}).status_code == 304


def test_course_public_for_anonymous_private_for_a_student(client, session, make) -> None:  # type: ignore[no-untyped-def]
    course = make.course()
    student = make.student()
    make.course_enrollment(course, student)
    anonymous = client.get(f"/api/courses/{course.id}")
    assert anonymous.status_code == 200 and anonymous.headers["cache-control"] == "public, no-cache"
    etag = anonymous.headers["etag"]
    mine = client.get(f"/api/courses/{course.id}", headers=token_for(client.app, student))
    assert mine.status_code == 200 and mine.json()["isEnrolled"] is True
    assert mine.headers["cache-control"] == "private, no-cache" and "etag" not in mine.headers
    # An admin renames a lesson: the course's tag changes; the course list's too.
    listed = client.get("/api/courses").headers["etag"]
    lesson_id = course.modules[0].lessons[0].id
    admin = token_for(client.app, make.admin())
    assert client.put(f"/api/admin-courses/lessons/{lesson_id}", headers=admin,
                      json={"title": "Новое название"}).status_code == 200
    after = client.get(f"/api/courses/{course.id}", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert after.json()["modules"][0]["lessons"][0]["title"] == "Новое название"
    assert client.get("/api/courses", headers={"If-None-Match": listed}).status_code == 200


def test_unpublished_course_is_not_cached_for_anonymous(client, make) -> None:  # type: ignore[no-untyped-def]
    course = make.course(is_published=False)
    answer = client.get(f"/api/courses/{course.id}")
    assert answer.status_code == 404 and "etag" not in answer.headers


def test_plans_follow_plan_edits(client, session, make) -> None:  # type: ignore[no-untyped-def]
    plan = make.plan()
    first = client.get("/api/plans")
    assert first.status_code == 200 and "etag" in first.headers
    version = cache_versions.version_of(session, cache_versions.PLANS)
    plan.title = "Новый тариф"
    session.flush()
    assert cache_versions.version_of(session, cache_versions.PLANS) == (version or 0) + 1
    after = client.get("/api/plans", headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and "Новый тариф" in after.text


def test_bulk_statements_bump_too(session) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    before = cache_versions.version_of(session, cache_versions.BYTESIZE)
    session.execute(update(ByteSizeItem).where(ByteSizeItem.id == "none").values(title="x"))
    assert cache_versions.version_of(session, cache_versions.BYTESIZE) == (before or 0) + 1


def test_private_answers_say_so(client, make) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/api/me", headers=token_for(client.app, make.student()))
    assert answer.status_code == 200 and answer.headers["cache-control"] == "private, no-cache"


def test_a_repeated_anonymous_get_is_answered_before_routing(client, session, make, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _item(session)
    first = client.get("/api/bytesize?limit=20")

    def no_handler(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the route ran")

    import public_api.http

    monkeypatch.setattr(public_api.http, "run_in_threadpool", no_handler)
    again = client.get("/api/bytesize?limit=20")
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == "public, no-cache" and again.headers["vary"] == "Authorization"
    revalidated = client.get("/api/bytesize?limit=20", headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304
    # Not for a caller with a token, another query, or after a change: those go to the route.
    with pytest.raises(AssertionError, match="the route ran"):
        client.get("/api/bytesize?limit=20", headers=token_for(client.app, make.student()))
    with pytest.raises(AssertionError, match="the route ran"):
        client.get("/api/bytesize?limit=21")
    _item(session, "Ещё видео")
    with pytest.raises(AssertionError, match="the route ran"):
        client.get("/api/bytesize?limit=20")


def test_a_bad_query_is_refused_every_time(client, session) -> None:  # type: ignore[no-untyped-def]
    _item(session)
    for _ in range(2):
        answer = client.get("/api/bytesize?limit=0")
        assert answer.status_code == 422 and "etag" not in answer.headers


def test_a_class_opening_the_same_course_gets_one_page_built_once(client, session, make, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    course = make.course(is_free=False, price=5000)
    students = [make.student() for _ in range(3)]
    for student in students[:2]:
        make.course_enrollment(course, student)
    first = client.get(f"/api/courses/{course.id}", headers=token_for(client.app, students[0]))
    assert first.status_code == 200 and first.json()["isEnrolled"] is True
    assert first.headers["cache-control"] == "private, no-cache"

    import public_api.courses

    def built_again(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("built again")

    monkeypatch.setattr(public_api.courses.CourseOut, "model_validate", built_again)
    second = client.get(f"/api/courses/{course.id}", headers=token_for(client.app, students[1]))
    assert second.status_code == 200 and second.content == first.content
    # Not enrolled: other lessons are locked, so another page (built, not reused).
    with pytest.raises(AssertionError, match="built again"):
        client.get(f"/api/courses/{course.id}", headers=token_for(client.app, students[2]))
    monkeypatch.undo()
    locked = client.get(f"/api/courses/{course.id}", headers=token_for(client.app, students[2])).json()
    assert locked["isEnrolled"] is False and any(les["locked"] for m in locked["modules"] for les in m["lessons"])
    # A change to the course is a new version: the enrolled students see it at once.
    course.title = "Новое название курса"
    session.flush()
    renamed = client.get(f"/api/courses/{course.id}", headers=token_for(client.app, students[1]))
    assert renamed.json()["title"] == "Новое название курса"
