"""Test fixtures: a real database (SQLite file or PostgreSQL from TEST_DATABASE_URL) migrated by
Alembic once per run; each test runs inside an outer transaction that is rolled back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from core.db import Database, make_engine
from core.migrate import upgrade
from core.settings import Settings, get_settings
from tests import factories

IS_POSTGRES_RUN = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`postgres_only` tests skip on SQLite (the default run) by their marker alone."""
    if IS_POSTGRES_RUN:
        return
    skip = pytest.mark.skip(reason="postgres_only: needs PostgreSQL (TEST_DATABASE_URL)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On PostgreSQL a skipped `postgres_only` test is a failure: the race guarantees are proven only
    there, so the PostgreSQL run must not lose one silently (`.ci/run` relies on this)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if IS_POSTGRES_RUN and report.skipped and item.get_closest_marker("postgres_only"):
        report.outcome = "failed"
        report.longrepr = f"postgres_only test skipped on a PostgreSQL run: {report.longrepr}"


def _database_url(tmp_root: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.db'}"


def reset_database(url: str) -> None:
    """Empty the database and build the schema with the real migrations."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = _database_url(tmp_path_factory.mktemp("db"))
    reset_database(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret", media_root=tmp_path / "media",
                    private_root=tmp_path / "private", smtp_url="", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def db(engine: Engine) -> Iterator[Database]:
    """A Database whose transactions are savepoints inside one rolled-back outer transaction."""
    connection = engine.connect()
    outer = connection.begin()
    yield Database(bind=connection)
    outer.rollback()
    connection.close()


@pytest.fixture
def session(db: Database) -> Iterator:
    """A session for service tests; services run in it like in an entry point's transaction."""
    s = db.sessionmaker()
    yield s
    s.close()


@pytest.fixture
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    from s7.app import create_app

    return create_app(settings, db=db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


@pytest.fixture
def count_queries(engine: Engine):  # type: ignore[no-untyped-def]
    """Counts SQL statements: `with count_queries() as n: ...; assert n() <= 10`."""
    from contextlib import contextmanager

    @contextmanager
    def counter():  # type: ignore[no-untyped-def]
        seen: list[str] = []

        def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield lambda: len(seen)
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter


@pytest.fixture
def make(session):  # type: ignore[no-untyped-def]
    """Factories bound to the test session: `make.student()`, `make.admin()`…"""
    return factories.Bound(session)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """Environment for the `s7` CLI (tests/test_cli.py, tests/test_media_cli.py): its own SQLite file."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path / "media"))
    monkeypatch.setenv("PRIVATE_ROOT", str(tmp_path / "private"))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield Database.from_url(url)
    get_settings.cache_clear()
