"""Read units of work (`Database.read()`, every GET of the API): on SQLite they do not take the write
lock, so readers run together and a writer is not queued behind them; any write inside one is refused."""

from __future__ import annotations

import threading
from pathlib import Path

import anyio.to_thread
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from core.db import Database, WriteInReadTransaction, make_engine
from core.migrate import upgrade
from core.models import ByteSizeItem, User
from core.settings import Settings
from tests.live_sqlite import live  # noqa: F401  (fixture)


def test_a_write_inside_read_is_refused(db: Database, make) -> None:  # type: ignore[no-untyped-def]
    student = make.student()
    with pytest.raises(WriteInReadTransaction):
        with db.read() as session:
            user = session.get(User, student.id)
            assert user is not None
            user.full_name = "Другое имя"
    with pytest.raises(WriteInReadTransaction):
        with db.read() as session:
            session.add(ByteSizeItem(title="x", video_url="/media/x.mp4"))
            session.flush()


def test_readers_do_not_take_the_write_lock_on_sqlite(live) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """While a read is open (its snapshot taken), another read and a write both finish at once; with
    BEGIN IMMEDIATE the second reader would wait for the first (the busy timeout turns it into an error)."""
    db: Database = live.db
    holding, release, done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def long_reader() -> None:
        try:
            with db.read() as session:
                session.scalar(select(User.id).limit(1))
                holding.set()
                release.wait(10)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=long_reader)
    thread.start()
    assert holding.wait(10)
    try:
        with db.read() as session:
            assert session.scalar(select(User.id).where(User.id == live.admin.id)) == live.admin.id
        with db.transaction() as session:
            session.add(ByteSizeItem(title="Пока читают", video_url="/media/x.mp4"))
    finally:
        release.set()
        thread.join(10)
    assert done.is_set() and not errors


def test_pool_and_thread_pool_have_one_size(tmp_path: Path) -> None:
    from s7.app import create_app

    url = f"sqlite:///{tmp_path / 'pool.db'}"
    upgrade(url)
    settings = Settings(database_url=url, secret_key="test-secret", db_pool_size=3, media_root=tmp_path / "m",
                        private_root=tmp_path / "p", _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings)
    db: Database = app.state.db
    assert db.engine.pool.size() == 3  # type: ignore[attr-defined]
    with TestClient(app) as client:  # runs the lifespan
        tokens = client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)
        assert tokens == 3
        assert client.get("/readyz").status_code == 200
    db.engine.dispose()


def test_postgres_engine_has_no_pre_ping() -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", pool_size=2)
    assert engine.pool._pre_ping is False  # type: ignore[attr-defined]
    assert engine.pool._recycle > 0  # type: ignore[attr-defined]
    engine.dispose()

