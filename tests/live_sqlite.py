"""An app on its OWN SQLite file with real, separate connections (not the rolled-back shared one).

The `db` fixture puts every transaction on one connection, so it cannot show SQLite's write lock
(BEGIN IMMEDIATE) blocking a second connection. Tests about "does X hold the lock while Y runs"
use this instead. A short busy timeout turns a would-be 30 s wait into a quick, visible failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from core.db import Database, make_engine
from core.migrate import upgrade
from core.settings import Settings
from tests import factories
from tests.net import serve_in_thread

BUSY_TIMEOUT_MS = 3000


@dataclass
class Live:
    app: Any
    db: Database
    settings: Settings
    admin: Any
    support: Any


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    from s7.app import create_app

    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(url)
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _short_busy(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    db = Database(engine)
    settings = Settings(database_url=url, secret_key="test-secret", media_root=tmp_path / "media",
                        private_root=tmp_path / "private", smtp_url="", _env_file=None)  # type: ignore[call-arg]
    with db.transaction() as session:
        admin, support = factories.make_admin(session), factories.make_support(session)
    yield Live(create_app(settings, db=db), db, settings, admin, support)
    engine.dispose()


@pytest.fixture
def live_url(live: Live) -> Iterator[str]:
    """`live` served by uvicorn on loopback: real sockets, real concurrency."""
    with serve_in_thread(live.app, name="uvicorn-live-sqlite") as url:
        yield url
