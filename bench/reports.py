"""Reports on a large history: each report's time and SQL statement count at 10 k, 100 k and 1 M marks.

    .venv/bin/python -m bench.reports                      # 10 000 → 100 000 → 1 000 000 attendance rows
    .venv/bin/python -m bench.reports --steps 10000,100000 --runs 3
    .venv/bin/python -m bench.reports --url postgresql+psycopg://postgres@127.0.0.1:5432/other --reset

Uses a dedicated PostgreSQL database (created if missing; `--reset` drops it first), migrated by
Alembic, and grows it in steps inside the server (bench/reports_data.py: 500 clubs, 12 000 students,
marks, graded quizzes with per-question answers, XP). After each step it runs every report through
the core service — for one club (all history, the last 90 days, one class, one student) and for all
clubs (the back-office: the last 30 days, and all history as its page opens) — plus the CSV and PDF
exports of one club, and prints the median time and the number of SQL statements of each; at the
end, the back-office Отчёты page and its lookups over HTTP (an admin `admin@bench.kz` is created in
the bench database). Target: every one-club line under 1 s at 1 M marks.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bench import reports_data as data
from core.migrate import upgrade

PASSWORD = "bench-admin-pass"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/s7_bench_reports"
TZ = "Asia/Almaty"


def ensure_database(url: str, *, reset: bool) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).scalar()
        if exists and reset:
            conn.execute(text(f'DROP DATABASE "{target.database}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


class Counter:
    """Counts the SQL statements the engine runs (the report's query budget)."""

    def __init__(self, engine: Engine) -> None:
        self.n = 0
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *_args: Any) -> None:
        self.n += 1


def measure(engine: Engine, counter: Counter, fn: Callable[[Session], Any], runs: int) -> tuple[float, int]:
    with Session(engine) as session:
        fn(session)  # warm-up (plans, caches)
    samples, statements = [], 0
    for _ in range(runs):
        with Session(engine) as session:
            before = counter.n
            started = time.perf_counter()
            fn(session)
            samples.append(time.perf_counter() - started)
            statements = counter.n - before
    return statistics.median(samples), statements


def cases(today: date) -> list[tuple[str, Callable[[Session], Any]]]:
    """(label, callable) for each report and filter set, and the exports, through the core services."""
    from core.services import reports
    from core.services.report_table import EXPORT_PAGE, ReportPage

    club = data.row_id("club", 0)
    recent = {"from": (today - timedelta(days=90)).isoformat(), "to": today.isoformat()}
    filter_sets: list[tuple[str, str | None, dict[str, str]]] = [
        ("club, all history", club, {}),
        ("club, last 90 days", club, recent),
        ("club, one class", club, {"classId": data.row_id("class", 0)}),
        ("club, one student", club, {"studentId": data.row_id("student", 3)}),
        ("all clubs, last 30 days", None, {"from": (today - timedelta(days=30)).isoformat(),
                                           "to": today.isoformat()}),
        ("all clubs, all history", None, {}),  # the back-office page opened without filters
    ]
    out: list[tuple[str, Callable[[Session], Any]]] = []

    def report(view: reports.ReportView, club_id: str | None, raw: dict[str, str]) -> Callable[[Session], Any]:
        def run(session: Session) -> Any:
            filters = reports.parse_filters(session, club_id=club_id, raw=raw, tz=TZ)
            return reports.build_report(session, view=view, filters=filters, page=ReportPage())
        return run

    def export(view: reports.ReportView, fmt: reports.ExportFormat) -> Callable[[Session], Any]:
        def run(session: Session) -> Any:
            filters = reports.parse_filters(session, club_id=club, raw={}, tz=TZ)
            table = reports.build_report(session, view=view, filters=filters, page=EXPORT_PAGE)
            return reports.export_report(table, fmt=fmt, subject="Кружок", now=datetime.now(UTC))
        return run

    for label, club_id, raw in filter_sets:
        for view in reports.ReportView:
            out.append((f"{view.value:<9}{label}", report(view, club_id, raw)))
    for view in reports.ReportView:
        for fmt in reports.ExportFormat:
            out.append((f"{view.value:<9}club, all history: export {fmt.value}", export(view, fmt)))
    return out


def time_pages(url: str, runs: int) -> None:
    """The back-office Отчёты page and its lookups over HTTP (the full ASGI app, logged in as an admin)."""
    import tempfile
    from pathlib import Path

    from starlette.testclient import TestClient

    from core.clock import utcnow
    from core.db import Database
    from core.services import auth
    from core.settings import Settings
    from s7.app import create_app

    club = data.row_id("club", 0)
    pages = {"page as opened (all clubs, last 30 days)": "/admin/reports",
             "students tab (all clubs, last 30 days)": "/admin/reports?view=students",
             "quizzes tab (all clubs, last 30 days)": "/admin/reports?view=quizzes",
             "lessons, one club, all history": f"/admin/reports?view=lessons&from=&to=&kruzhokId={club}",
             "students, one club, all history": f"/admin/reports?view=students&from=&to=&kruzhokId={club}",
             "lookup: students named «айгерим»": "/admin/reports?lookup=student&q=айгерим",
             "lookup: classes «группа 2»": "/admin/reports?lookup=class&q=группа 2"}
    with tempfile.TemporaryDirectory(prefix="s7-bench-") as tmp:
        settings = Settings(database_url=url, secret_key="bench", media_root=Path(tmp) / "media",
                            private_root=Path(tmp) / "private", log_level="WARNING", _env_file=None)
        db = Database.from_url(url)
        with db.transaction() as session:
            auth.ensure_admin(session, email="admin@bench.kz", password=PASSWORD, full_name="Админ", now=utcnow())
        with TestClient(create_app(settings, db=db)) as client:
            login = client.post("/admin/login", data={"username": "admin@bench.kz", "password": PASSWORD},
                                headers={"Origin": "http://testserver"}, follow_redirects=False)
            assert login.status_code == 302, login.text
            print("\nback-office over HTTP (median ms)")
            for label, path in pages.items():
                client.get(path)
                samples = []
                for _ in range(runs):
                    started = time.perf_counter()
                    response = client.get(path)
                    samples.append(time.perf_counter() - started)
                    assert response.status_code == 200, (path, response.status_code)
                print(f"  {label:<44}{statistics.median(samples) * 1000:>9.1f} ms", flush=True)
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--steps", default="10000,100000,1000000", help="attendance rows after each step")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reset", action="store_true", help="drop and re-create the database first")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]

    ensure_database(args.url, reset=args.reset)
    upgrade(args.url)
    engine = create_engine(args.url)
    counter = Counter(engine)
    base = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=6)
    results: dict[int, dict[str, tuple[float, int]]] = {}
    for step in steps:
        started = time.perf_counter()
        with engine.begin() as conn:
            data.grow(conn, attendance_rows=step, base=base)
            sizes = data.counts(conn)
        print(f"step {step:>9,}: filled in {time.perf_counter() - started:.1f} s — "
              + ", ".join(f"{k} {v:,}" for k, v in sizes.items()), flush=True)
        results[step] = {}
        for label, fn in cases(datetime.now(UTC).date()):
            results[step][label] = measure(engine, counter, fn, args.runs)
            seconds, statements = results[step][label]
            print(f"  {label:<44}{seconds * 1000:>9.1f} ms{statements:>5} statements", flush=True)
    engine.dispose()
    time_pages(args.url, args.runs)

    labels = list(results[steps[0]])
    print("\n" + f"{'report (median ms / statements)':<44}" + "".join(f"{s:>16,}" for s in steps))
    for label in labels:
        cells = "".join(f"{results[s][label][0] * 1000:>11.1f} /{results[s][label][1]:>3}" for s in steps)
        print(f"{label:<44}{cells}")


if __name__ == "__main__":
    main()
