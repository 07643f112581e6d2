"""Security headers on every response (issue 12 item 6); the Chromium side is tests/browser/test_csp_pages.py."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from s7.app import create_app


def test_json_answers_carry_nosniff_and_the_referrer_policy(client):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers


def test_back_office_html_gets_a_nonce_csp_its_scripts_carry(client):
    first, second = client.get("/admin/login"), client.get("/admin/login")
    policy = first.headers["content-security-policy"]
    assert first.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)  # type: ignore[union-attr]
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", first.text)
    assert scripts and all(f'nonce="{nonce}"' in attrs for attrs in scripts)
    assert " on" not in " ".join(re.findall(r"<[^>]+\son[a-z]+=", first.text))
    assert nonce not in second.headers["content-security-policy"]  # one nonce per response


def test_other_html_cannot_be_framed(client):
    response = client.get("/api/docs")
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["x-frame-options"] == "DENY"


def test_media_keeps_its_cors_headers(client):
    response = client.options("/api/media/0123456789abcdef0123456789abcdef.mp4",
                              headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"})
    assert response.headers["access-control-allow-origin"] in ("*", "https://app.example")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_refused_bodies_carry_the_headers_too(client):
    response = client.post("/api/auth/login", content=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413 and response.headers["x-content-type-options"] == "nosniff"


def test_hsts_only_when_cookies_are_https_only(settings, db):
    app = create_app(settings.model_copy(update={"https_only_cookies": True}), db=db)
    with TestClient(app) as c:
        assert c.get("/healthz").headers["strict-transport-security"].startswith("max-age=")


def test_back_office_files_cannot_be_framed_either(client):
    """Not only pages: a staff-only file (here the back-office's static script) is refused to frames."""
    page = client.get("/admin/login")
    script = re.search(r'<script[^>]+src="([^"]+/admin/[^"]+\.js)"', page.text)
    assert script, "the login page loads a back-office script"
    response = client.get(script.group(1))
    assert response.status_code == 200 and not response.headers["content-type"].startswith("text/html")
    assert response.headers["x-frame-options"] == "DENY"
