"""Two app processes (the Procfile's `web`, each with its own memory) on one database: after an admin
changes public data through one, the other never answers with the old body or a 304 to the old tag."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from core.clock import utcnow
from core.db import Database
from core.migrate import upgrade
from core.models import ByteSizeItem
from tests import factories, factories_learning
from tests.live_process import base_env, uvicorn_process


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[list[httpx.Client], dict[str, str]]]:
    url = base_env(tmp_path)["DATABASE_URL"]
    upgrade(url)
    db = Database.from_url(url)
    with db.transaction() as session:
        admin = factories.make_admin(session)
        course = factories_learning.make_course(session, is_published=False, title="Черновик курса")
        item = ByteSizeItem(title="Видео дня", video_url="/media/feed.mp4", is_published=True, created_at=utcnow())
        session.add(item)
        session.flush()
        ids = {"email": admin.email, "course": course.id, "item": item.id}
    db.engine.dispose()
    with ExitStack() as stack:  # same tmp_path: both processes use the same SQLite file
        servers = [stack.enter_context(uvicorn_process(tmp_path)) for _ in range(2)]
        assert servers[0].pid != servers[1].pid
        yield [stack.enter_context(httpx.Client(base_url=s.url, timeout=30)) for s in servers], ids


def test_no_stale_public_json_across_processes(two_processes) -> None:  # type: ignore[no-untyped-def]
    (a, b), ids = two_processes
    token = a.post("/api/auth/login", json={"email": ids["email"], "password": factories.PASSWORD}).json()["token"]
    admin = {"Authorization": f"Bearer {token}"}

    feed = b.get("/api/bytesize")
    courses = b.get("/api/courses")
    assert [i["title"] for i in feed.json()["items"]] == ["Видео дня"] and courses.json()["items"] == []
    assert b.get("/api/bytesize", headers={"If-None-Match": feed.headers["etag"]}).status_code == 304

    assert a.post(f"/api/admin/bytesize/{ids['item']}/unpublish", headers=admin).status_code == 200
    assert a.put(f"/api/admin-courses/{ids['course']}", headers=admin,
                 json={"isPublished": True}).status_code == 200

    for headers in ({"If-None-Match": feed.headers["etag"]}, {}):
        after = b.get("/api/bytesize", headers=headers)
        assert after.status_code == 200 and after.json()["items"] == []
    for headers in ({"If-None-Match": courses.headers["etag"]}, {}):
        after = b.get("/api/courses", headers=headers)
        assert after.status_code == 200 and [c["title"] for c in after.json()["items"]] == ["Черновик курса"]
    # Both processes now agree on the tag.
    assert a.get("/api/courses").headers["etag"] == b.get("/api/courses").headers["etag"]


def test_each_change_is_seen_by_the_very_next_request(two_processes) -> None:  # type: ignore[no-untyped-def]
    """The other process answers repeated GETs from memory (PublicCacheMiddleware): a change made through
    one process must still show on the next request to the other, every time."""
    (a, b), ids = two_processes
    token = a.post("/api/auth/login", json={"email": ids["email"], "password": factories.PASSWORD}).json()["token"]
    admin = {"Authorization": f"Bearer {token}"}
    course = f"/api/admin-courses/{ids['course']}"
    assert a.put(course, headers=admin, json={"isPublished": True}).status_code == 200
    for round_ in range(6):
        title = f"Курс, версия {round_}"
        assert a.put(course, headers=admin, json={"title": title}).status_code == 200
        for _ in range(3):  # the second and third are answered from the body the first built
            assert [c["title"] for c in b.get("/api/courses").json()["items"]] == [title]
