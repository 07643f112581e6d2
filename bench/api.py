"""Hot API reads under a classroom rush, against a bare Starlette baseline in the same run.

    .venv/bin/python -m bench.api [--duration 10] [--connections 32] [--pg-url URL | --no-pg]

Needs `wrk` (Debian: `apt-get install wrk`) and, for the PostgreSQL half, a server where the given
database may be emptied (default `postgresql+psycopg://postgres@127.0.0.1:5432/s7_bench`, created if
missing). For SQLite and then PostgreSQL it builds the data set (`bench/dataset.py`), starts the real app
(`uvicorn --factory s7.app:asgi`, one worker) and the baseline (`bench/baseline.py`: the same bytes from
memory, Starlette's FileResponse for media) as separate processes, drives both with wrk at the same
concurrency, and prints throughput and p99 ratios next to the targets of issue 11, plus the SQL
statements one request makes (counted in process on the same database). Results: `bench/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, event, text

from bench.dataset import DataSet, build
from core.db import Database
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-key-not-for-production-0123456789"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/s7_bench"
TARGET_JSON = (0.5, 2.0)  # throughput ≥ 0.5× baseline, p99 ≤ 2× baseline
TARGET_MEDIA = (0.9, 2.0)


@dataclass
class Endpoint:
    name: str
    path: str
    who: str  # "anonymous" | "student" | "mentor"
    headers: dict[str, str]
    media: bool = False


@dataclass
class Run:
    rps: float
    p99_ms: float
    errors: int


def endpoints(ds: DataSet) -> list[Endpoint]:
    return [
        Endpoint("bytesize feed, 20 items", "/api/bytesize?limit=20", "anonymous", {}),
        Endpoint("course 5×10, enrolled student", f"/api/courses/{ds.course_id}", "student", {}),
        Endpoint("course 5×10, anonymous (ETag)", f"/api/courses/{ds.course_id}", "anonymous", {}),
        Endpoint("schedule today (mentor)", f"/api/kruzhok/{ds.club_id}/schedule/today", "mentor", {}),
        Endpoint("my certificates", "/api/certificates/my", "student", {}),
        Endpoint("notifications, 20", "/api/notifications?limit=20", "student", {}),
        Endpoint("media 1 MB range of 200 MB", f"/api/media/{ds.video_key}", "anonymous",
                 {"Range": "bytes=1048576-2097151"}, media=True),
    ]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(target: list[str], env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1", "--port", str(port),
               "--workers", "1", "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{target[0]} exited with {proc.returncode}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{target[0]} did not start")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, headers: dict[str, str], *, duration: int, connections: int) -> Run:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(errors.group(1)) if errors else 0
    if socket_errors:
        failed += sum(int(n) for n in socket_errors.groups())
    return Run(rps=rps, p99_ms=float(value) * _UNITS[unit], errors=failed)


def tokens(url: str, ds: DataSet) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {"anonymous": {}}
    for who, email, password in (("student", ds.student_email, ds.student_password),
                                 ("mentor", ds.mentor_email, ds.mentor_password)):
        answer = httpx.post(f"{url}/api/auth/login", json={"email": email, "password": password}, timeout=30)
        answer.raise_for_status()
        out[who] = {"Authorization": f"Bearer {answer.json()['token']}"}
    return out


def statements(settings: Settings, calls: list[tuple[str, dict[str, str]]]) -> list[int]:
    """SQL statements of one warm request each, counted in process on the same database."""
    from starlette.testclient import TestClient

    from s7.app import create_app

    db = Database.from_url(settings.database_url, pool_size=2)
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    counts = []
    with TestClient(create_app(settings, db=db)) as client:
        for path, headers in calls:
            client.get(path, headers=headers)  # warm: caches, lazy imports
            seen.clear()
            client.get(path, headers=headers)
            counts.append(len([s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "ROLLBACK", "COMMIT"))]))
    db.engine.dispose()
    return counts


def ensure_pg_database(url: str) -> None:
    base, _, name = url.rpartition("/")
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def bench_database(label: str, url: str, tmp: Path, args: argparse.Namespace) -> list[dict[str, object]]:
    media, private = tmp / "media", tmp / "private"
    settings = Settings(database_url=url, secret_key=SECRET, media_root=media, private_root=private,
                        smtp_url="", log_level="WARNING", _env_file=None)
    print(f"== {label}: building the data set…", flush=True)
    ds = build(settings)
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "MEDIA_ROOT": str(media), "PRIVATE_ROOT": str(private),
           "SMTP_URL": "", "LOG_LEVEL": "WARNING"}
    rows: list[dict[str, object]] = []
    with serve(["--factory", "s7.app:asgi"], env) as app_url:
        who = tokens(app_url, ds)
        points = endpoints(ds)
        bodies: dict[str, str] = {}
        for point in points:
            if not point.media:
                answer = httpx.get(app_url + point.path, headers=who[point.who], timeout=30)
                answer.raise_for_status()
                bodies[point.path] = base64.b64encode(answer.content).decode()
        counts = statements(settings, [(p.path, {**who[p.who], **p.headers}) for p in points])
        bodies_file = tmp / "bodies.json"
        bodies_file.write_text(json.dumps(bodies))
        with serve(["bench.baseline:app"], {"BENCH_BODIES": str(bodies_file), "BENCH_MEDIA_ROOT": str(media)}) \
                as base_url:
            for point, count in zip(points, counts, strict=True):
                headers = {**who[point.who], **point.headers}
                base = wrk(base_url + point.path, headers, duration=args.duration, connections=args.connections)
                real = wrk(app_url + point.path, headers, duration=args.duration, connections=args.connections)
                target = TARGET_MEDIA if point.media else TARGET_JSON
                row = {"db": label, "endpoint": point.name, "app_rps": real.rps, "base_rps": base.rps,
                       "rps_ratio": real.rps / base.rps if base.rps else 0.0, "app_p99_ms": real.p99_ms,
                       "base_p99_ms": base.p99_ms, "p99_ratio": real.p99_ms / base.p99_ms if base.p99_ms else 0.0,
                       "statements": count, "errors": real.errors + base.errors,
                       "target": f"≥{target[0]}× / ≤{target[1]}×",
                       "met": real.rps >= target[0] * base.rps and real.p99_ms <= target[1] * base.p99_ms}
                rows.append(row)
                print(_line(row), flush=True)
    return rows


def _line(row: dict[str, object]) -> str:
    return (f"| {row['db']} | {row['endpoint']} | {row['app_rps']:.0f} vs {row['base_rps']:.0f} | "
            f"**{row['rps_ratio']:.2f}×** | {row['app_p99_ms']:.1f} vs {row['base_p99_ms']:.1f} ms | "
            f"**{row['p99_ratio']:.1f}×** | {row['target']} | {'yes' if row['met'] else 'no'} | "
            f"{row['statements']} | {row['errors']} |")


HEADER = ("| db | endpoint | req/s app vs bare | throughput ratio | p99 app vs bare | p99 ratio | target "
          "| met | statements/request | errors |\n|---|---|---|---|---|---|---|---|---|---|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="s7-bench-"))
    try:
        print(HEADER, flush=True)
        rows = bench_database("SQLite", f"sqlite:///{tmp / 'bench.db'}", tmp, args)
        if not args.no_pg:
            ensure_pg_database(args.pg_url)
            rows += bench_database("PostgreSQL", args.pg_url, tmp, args)
        print("\n" + HEADER)
        for row in rows:
            print(_line(row))
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
