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


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_url(live: Live) -> Iterator[str]:
    """`live` served by uvicorn on loopback: real sockets, real concurrency."""
    import threading
    import time

    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(live.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-live-sqlite", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
