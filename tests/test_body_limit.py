"""Every request body is bounded before it is read (SPEC §2, issue 12 item 1): a 200 MB chunked
body is refused with 413 after about MAX_BODY_BYTES, and the server's peak memory does not move."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.live_process import send_chunked, uvicorn_process

HUGE = 200 * 1024 * 1024
# Peak RSS may grow by the limit (1 MiB) and some buffers, never by the body.
ALLOWED_GROWTH_KIB = 8 * 1024


def _warm_up(url: str) -> None:
    """Run both login paths once so the baseline already holds their imports and caches."""
    for _ in range(2):
        httpx.post(f"{url}/api/auth/login", json={"email": "nobody@example.kz", "password": "x" * 10}, timeout=30)
        httpx.post(f"{url}/admin/login", data={"username": "nobody@example.kz", "password": "x" * 10},
                   headers={"Origin": url}, timeout=30)
        httpx.get(f"{url}/admin/login", timeout=30)


def test_huge_chunked_bodies_are_refused_without_growing_the_server(tmp_path):
    with uvicorn_process(tmp_path) as server:
        _warm_up(server.url)
        baseline = server.peak_rss_kib()

        status, body, sent = send_chunked(server.port, "/api/auth/login", total=HUGE,
                                          headers={"Content-Type": "application/json"},
                                          prefix=b'{"email": "a@example.kz", "password": "')
        assert status == 413, body
        error = json.loads(body)["error"]
        assert error["code"] == "body_too_large" and "Слишком большой" in error["message"]
        assert sent < HUGE / 4  # the server answered long before the body ended

        status, body, sent = send_chunked(server.port, "/admin/login", total=HUGE,
                                          headers={"Content-Type": "application/x-www-form-urlencoded",
                                                   "Origin": server.url},
                                          prefix=b"username=a%40example.kz&password=")
        assert status == 413, body
        assert json.loads(body)["error"]["code"] == "body_too_large"
        assert sent < HUGE / 4

        growth = server.peak_rss_kib() - baseline
        assert growth < ALLOWED_GROWTH_KIB, f"peak RSS grew by {growth} KiB"


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/register", "/admin/login", "/admin/user/list"])
def test_a_declared_length_over_the_limit_is_refused_before_reading(client, path):
    response = client.post(path, content=b"x" * (1024 * 1024 + 1),
                           headers={"Content-Type": "application/json", "Origin": "http://testserver"})
    assert response.status_code == 413
    assert response.headers["connection"] == "close"
    assert response.json()["error"]["code"] == "body_too_large"
    assert response.json()["error"]["details"] == {"maxBytes": 1024 * 1024}


def test_a_chunked_json_body_over_the_limit_is_refused(client):
    def body():  # no Content-Length: counted while streaming
        yield b'{"email": "a@example.kz", "password": "'
        for _ in range(3):
            yield b"a" * (512 * 1024)
        yield b'"}'

    response = client.post("/api/auth/login", content=body(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"


def test_a_body_within_the_limit_still_works(client):
    response = client.post("/api/auth/login", json={"email": "a@example.kz", "password": "p" * 1000})
    assert response.status_code == 401


def test_upload_routes_and_upload_forms_keep_the_media_limit(app, settings):
    from s7.app import body_limit_rules
    from s7.body_limit import BodyLimitMiddleware

    middleware = BodyLimitMiddleware(app, default=settings.max_body_bytes,
                                     rules=body_limit_rules(settings, app.state.admin))
    media = settings.media_max_bytes
    assert middleware.limit_for("/api/uploads/media") > media
    assert middleware.limit_for("/uploads/media") > media
    assert middleware.limit_for("/admin/lesson/create") > media
    assert middleware.limit_for("/admin/lesson/edit/abc") > media
    assert middleware.limit_for("/admin/lesson/list") == settings.max_body_bytes
    assert middleware.limit_for("/admin/user/edit/abc") == settings.max_body_bytes
    assert middleware.limit_for("/api/uploads/media/x") == settings.max_body_bytes
