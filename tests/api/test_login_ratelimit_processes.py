"""The failed-login limit lives in the database: two app instances with their own Database (two
processes) on one SQLite file share it, also when the attempts race."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.testclient import TestClient

from core.db import Database
from core.migrate import upgrade
from s7.app import create_app


@pytest.fixture
def two_processes(settings, tmp_path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    upgrade(url)
    shared = settings.model_copy(update={"database_url": url})
    dbs = [Database.from_url(url), Database.from_url(url)]
    clients = [TestClient(create_app(shared, db=d)) for d in dbs]
    yield clients
    for d in dbs:
        d.engine.dispose()


def _login(client: TestClient, password: str) -> int:
    return client.post("/api/auth/login", json={"email": "ratelimit@s7.kz", "password": password}).status_code


def test_failed_logins_counted_across_two_processes(two_processes):
    a, b = two_processes
    r = a.post("/api/auth/register", json={"email": "ratelimit@s7.kz", "password": "correct-horse-1",
                                            "fullName": "Айдана"})
    assert r.status_code == 201, r.text
    codes = [_login(c, "wrong-password") for c in (a, b, a, b, a)]
    assert codes == [401] * 5
    assert _login(b, "wrong-password") == 429
    assert _login(a, "correct-horse-1") == 429  # the window is full for everyone
    r = b.post("/api/auth/login", json={"email": "ratelimit@s7.kz", "password": "x"})
    assert r.json()["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) > 0


def test_racing_failed_logins_in_two_processes_allow_exactly_five(two_processes):
    a, b = two_processes
    assert a.post("/api/auth/register", json={"email": "ratelimit@s7.kz", "password": "correct-horse-1",
                                               "fullName": "Айдана"}).status_code == 201
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda i: _login((a, b)[i % 2], "wrong-password"), range(16)))
    assert sorted(codes) == [401] * 5 + [429] * 11
