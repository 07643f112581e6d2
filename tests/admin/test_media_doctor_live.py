"""«Проверить ссылку» on a real SQLite file: the ranged GET must not wait for the page's own write lock.

A wait would hit the short busy timeout of `tests/live_sqlite.py` and the page would report the link as
not served; the time it takes is measured by `bench/writer_latency.py`, not asserted here."""

from __future__ import annotations

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
        answer = client.post("/admin/media-doctor", headers=ORIGIN,
                             data={"csrf_token": token, "op": "check", "url": f"/media/{video.key}"})
    assert answer.status_code == 200
    assert "HTTP 206" in answer.text and "НЕ отдаётся" not in answer.text
