"""Write latency on SQLite while a slow upload streams, against the same write with nothing in flight.

    .venv/bin/python -m bench.writer_latency [--runs 5]

Serves the real app with uvicorn on a scratch SQLite file and times a small upload (POST
/api/uploads/media) twice: with no other request running, and while another upload is held half-sent.
A ratio near 1 means the slow upload does not hold the database write lock while it streams (the test
`tests/api/test_media_upload_concurrency.py` proves the behaviour; this measures the cost). It also
times the media doctor's «Проверить ссылку» (an in-process ranged GET) against a direct ranged GET.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from core.clock import utcnow
from core.db import Database
from core.migrate import upgrade
from core.services import auth
from core.settings import Settings
from s7.app import create_app
from tests import factories_media as fm
from tests.net import serve_in_thread

PASSWORD = "bench-admin-pass"
BOUNDARY = "----s7bench"


def _body(name: str, payload: bytes) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: video/mp4\r\n\r\n").encode() + payload + f"\r\n--{BOUNDARY}--\r\n".encode()


def _median(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="s7-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        settings = Settings(database_url=url, secret_key="bench", media_root=Path(tmp) / "media",
                            private_root=Path(tmp) / "private", log_level="WARNING",
                            _env_file=None)
        db = Database.from_url(url)
        with db.transaction() as session:
            admin, _ = auth.ensure_admin(session, email="admin@bench.kz", password=PASSWORD, full_name="Админ",
                                         now=utcnow())
            token = create_app(settings, db=db).state.signer.issue(admin)
        app = create_app(settings, db=db)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=60) as client:
            def fast_upload() -> str:
                r = client.post("/api/uploads/media", headers=headers, content=_body("fast.mp4", fm.mp4_bytes()))
                assert r.status_code == 201, r.text
                return str(r.json()["url"])

            idle = _median(fast_upload, args.runs)
            video = fm.mp4_bytes(400_000)
            sent_half, release = threading.Event(), threading.Event()

            def slow_body() -> Iterator[bytes]:
                yield _body("slow.mp4", video)[:200_000]
                sent_half.set()
                release.wait(60)
                yield _body("slow.mp4", video)[200_000:]

            slow = threading.Thread(target=lambda: httpx.post(f"{base}/api/uploads/media", headers=headers,
                                                              content=slow_body(), timeout=90))
            slow.start()
            sent_half.wait(30)
            busy = _median(fast_upload, args.runs)
            release.set()
            slow.join(90)

            media_url = fast_upload()
            direct = _median(lambda: client.get(media_url, headers={"Range": "bytes=0-99"}), args.runs)
            admin_client = httpx.Client(base_url=base, headers={"Origin": base}, timeout=60)
            admin_client.post("/admin/login", data={"username": "admin@bench.kz", "password": PASSWORD})
            match = re.search(r'name="csrf-token" content="([^"]+)"', admin_client.get("/admin/").text)
            assert match
            check = _median(lambda: admin_client.post("/admin/media-doctor", data={
                "csrf_token": match.group(1), "op": "check", "url": media_url}), args.runs)
            admin_client.close()
        db.engine.dispose()

    print(f"{'measurement':<34}{'baseline':>12}{'measured':>12}{'ratio':>8}")
    print(f"{'upload while another streams':<34}{idle * 1000:>9.1f} ms{busy * 1000:>9.1f} ms{busy / idle:>8.2f}")
    print(f"{'media doctor check vs ranged GET':<34}{direct * 1000:>9.1f} ms{check * 1000:>9.1f} ms"
          f"{check / direct:>8.2f}")


if __name__ == "__main__":
    main()
