"""PostgreSQL: two «Одобрить все совпавшие» at the same moment approve each request once (committed data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from core.clock import utcnow
from core.db import Database
from core.models import (
    AuditEvent,
    BankStatement,
    BankStatementLine,
    Course,
    CourseEnrollment,
    EmailOutbox,
    Notification,
    PaymentCode,
    Purchase,
    Subscription,
    User,
)
from core.services import bank_statement
from tests.concurrency import delete_history_free_children, race_in_transactions
from tests.factories import make_admin
from tests.factories_statements import (
    make_paid_course,
    make_pending_purchase,
    make_pending_subscription,
    statement_csv,
    statement_line,
)

pytestmark = pytest.mark.postgres_only  # skipped on SQLite by tests/conftest.py, a failure if skipped on PostgreSQL

COLUMNS = {"date": "Дата", "amount": "Сумма", "comment": "Комментарий"}


def _cleanup(db: Database, user_ids: list[str], statement_ids: list[str], course_id: str) -> None:
    with db.transaction() as session:
        emails = select(User.email).where(User.id.in_(user_ids))
        session.execute(delete(EmailOutbox).where(EmailOutbox.to_addr.in_(emails)))
        session.execute(delete(Notification).where(Notification.user_id.in_(user_ids)))
        session.execute(delete(AuditEvent).where(AuditEvent.actor_id.in_(user_ids)))
        session.execute(delete(BankStatementLine).where(BankStatementLine.statement_id.in_(statement_ids)))
        session.execute(delete(BankStatement).where(BankStatement.id.in_(statement_ids)))
        session.execute(delete(CourseEnrollment).where(CourseEnrollment.user_id.in_(user_ids)))
        requests = [*session.scalars(select(Subscription.id).where(Subscription.user_id.in_(user_ids))),
                    *session.scalars(select(Purchase.id).where(Purchase.user_id.in_(user_ids)))]
        session.execute(delete(PaymentCode).where(PaymentCode.request_id.in_(requests)))
        session.execute(delete(Subscription).where(Subscription.user_id.in_(user_ids)))
        session.execute(delete(Purchase).where(Purchase.user_id.in_(user_ids)))
        session.execute(delete(Course).where(Course.id == course_id))
        delete_history_free_children(session, users=user_ids)
        session.execute(delete(User).where(User.id.in_(user_ids)))


@pytest.mark.parametrize("statements", ["same", "two_overlapping"])
def test_two_approve_all_runs_at_once_approve_each_request_once(engine, statements):
    db = Database(engine)
    with db.transaction() as session:
        admins = [make_admin(session) for _ in range(2)]
        course = make_paid_course(session)
        subs = [make_pending_subscription(session) for _ in range(4)]
        buys = [make_pending_purchase(session, course=course) for _ in range(4)]
        payers = [r.user_id for r in [*subs, *buys]]
        lines = ([statement_line(f"{s.amount}", f"Оплата {s.payment_comment}") for s in subs]
                 + [statement_line(f"{b.amount},00", b.sender_code) for b in buys])
        ids = {"admins": [a.id for a in admins], "course": course.id}
    statement_ids: list[str] = []
    try:
        with db.transaction() as session:
            for i in range(1 if statements == "same" else 2):
                data = statement_csv(lines + [statement_line("1", f"выгрузка {i}")])
                upload = bank_statement.upload_statement(session, actor=session.get(User, ids["admins"][0]),
                                                         file_name="выписка.csv", data=data, now=utcnow())
                bank_statement.match_statement(session, actor=session.get(User, ids["admins"][0]),
                                               statement_id=upload.statement.id, columns=COLUMNS, now=utcnow())
                statement_ids.append(upload.statement.id)

        def approve_all(admin_id: str, statement_id: str) -> Callable[[Any], Any]:
            def call(session: Any) -> int:
                return bank_statement.approve_matched(session, actor=session.get(User, admin_id),
                                                      statement_id=statement_id, now=utcnow(),
                                                      timezone="Asia/Almaty").approved
            return call

        results = race_in_transactions(db, [approve_all(ids["admins"][0], statement_ids[0]),
                                            approve_all(ids["admins"][1], statement_ids[-1])])
        assert all(isinstance(r, int) for r in results), results
        if statements == "same":  # the second run waits for the statement's lock, then finds nothing MATCHED
            assert sorted(results) == [0, 8]
        else:  # the requests' own locks decide: each approved by one of the two runs
            assert sum(results) == 8
        with db.transaction() as session:
            assert set(session.scalars(select(Subscription.status).where(Subscription.user_id.in_(payers)))) == {
                "ACTIVE"}
            assert set(session.scalars(select(Purchase.status).where(Purchase.user_id.in_(payers)))) == {"APPROVED"}
            per_user = dict(session.execute(
                select(Notification.user_id, func.count()).where(Notification.user_id.in_(payers),
                                                                 Notification.type.like("%_APPROVED"))
                .group_by(Notification.user_id)).all())
            assert per_user == {user_id: 1 for user_id in payers}
            approvals = session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.actor_id.in_(ids["admins"]), AuditEvent.action.in_(["subscription.approve",
                                                                                "purchase.approve"])))
            assert approvals == 8
            assert session.scalar(select(func.count()).select_from(CourseEnrollment)
                                  .where(CourseEnrollment.user_id.in_(payers))) == 4
    finally:
        _cleanup(db, [*ids["admins"], *payers], statement_ids, ids["course"])
