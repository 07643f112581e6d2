"""Self check-in across two app processes (the Procfile's `web` command) on one database: the code one
process shows is accepted by the other (derived, not stored in memory), and the same student checking in
through both at the same moment is marked once with one +100 XP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
from sqlalchemy import func, select

from core.db import Database
from core.models import Attendance, User, XpEvent
from tests.factories import PASSWORD, make_user
from tests.factories_clubs import make_class, make_club, make_enrollment, make_subscription
from tests.factories_schedule import make_lesson_session
from tests.live_process import uvicorn_process


def _token(client: httpx.Client, email: str) -> dict[str, str]:
    r = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_check_in_through_two_processes_marks_and_awards_once(tmp_path: Path) -> None:
    with ExitStack() as stack:
        servers = [stack.enter_context(uvicorn_process(tmp_path)) for _ in range(2)]
        db = Database.from_url(servers[0].database_url)
        stack.callback(db.engine.dispose)
        with db.transaction() as session:
            owner = make_user(session)
            make_subscription(session, owner)
            klass = make_class(session, make_club(session, owner))
            student = make_user(session)
            make_enrollment(session, klass, student)
            lesson_id, student_id = make_lesson_session(session, klass).id, student.id
            owner_email, student_email = owner.email, student.email
        a, b = (stack.enter_context(httpx.Client(base_url=s.url, timeout=60)) for s in servers)
        r = a.post(f"/api/kruzhok/lesson/{lesson_id}/checkin/open", headers=_token(a, owner_email))
        assert r.status_code == 200, r.text
        shown = b.get(f"/api/kruzhok/lesson/{lesson_id}/checkin", headers=_token(b, owner_email)).json()
        assert shown["isOpen"] is True and shown["openedAt"] == r.json()["openedAt"]
        headers = _token(a, student_email)

        def check_in(i: int) -> httpx.Response:
            return (a, b)[i % 2].post(f"/api/kruzhok/lesson/{lesson_id}/checkin", headers=headers,
                                      json={"code": shown["code"]})

        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(check_in, range(4)))
        assert [r.status_code for r in answers] == [200] * 4, [r.text for r in answers]
        assert sorted(r.json()["marked"] for r in answers) == [False, False, False, True]
        with db.transaction() as session:
            assert session.get(User, student_id).experience_points == 100
            assert session.scalar(select(func.count()).select_from(XpEvent).where(XpEvent.user_id == student_id)) == 1
            assert session.scalar(select(func.count()).select_from(Attendance)
                                  .where(Attendance.session_id == lesson_id)) == 1
