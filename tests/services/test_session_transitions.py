"""Lesson session states (SPEC §9): every (status × action) pair, as a table."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import utcnow
from core.errors import Conflict, Invalid
from core.models import SessionStatus
from core.services import attendance, schedule
from tests.factories_clubs import make_class

# action: resulting status per starting status (an exception class = refused, status unchanged)
TABLE: dict[str, dict[str, object]] = {
    "update":     {"SCHEDULED": "SCHEDULED", "COMPLETED": Conflict, "CANCELLED": Conflict},
    "cancel":     {"SCHEDULED": "CANCELLED", "COMPLETED": Conflict, "CANCELLED": Conflict},
    "attendance": {"SCHEDULED": "COMPLETED", "COMPLETED": "COMPLETED", "CANCELLED": Invalid},
}
CASES = [(action, status, TABLE[action][status]) for action in TABLE for status in SessionStatus]


@pytest.mark.parametrize("action, status, expected", CASES, ids=[f"{a}-{s}" for a, s, _ in CASES])
def test_session_transition_table(session, make, action, status, expected):
    owner = make.mentor_user()
    club = make.club(owner)
    klass = make_class(session, club)
    student = make.student()
    make.enrollment(klass, student)
    row = make.lesson_session(klass, status=status, starts_at=utcnow() - timedelta(minutes=5))
    now = utcnow()
    calls = {
        "update": lambda: schedule.update_session(session, actor=owner, session_id=row.id,
                                                  changes={"duration": 45}, now=now),
        "cancel": lambda: schedule.cancel_session(session, actor=owner, session_id=row.id, now=now),
        "attendance": lambda: attendance.save_batch(
            session, actor=owner, kruzhok_id=club.id, now=now,
            marks=[attendance.MarkIn(student_id=student.id, session_id=row.id, status="present")]),
    }
    if isinstance(expected, type):
        with pytest.raises(expected):
            calls[action]()
        session.expire_all()
        assert row.status == status
    else:
        calls[action]()
        session.expire_all()
        assert row.status == expected
