"""Back-office list speed with 100 000 users, against a 1 000-user baseline measured in the same run.

    .venv/bin/python -m bench.admin_list                 # 1 000 vs 100 000 users
    .venv/bin/python -m bench.admin_list --big 20000 --runs 5

Builds a scratch SQLite file (Alembic), inserts users in bulk, logs in to the real app through
/admin/login (Starlette TestClient: the full ASGI stack, no network) and times the Пользователи
list: the first page, a deep page, a Cyrillic search and a sort. Prints the median time of each at
both sizes and the ratio big/baseline; a ratio near 1 means the page does not grow with the table.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from starlette.testclient import TestClient

from core.clock import utcnow
from core.db import Database
from core.migrate import upgrade
from core.models import User
from core.services import auth
from core.settings import Settings
from s7.app import create_app

PASSWORD = "bench-admin-pass"
NAMES = ["Айгерим", "Бауыржан", "Данияр", "Ержан", "Жанна", "Мадина", "Нурлан", "Сауле", "Тимур", "Алия"]
PAGES = {
    "first page": "/admin/user/list",
    "page 20": "/admin/user/list?page=20",
    "search айгерим": "/admin/user/list?search=айгерим",
    "sort by email": "/admin/user/list?sortBy=email&sort=asc",
}


def fill_users(db: Database, total: int) -> None:
    """Add users until the table holds `total` rows (one fake hash: logins are not benchmarked)."""
    with db.transaction() as session:
        have = session.scalar(select(func.count()).select_from(User)) or 0
    start = utcnow() - timedelta(days=365)
    batch: list[dict] = []
    for i in range(have, total):
        batch.append({"id": str(uuid.uuid4()), "email": f"user{i}@bench.kz", "password_hash": "x",
                      "full_name": f"{NAMES[i % len(NAMES)]} Тестовый {i}", "role": "USER",
                      "created_at": start + timedelta(seconds=i), "is_blocked": False, "token_version": 0,
                      "experience_points": i % 500})
        if len(batch) == 5000 or i == total - 1:
            with db.transaction() as session:
                session.execute(insert(User), batch)
            batch = []


def time_pages(client: TestClient, runs: int) -> dict[str, float]:
    result = {}
    for label, url in PAGES.items():
        client.get(url)  # warm up
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        result[label] = statistics.median(samples)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=int, default=1_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="s7-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        settings = Settings(database_url=url, secret_key="bench", media_root=Path(tmp) / "media",
                            private_root=Path(tmp) / "private", log_level="WARNING",
                            _env_file=None)
        db = Database.from_url(url)
        with db.transaction() as session:
            auth.ensure_admin(session, email="admin@bench.kz", password=PASSWORD, full_name="Админ", now=utcnow())
        app = create_app(settings, db=db)
        timings = {}
        with TestClient(app) as client:
            login = client.post("/admin/login", data={"username": "admin@bench.kz", "password": PASSWORD},
                                headers={"Origin": "http://testserver"}, follow_redirects=False)
            assert login.status_code == 302, login.text
            for size in (args.base, args.big):
                started = time.perf_counter()
                fill_users(db, size)
                print(f"{size:>7} users inserted in {time.perf_counter() - started:.1f} s")
                timings[size] = time_pages(client, args.runs)
        db.engine.dispose()

    print(f"\n{'page':<16}{args.base:>10} users{args.big:>10} users{'ratio':>9}")
    for label in PAGES:
        base, big = timings[args.base][label], timings[args.big][label]
        print(f"{label:<16}{base * 1000:>13.1f} ms{big * 1000:>13.1f} ms{big / base:>9.2f}")


if __name__ == "__main__":
    main()
