"""The failed-login limit lives in the database: two app processes (the Procfile's `web` command, each
with its own memory and connection pool) on one SQLite file share it, also when the attempts race."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.live_process import uvicorn_process

EMAIL = "ratelimit@s7.kz"


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[list[httpx.Client]]:
    with ExitStack() as stack:  # same tmp_path: both processes use the same SQLite file
        servers = [stack.enter_context(uvicorn_process(tmp_path)) for _ in range(2)]
        assert servers[0].pid != servers[1].pid and servers[0].database_url == servers[1].database_url
        yield [stack.enter_context(httpx.Client(base_url=s.url, timeout=30)) for s in servers]


def _login(client: httpx.Client, password: str) -> int:
    return client.post("/api/auth/login", json={"email": EMAIL, "password": password}).status_code


def _register(client: httpx.Client) -> None:
    r = client.post("/api/auth/register", json={"email": EMAIL, "password": "correct-horse-1", "fullName": "Айдана"})
    assert r.status_code == 201, r.text


def test_failed_logins_counted_across_two_processes(two_processes):
    a, b = two_processes
    _register(a)
    assert _login(b, "correct-horse-1") == 200  # the other process sees the committed user
    codes = [_login(c, "wrong-password") for c in (a, b, a, b, a)]
    assert codes == [401] * 5
    assert _login(b, "wrong-password") == 429
    assert _login(a, "correct-horse-1") == 429  # the window is full for everyone
    r = b.post("/api/auth/login", json={"email": EMAIL, "password": "x"})
    assert r.json()["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) > 0


def test_racing_failed_logins_in_two_processes_allow_exactly_five(two_processes):
    a, b = two_processes
    _register(a)
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda i: _login((a, b)[i % 2], "wrong-password"), range(16)))
    assert sorted(codes) == [401] * 5 + [429] * 11
