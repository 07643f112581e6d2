"""Two uploads at once on a real SQLite file: a slow upload must not hold the write lock while it streams.

Behaviour, not time: the other writers must finish while the slow upload is still held half-sent (the
short busy timeout of `tests/live_sqlite.py` turns waiting for its lock into a visible failure). The
latency itself is measured by `bench/writer_latency.py`."""

from __future__ import annotations

import re
import threading
import time

import httpx

from core.models import Course, Lesson, Module
from tests import factories_media as fm
from tests.factories import PASSWORD, token_for
from tests.live_sqlite import live, live_url  # noqa: F401  (fixtures)

BOUNDARY = "----s7concurrency"


def _head(name: str = "slow.mp4") -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: video/mp4\r\n\r\n").encode()


def test_a_slow_upload_does_not_block_other_writers(live, live_url) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    headers = {**token_for(live.app, live.admin), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    video = fm.mp4_bytes(400_000)
    sent_half, release = threading.Event(), threading.Event()
    slow: dict[str, httpx.Response] = {}

    def slow_body():  # type: ignore[no-untyped-def]
        yield _head() + video[:200_000]
        sent_half.set()
        release.wait(15)
        yield video[200_000:] + f"\r\n--{BOUNDARY}--\r\n".encode()

    def run_slow() -> None:
        slow["r"] = httpx.post(f"{live_url}/api/uploads/media", content=slow_body(), headers=headers, timeout=30)

    thread = threading.Thread(target=run_slow)
    thread.start()
    try:
        assert sent_half.wait(10)
        time.sleep(0.3)  # the server is now inside the slow upload's stream
        fast = httpx.post(f"{live_url}/api/uploads/media", headers=headers, timeout=30,
                          content=_head("fast.mp4") + fm.mp4_bytes() + f"\r\n--{BOUNDARY}--\r\n".encode())
        assert fast.status_code == 201, fast.text
        # …and a back-office save (SQLAdmin's own session) of a lesson that uses the new video.
        with live.db.transaction() as session:
            course = Course(title="Курс", is_published=True, price=1000)
            module = Module(title="М", order_index=0)
            module.lessons.append(Lesson(title="Урок", order_index=0))
            course.modules.append(module)
            session.add(course)
            session.flush()
            lesson_id, module_id = module.lessons[0].id, module.id
        with httpx.Client(base_url=live_url, headers={"Origin": live_url}, timeout=30) as admin:
            admin.post("/admin/login", data={"username": live.admin.email, "password": PASSWORD})
            token = re.search(r'name="csrf-token" content="([^"]+)"', admin.get("/admin/").text).group(1)
            saved = admin.post(f"/admin/lesson/edit/{lesson_id}", follow_redirects=False, data={
                "csrf_token": token, "module": module_id, "title": "Урок", "order_index": "0", "content": "",
                "video_url": fast.json()["url"], "save": "Save"})
        assert saved.status_code == 302, saved.text[-1500:]
        # both writes finished while the slow upload is still held half-sent
        assert thread.is_alive() and "r" not in slow, "the other writers waited for the slow upload to end"
    finally:
        release.set()
        thread.join(20)
    assert slow["r"].status_code == 201, slow["r"].text
    assert slow["r"].json()["size"] == len(video)
