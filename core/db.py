"""Engine, sessions and the one way to open a transaction for a service call.

Entry points (API routes, admin handlers, jobs, CLI) do::

    with db.transaction() as session:
        result = some_service(session, actor=..., now=utcnow())

Services never commit; the `transaction()` block commits on success and rolls back on error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from core.errors import ServiceError


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE/DELETE run through `Session.execute` (typed there as a plain Result)."""
    return cast(CursorResult[Any], result).rowcount or 0


def _sqlite_lower(value: object) -> object:
    # SQLite's own lower() is ASCII-only: Cyrillic search must be case-insensitive too.
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy (not pysqlite) decide when transactions begin, so SAVEPOINTs work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        dbapi_connection.create_function("lower", 1, _sqlite_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # IMMEDIATE takes the write lock up front: on SQLite this gives the same
        # "read then write exactly once" guarantee as SELECT ... FOR UPDATE on PostgreSQL.
        # A read unit of work (`Database.read()`) begins DEFERRED: under WAL readers run together
        # instead of queueing behind each other for the write lock.
        read = conn.get_execution_options().get(READ_OPTION, False)
        conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")


READ_OPTION = "s7_read_only"
POOL_RECYCLE_SECONDS = 1800


class WriteInReadTransaction(RuntimeError):
    """A `Database.read()` unit of work tried to write: a programming error (use `transaction()`)."""


def _is_read(session: Session) -> bool:
    return bool(session.info.get(READ_OPTION))


@event.listens_for(Session, "before_flush")
def _refuse_flush_in_read(session: Session, _context: object, _instances: object) -> None:
    if _is_read(session) and (session.new or session.deleted or session.dirty):
        if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
            raise WriteInReadTransaction("a write inside Database.read(): use Database.transaction()")


@event.listens_for(Session, "do_orm_execute")
def _refuse_dml_in_read(state: ORMExecuteState) -> None:
    if _is_read(state.session) and not state.is_select:
        raise WriteInReadTransaction("a write inside Database.read(): use Database.transaction()")


def make_engine(url: str, **kwargs: object) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    # No pre-ping (a round trip per checkout): connections are recycled after POOL_RECYCLE_SECONDS, and
    # a connection found dead by a failing statement invalidates the whole pool (SQLAlchemy's default).
    kwargs.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
    return create_engine(url, **kwargs)


def pool_options(pool_size: int) -> dict[str, object]:
    """One connection per worker thread (`s7.app` sizes the thread pool to the same number), so a
    request never waits for a connection while holding a thread."""
    return {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": 30}


class Database:
    """Owns the session factory; `transaction()` is the unit of work for one service call."""

    def __init__(self, engine: Engine | None = None, *, bind: Connection | None = None) -> None:
        self.engine = engine if engine is not None else bind.engine  # type: ignore[union-attr]
        self._bind = bind
        self.sessionmaker = self.new_sessionmaker()
        from core.services import cache_versions  # session events bumping the ETag versions

        cache_versions.install()

    def new_sessionmaker(self) -> sessionmaker[Session]:
        """A fresh factory on the same bind (SQLAdmin reconfigures the one it is given)."""
        if self._bind is not None:
            # Tests: every transaction becomes a savepoint inside an outer, rolled-back one.
            return sessionmaker(bind=self._bind, expire_on_commit=False,
                                join_transaction_mode="create_savepoint")
        return sessionmaker(bind=self.engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, *, pool_size: int | None = None) -> Database:
        options = pool_options(pool_size) if pool_size is not None else {}
        return cls(make_engine(url, **options))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except ServiceError as error:
            if error.commit_anyway:
                session.commit()
            else:
                session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A unit of work that only reads (GET routes): on SQLite it begins DEFERRED instead of taking
        the write lock, so concurrent readers do not queue. Any ORM write inside raises
        `WriteInReadTransaction` (also in tests, where transactions are savepoints)."""
        session = self.sessionmaker()
        session.info[READ_OPTION] = True
        try:
            if self._bind is None:
                session.connection(execution_options={READ_OPTION: True})
            yield session
            session.flush()  # pending changes raise WriteInReadTransaction instead of vanishing
            session.rollback()  # nothing to keep; ends the snapshot without a write
        finally:
            session.close()

    def ping(self) -> None:
        """A round trip to the database (readiness probe); raises whatever the driver raises."""
        with self.transaction() as session:
            session.execute(text("SELECT 1"))
