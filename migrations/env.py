"""Alembic environment: the URL comes from settings (DATABASE_URL) unless a connection is passed in."""

from alembic import context

from core.db import make_engine
from core.models import Base
from core.settings import get_settings

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _sqlite_foreign_keys(connection, on: bool) -> None:  # type: ignore[no-untyped-def]
    # The pragma is a no-op inside a transaction, so it goes to the driver before SQLAlchemy begins
    # one (our engines run pysqlite with isolation_level=None: no implicit BEGIN).
    if connection.in_transaction():
        raise RuntimeError("SQLite migrations need a connection outside a transaction (foreign keys off)")
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite migrations rebuild tables (batch mode): dropping the old copy with foreign keys ON
        # would fire its ON DELETE actions on the children. Off while migrating, checked before commit.
        _sqlite_foreign_keys(connection, on=False)
    try:
        _migrate(connection, check_foreign_keys=sqlite)
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, on=True)


def _migrate(connection, *, check_foreign_keys: bool) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if check_foreign_keys:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:20]}")
    if connection.in_transaction():
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `s7 migrate`.")
run_migrations_online()
