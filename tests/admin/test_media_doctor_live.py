"""«Проверить ссылку» on a real SQLite file: the ranged GET must not wait for the page's own write lock."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from tests import factories_media as fm
from tests.admin.helpers import ORIGIN, csrf_of, login
from tests.live_sqlite import live  # noqa: F401  (fixture)


@pytest.mark.parametrize("who", ["admin", "support"])
def test_check_one_url_does_not_deadlock_on_sqlite(live, who) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with live.db.transaction() as session:
        storage = live.app.state.storage
        video = fm.make_media(session, storage, "video")
    with TestClient(live.app) as client:
        login(client, getattr(live, who))
        token = csrf_of(client)
        started = time.monotonic()
        answer = client.post("/admin/media-doctor", headers=ORIGIN,
                             data={"csrf_token": token, "op": "check", "url": f"/media/{video.key}"})
        elapsed = time.monotonic() - started
    assert answer.status_code == 200
    assert "HTTP 206" in answer.text and "НЕ отдаётся" not in answer.text
    assert elapsed < 2, f"check took {elapsed:.1f}s: the probe waited for the page's write lock"
