"""Malformed input is a 422 with details, never a 500; unknown routes are JSON errors."""

import pytest


@pytest.mark.parametrize("body", [b"{", b"[1,2]", b"\xff\xfe", b'"text"', b"null"])
def test_malformed_json_is_422(client, body):
    r = client.post("/api/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_json"


def test_wrong_types_missing_and_unknown_fields_listed(client):
    r = client.post("/api/auth/register", json={"email": 5, "fullName": "X", "admin": True})
    assert r.status_code == 422
    fields = {f["field"]: f["type"] for f in r.json()["error"]["details"]["fields"]}
    assert fields == {"email": "string_type", "password": "missing", "admin": "extra_forbidden"}


def test_unknown_route_is_json_404(client):
    r = client.get("/api/no-such-thing")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    r = client.delete("/api/me")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_health_and_ready(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


def test_openapi_lists_every_api_route_with_shapes(app, client):
    schema = client.get("/api/openapi.json").json()
    documented = {(p, m) for p, ops in schema["paths"].items() for m in ops}
    for route in app.routes:
        meta = getattr(route, "api_meta", None)
        if meta:
            assert (meta.path, meta.method.lower()) in documented
    register = schema["paths"]["/api/auth/register"]["post"]
    assert "requestBody" in register
    assert "fullName" in schema["components"]["schemas"]["RegisterIn"]["properties"]
    assert client.get("/api/docs").status_code == 200


def test_authentication_comes_before_body_validation(client):
    r = client.post("/api/auth/logout-all", content=b"{", headers={"Content-Type": "application/json"})
    assert r.status_code == 401
    r = client.post("/api/notifications/read-all", content=b"{",
                    headers={"Content-Type": "application/json", "Authorization": "Bearer nope"})
    assert r.status_code == 401


def test_bad_token_with_bad_body_is_401_not_422(client):
    r = client.post("/api/subscriptions/request", json={"type": 5},
                    headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401
    assert client.post("/api/subscriptions/request", json={"type": 5}).status_code == 401
