"""The schema declares what the server enforces: page bounds, and a required body is refused when missing."""

from __future__ import annotations

from tests.factories import token_for


def _operation(client, path: str, method: str) -> dict:  # type: ignore[no-untyped-def]
    return client.get("/api/openapi.json").json()["paths"][path][method]


def test_page_bounds_are_in_the_schema_and_enforced(client, make) -> None:  # type: ignore[no-untyped-def]
    params = {p["name"]: p["schema"] for p in _operation(client, "/api/bytesize", "get")["parameters"]}
    assert params["limit"]["minimum"] == 1 and params["limit"]["maximum"] == 100
    assert params["offset"]["minimum"] == 0
    assert client.get("/api/bytesize?limit=0").status_code == 422
    assert client.get("/api/bytesize?limit=100").status_code == 200
    assert client.get("/api/bytesize?limit=101").status_code == 422


def test_a_put_without_its_body_is_refused(client, make) -> None:  # type: ignore[no-untyped-def]
    course = make.course()
    admin = token_for(client.app, make.admin())
    assert _operation(client, "/api/admin-courses/{course_id}", "put")["requestBody"]["required"] is True
    missing = client.put(f"/api/admin-courses/{course.id}", headers=admin)
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "invalid_json"
    assert client.put(f"/api/admin-courses/{course.id}", headers=admin, json={}).status_code == 200


def test_every_request_integer_declares_its_column_range(client, make) -> None:  # type: ignore[no-untyped-def]
    params = {p["name"]: p["schema"] for p in _operation(client, "/api/admin/purchases/pending", "get")["parameters"]}
    assert params["offset"]["minimum"] == 0 and params["offset"]["maximum"] == 2**31 - 1
    admin = token_for(client.app, make.admin())
    assert client.get("/api/admin/purchases/pending?offset=2147483648", headers=admin).status_code == 422
    course = client.post("/api/admin-courses", headers=admin, json={"title": "Курс", "price": 5.0})
    assert course.status_code == 201, course.text
    assert course.json()["price"] == 5
