"""Real-browser fixtures: the whole app served by uvicorn on loopback, and headless Debian Chromium.

`live_server` runs `create_app` against its OWN committed SQLite file (migrated by Alembic) in a
background thread; `live_server.db` is a `Database` on that file for arranging and checking data.
`browser` is one Chromium per test module; `page` is a fresh context (cookies) per test.
`admin_login(page, live_server, user)` logs in through the real login form.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.db import Database
from core.migrate import upgrade
from core.settings import Settings
from tests.factories import PASSWORD
from tests.net import serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass
class LiveServer:
    url: str
    db: Database
    settings: Settings


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    from s7.app import create_app

    url = f"sqlite:///{tmp_path / 'browser.db'}"
    upgrade(url)
    settings = Settings(database_url=url, secret_key="browser-test-secret", media_root=tmp_path / "media",
                        private_root=tmp_path / "private", smtp_url="", _env_file=None)  # type: ignore[call-arg]
    db = Database.from_url(url)
    try:
        with serve_in_thread(create_app(settings, db=db), name="uvicorn-live-server", lifespan="on") as url:
            yield LiveServer(url=url, db=db, settings=settings)
    finally:
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ru-RU")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def admin_login(page: Any, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    """Log in through the real /admin/login form and wait for the dashboard."""
    page.goto(f"{server.url}/admin/login")
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.click('button[type="submit"]')
    assert page.url.rstrip("/").endswith("/admin"), page.url
