"""GET /metrics: Prometheus text with counts and latency per route template, behind METRICS_TOKEN."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from core.settings import Settings


@pytest.fixture
def metered(settings: Settings, db):  # type: ignore[no-untyped-def]
    from s7.app import create_app

    app = create_app(settings.model_copy(update={"metrics_token": "scrape-secret"}), db=db)
    with TestClient(app) as client:
        yield client


def _count(text: str, route: str, status: str) -> float:
    pattern = (r's7_http_requests_total\{method="GET",route="' + re.escape(route)
               + r'",status="' + status + r'"\} ([0-9.e+]+)')
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


def test_metrics_per_route_template(metered, make) -> None:  # type: ignore[no-untyped-def]
    course = make.course()
    auth = {"Authorization": "Bearer scrape-secret"}
    before = metered.get("/metrics", headers=auth).text
    for _ in range(3):
        assert metered.get(f"/api/courses/{course.id}").status_code == 200
    assert metered.get("/api/courses/nope").status_code == 404
    answer = metered.get("/metrics", headers=auth)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    route = "/api/courses/{course_id}"
    assert _count(text, route, "200") - _count(before, route, "200") == 3
    assert _count(text, route, "404") - _count(before, route, "404") == 1
    assert course.id not in text  # labelled by template, never by raw path
    assert f's7_http_request_duration_seconds_bucket{{le="+Inf",method="GET",route="{route}"}}' in text


def test_metrics_need_the_token(metered, client) -> None:  # type: ignore[no-untyped-def]
    assert metered.get("/metrics").status_code == 401
    assert metered.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404  # no token set
