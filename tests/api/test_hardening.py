"""Hostile input found by fuzzing (schemathesis + hand probes): a Russian 422, never a 500, nothing stored.

Each case here was a 500 on SQLite, on PostgreSQL or on both before the general sanitiser in
`public_api.validation.check_input` / `ApiModel` range checks.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.models import Course, Lesson, Module
from tests.factories import token_for


@pytest.fixture
def raw_client(app):  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def course(session):  # type: ignore[no-untyped-def]
    course = Course(title="Курс", is_published=True, is_free=True, price=0)
    module = Module(title="М", order_index=0)
    module.lessons.append(Lesson(title="Л", order_index=0))
    course.modules.append(module)
    session.add(course)
    session.flush()
    return course


def _fields(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, (response.status_code, response.text[:300])
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    return {f["field"]: f["message"] for f in error["details"].get("fields", [])}


def _post_json(client, url, raw: str, headers):  # type: ignore[no-untyped-def]
    return client.post(url, content=raw.encode("utf-8", "surrogatepass"),
                       headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000])
def test_deeply_nested_json_is_422(app, raw_client, make, body):  # type: ignore[no-untyped-def]
    r = raw_client.post("/api/admin-courses", content=body,
                        headers={**token_for(app, make.admin()), "Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_json"


def test_moderately_nested_json_is_422_too(app, raw_client, make):  # type: ignore[no-untyped-def]
    nested: list = [1]
    for _ in range(40):
        nested = [nested]
    body = json.dumps({"title": "x", "description": nested})
    r = raw_client.post("/api/admin-courses", content=body,
                        headers={**token_for(app, make.admin()), "Content-Type": "application/json"})
    assert r.status_code == 422


@pytest.mark.parametrize("value", [10**20, 2**63, 2**31, -(10**30)])
def test_huge_integers_in_body_are_422(app, raw_client, make, session, course, value):  # type: ignore[no-untyped-def]
    admin = token_for(app, make.admin())
    module = course.modules[0]
    before = session.scalar(select(func.count()).select_from(Module))
    r = raw_client.post(f"/api/admin-courses/{course.id}/modules", json={"title": "Новый", "orderIndex": value},
                        headers=admin)
    assert "orderIndex" in _fields(r)
    assert session.scalar(select(func.count()).select_from(Module)) == before
    r = raw_client.put(f"/api/admin-courses/lessons/{module.lessons[0].id}", json={"orderIndex": value},
                       headers=admin)
    assert "orderIndex" in _fields(r)
    r = raw_client.post(f"/api/admin-courses/modules/{module.id}/lessons",
                        json={"title": "Новый", "orderIndex": value}, headers=admin)
    assert "orderIndex" in _fields(r)


@pytest.mark.parametrize("path", ["/api/bytesize", "/api/clubs", "/api/courses", "/api/notifications",
                                  "/api/admin/subscriptions/pending"])
@pytest.mark.parametrize("query", ["offset=9223372036854775809", "offset=3782036997646968323833856",
                                   "limit=99999999999999999999999"])
def test_huge_offset_and_limit_are_422(app, raw_client, make, path, query):  # type: ignore[no-untyped-def]
    r = raw_client.get(f"{path}?{query}", headers=token_for(app, make.admin()))
    assert _fields(r)


@pytest.mark.parametrize("text", ["\x00", "a\x00b", "\ud800", "x\udfffy"])
def test_nul_and_lone_surrogates_in_body_strings_are_422(app, raw_client, make, session, text):  # type: ignore[no-untyped-def]
    admin = token_for(app, make.admin())
    before = session.scalar(select(func.count()).select_from(Course))
    r = _post_json(raw_client, "/api/admin-courses", json.dumps({"title": text}), admin)
    fields = _fields(r)
    assert set(fields) == {"title"}
    assert "символ" in fields["title"]
    assert session.scalar(select(func.count()).select_from(Course)) == before
    r = _post_json(raw_client, "/api/auth/register",
                   json.dumps({"email": f"a{text}@b.kz", "password": "secret123", "fullName": text}), {})
    assert set(_fields(r)) == {"email", "fullName"}


@pytest.mark.parametrize("key", ["\x00", "\ud800", "ok\udcffkey"])
def test_bad_characters_in_json_keys_are_422_and_the_error_is_encodable(app, raw_client, make, key):  # type: ignore[no-untyped-def]
    r = _post_json(raw_client, "/api/auth/login", json.dumps({key: 1, "email": "a@b.kz", "password": "x"}), {})
    fields = _fields(r)
    assert len(fields) == 1
    json.dumps(fields).encode("utf-8")


def test_raw_lone_surrogate_bytes_are_422(raw_client):  # type: ignore[no-untyped-def]
    # json.loads(bytes) decodes with surrogatepass: the raw UTF-8 of U+DCFF becomes a lone surrogate.
    r = raw_client.post("/api/auth/login", content='{"email": "\udcff"}'.encode("utf-8", "surrogatepass"),
                        headers={"Content-Type": "application/json"})
    assert set(_fields(r)) == {"email"}


@pytest.mark.parametrize("value", ["%00", "a%00b"])
def test_nul_in_path_params_is_422(app, raw_client, make, course, value):  # type: ignore[no-untyped-def]
    admin = token_for(app, make.admin())
    for method, url in [("GET", f"/api/courses/{value}"), ("PUT", f"/api/admin-courses/{value}"),
                        ("POST", f"/api/notifications/{value}/read"),
                        ("POST", f"/api/subscriptions/{value}/approve")]:
        r = raw_client.request(method, url, headers=admin, json={})
        assert r.status_code == 422, (method, url, r.status_code, r.text[:200])
        assert r.json()["error"]["details"]["location"] == "path"


@pytest.mark.parametrize("query", ["q=%00", "%00=1", "limit=%00", "search=a%00b"])
def test_nul_in_query_is_422(app, raw_client, make, query):  # type: ignore[no-untyped-def]
    r = raw_client.get(f"/api/clubs?{query}", headers=token_for(app, make.student()))
    assert r.status_code == 422
    assert r.json()["error"]["details"]["location"] == "query"


def test_plain_unicode_still_works(app, raw_client, make, session):  # type: ignore[no-untyped-def]
    r = raw_client.post("/api/admin-courses", json={"title": "Робототехника 𝔘 \u202e ✓"},
                        headers=token_for(app, make.admin()))
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "Робототехника 𝔘 \u202e ✓"


def test_overlong_question_answer_is_422_not_a_varchar_overflow(app, raw_client, make, session, course):  # type: ignore[no-untyped-def]
    # course_questions.correct_answer is VARCHAR(500): PostgreSQL raised StringDataRightTruncation → 500.
    from core.models import LessonQuestion

    lesson = course.modules[0].lessons[0]
    answer = "я" * 501
    r = raw_client.post(f"/api/admin-courses/lessons/{lesson.id}/questions",
                        json={"text": "Вопрос", "options": [answer, "б"], "correctAnswer": answer},
                        headers=token_for(app, make.admin()))
    assert "correctAnswer" in _fields(r)
    assert session.scalar(select(func.count()).select_from(LessonQuestion)) == 0


@pytest.mark.parametrize("path", ["/uploads/media", "/api/uploads/media"])
@pytest.mark.parametrize("boundary", ["b" * 71, "b" * 5000])
def test_overlong_multipart_boundary_is_422(app, raw_client, make, path, boundary):  # type: ignore[no-untyped-def]
    # python-multipart raised FormParserError (boundary > 256) from the reader's constructor → 500.
    body = f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nx\r\n" \
           f"--{boundary}--\r\n".encode()
    r = raw_client.post(path, content=body, headers={**token_for(app, make.admin()),
                                                     "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 422, r.text[:200]
    assert r.json()["error"]["code"] == "multipart_required"
