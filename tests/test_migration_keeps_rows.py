"""Upgrading a populated database loses no rows: every table of the revision before the RESTRICT
migration gets rows (foreign keys and nullable references filled), then the upgrade to head runs
and every row comes back with the same values. On SQLite the table rebuilds must not fire the old
ON DELETE CASCADE / SET NULL actions; on PostgreSQL constraints are dropped and recreated."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from core.db import make_engine
from core.migrate import upgrade

BEFORE_RESTRICT = "a2ddad7b90c7"

# Values that satisfy the CHECK constraints of that revision.
FIXED: dict[tuple[str, str], Any] = {
    ("users", "role"): "USER",
    ("class_enrollments", "status"): "ACTIVE",
    ("course_purchases", "status"): "APPROVED",
    ("subscriptions", "status"): "ACTIVE",
    ("subscriptions", "type"): "MONTHLY_SUBSCRIPTION",
    ("certificate_requests", "status"): "PENDING",
    ("lesson_sessions", "status"): "COMPLETED",
    ("lesson_sessions", "duration_min"): 60,
    ("attendance", "status"): "present",
    ("club_quiz_assignments", "status"): "GRADED",
    ("quiz_questions", "type"): "single",
    ("quizzes", "pass_percent"): 60,
    ("email_outbox", "status"): "PENDING",
}


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a fresh schema on the test PostgreSQL."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base or base.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    schema = f"upg_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _enum_checks(engine: sa.Engine, meta: sa.MetaData) -> dict[tuple[str, str], str]:
    """`col IN ('A', …)` CHECK constraints as reflected: the first allowed value of each column."""
    found: dict[tuple[str, str], str] = {}
    inspector = sa.inspect(engine)
    for table in meta.tables:
        for check in inspector.get_check_constraints(table):
            for column, value in re.findall(r"\(?(\w+)\)?(?:::\w+)?\s+(?:IN|=\s*ANY)\s*\(+\s*(?:ARRAY\[)?'([^']*)'",
                                            check["sqltext"]):
                found.setdefault((table, column), value)
    return found


def _value(table: str, column: sa.Column[Any], i: int) -> Any:
    if (table, column.name) in FIXED:
        return FIXED[(table, column.name)]
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 11, 20, 10, i, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2026, 11, 20 + i)
    if isinstance(kind, sa.Integer):
        return 10 + i
    if isinstance(kind, sa.JSON):
        return ["a", i]
    length = getattr(kind, "length", None) or 40
    if table == "club_classes" and column.name == "join_code":
        return f"{uuid.uuid4().int % 10**6:06d}"
    return (f"{column.name[:3]}{i}" + uuid.uuid4().hex)[:length]


def _populate(conn: sa.Connection, meta: sa.MetaData) -> None:
    ids: dict[str, list[str]] = {}
    for table in meta.sorted_tables:
        if table.name == "alembic_version":
            continue
        rows = []
        for i in range(2):
            row: dict[str, Any] = {}
            for column in table.columns:
                fks = list(column.foreign_keys)
                if fks:
                    row[column.name] = ids[fks[0].column.table.name][i]
                elif column.name == "id":
                    row["id"] = str(uuid.uuid4())
                else:
                    row[column.name] = _value(table.name, column, i)
            rows.append(row)
        conn.execute(table.insert(), rows)
        ids[table.name] = [r["id"] for r in rows if "id" in r]


def _contents(conn: sa.Connection, meta: sa.MetaData) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table in meta.sorted_tables:
        columns = [c for c in table.columns]
        order = [c for c in columns if c.name == "id"] or columns
        out[table.name] = [tuple(r) for r in conn.execute(sa.select(*columns).order_by(*order))]
    return out


def test_upgrade_of_a_populated_database_keeps_every_row(scratch_url: str) -> None:
    upgrade(scratch_url, revision=BEFORE_RESTRICT)
    engine = make_engine(scratch_url)
    try:
        old = sa.MetaData()
        old.reflect(engine)
        FIXED.update({k: v for k, v in _enum_checks(engine, old).items() if k not in FIXED})
        with engine.begin() as conn:
            _populate(conn, old)
        with engine.connect() as conn:
            before = _contents(conn, old)
        assert all(len(rows) >= 2 for name, rows in before.items() if name != "alembic_version")

        upgrade(scratch_url)

        with engine.connect() as conn:
            after = _contents(conn, old)
            inspector = sa.inspect(conn)
            ondelete = {fk["name"]: fk["options"].get("ondelete")
                        for fk in inspector.get_foreign_keys("attendance")}
        assert {k: v for k, v in after.items() if k != "alembic_version"} == \
               {k: v for k, v in before.items() if k != "alembic_version"}
        assert ondelete["fk_attendance_session_id_lesson_sessions"] == "RESTRICT"

        # The constraints work after the upgrade (SQLite: foreign keys are back on, nothing is broken).
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        sessions = old.tables["lesson_sessions"]
        session_id = before["lesson_sessions"][0][list(sessions.columns).index(sessions.c.id)]
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.delete(sessions).where(sessions.c.id == session_id))
    finally:
        engine.dispose()
