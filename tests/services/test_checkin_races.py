"""Two check-ins of one student at the same moment, on committed data: one mark, one +100 XP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from core.clock import utcnow
from core.db import Database
from core.models import Attendance, User, XpEvent
from core.services import checkin
from tests.concurrency import run_concurrently
from tests.factories import make_user
from tests.factories_clubs import make_class, make_club, make_enrollment, make_subscription
from tests.factories_schedule import make_lesson_session
from tests.services.test_attendance_races import _cleanup

SECRET = "race-secret"


def test_two_check_ins_of_one_student_at_once_mark_and_award_once(engine):
    db = Database(engine)
    with db.transaction() as session:
        owner = make_user(session)
        make_subscription(session, owner)
        club = make_club(session, owner)
        klass = make_class(session, club)
        student = make_user(session)
        make_enrollment(session, klass, student)
        lesson = make_lesson_session(session, klass)
        owner_id, student_id, lesson_id = owner.id, student.id, lesson.id
        state = checkin.open_checkin(session, actor=owner, session_id=lesson_id, secret_key=SECRET, now=utcnow())
        assert state.code is not None
    try:
        def attempt() -> Callable[[], Any]:
            def run() -> Any:
                with db.transaction() as session:
                    now = utcnow()
                    code = checkin.checkin_codes.state_of(checkin.checkin_codes.checkin_row(session, lesson_id),
                                                          session_id=lesson_id, secret_key=SECRET, now=now).code
                    return checkin.check_in(session, actor=session.get(User, student_id), session_id=lesson_id,
                                            code=code or "", ip="10.0.0.1", secret_key=SECRET, now=now)
            return run

        results = run_concurrently([attempt(), attempt()])
        assert all(isinstance(r, checkin.CheckinResult) for r in results), results
        assert sorted(r.marked for r in results) == [False, True]
        with db.transaction() as session:
            assert session.get(User, student_id).experience_points == 100
            assert session.scalar(select(func.count()).select_from(XpEvent).where(XpEvent.user_id == student_id)) == 1
            assert session.scalar(select(func.count()).select_from(Attendance)
                                  .where(Attendance.session_id == lesson_id)) == 1
    finally:
        _cleanup(db, [owner_id, student_id])
