"""PostgreSQL: 50 concurrent awards crossing the threshold together create exactly one request."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from core.clock import utcnow
from core.db import Database
from core.models import CertificateRequest, Notification, User, XpEvent
from core.services import xp
from tests.concurrency import delete_history_free_children, run_concurrently
from tests.factories import make_admin, make_student
from tests.xp_ledger import assert_xp_matches_ledger

pytestmark = pytest.mark.postgres_only  # skipped on SQLite by tests/conftest.py, a failure if skipped on PostgreSQL


def test_fifty_concurrent_awards_cross_100_once(engine):
    db = Database(engine)
    with db.transaction() as session:
        student_id = make_student(session).id
        admin_id = make_admin(session).id
    try:
        def award(i: int):
            def run() -> bool:
                with db.transaction() as session:  # its own connection and transaction, committed
                    return xp.award_xp(session, user_id=student_id, amount=10, reason="гонка", source="ATTENDANCE",
                                       source_key=f"race:{student_id}:{i}", now=utcnow(), thresholds=[100, 300])
            return run

        results = run_concurrently([award(i) for i in range(50)])
        assert results == [True] * 50
        with db.transaction() as session:
            assert session.get(User, student_id).experience_points == 500
            requests = session.execute(select(CertificateRequest.threshold_xp, CertificateRequest.total_xp)
                                       .where(CertificateRequest.user_id == student_id)
                                       .order_by(CertificateRequest.threshold_xp)).all()
            # Each request records the exact total that crossed it: the row lock serialised the awards.
            assert [tuple(r) for r in requests] == [(100, 100), (300, 300)]
            notes = session.scalar(select(func.count()).select_from(Notification).where(
                Notification.user_id == admin_id, Notification.type == "CERTIFICATE_REQUEST"))
            assert notes == 2
            assert_xp_matches_ledger(session, [student_id])
    finally:
        with db.transaction() as session:
            session.execute(delete(Notification).where(Notification.user_id.in_([admin_id, student_id])))
            session.execute(delete(CertificateRequest).where(CertificateRequest.user_id == student_id))
            session.execute(delete(XpEvent).where(XpEvent.user_id == student_id))
            delete_history_free_children(session, users=[admin_id, student_id])
            session.execute(delete(User).where(User.id.in_([admin_id, student_id])))
