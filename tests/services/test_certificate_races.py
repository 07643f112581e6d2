"""PostgreSQL races on committed data: two admins deciding one certificate request at the same moment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, or_, select

from core.clock import utcnow
from core.db import Database
from core.errors import Conflict
from core.models import (
    AuditEvent,
    Certificate,
    CertificateRequest,
    EmailOutbox,
    MediaObject,
    Notification,
    RateLimitHit,
    User,
)
from core.services import certificates
from core.storage import make_storage
from tests.concurrency import delete_history_free_children
from tests.concurrency import race_in_transactions as _race
from tests.factories import make_admin, make_student
from tests.factories_certificates import make_certificate_request

pytestmark = pytest.mark.postgres_only  # skipped on SQLite by tests/conftest.py, a failure if skipped on PostgreSQL




def _cleanup(db: Database, user_ids: list[str]) -> None:
    with db.transaction() as session:
        session.execute(delete(Certificate).where(Certificate.user_id.in_(user_ids)))
        session.execute(delete(CertificateRequest).where(CertificateRequest.user_id.in_(user_ids)))
        session.execute(delete(MediaObject).where(MediaObject.uploaded_by_id.in_(user_ids)))
        session.execute(delete(AuditEvent).where(AuditEvent.actor_id.in_(user_ids)))
        session.execute(delete(RateLimitHit).where(or_(*[RateLimitHit.bucket.like(f"%:{u}") for u in user_ids])))
        emails = select(User.email).where(User.id.in_(user_ids))
        session.execute(delete(EmailOutbox).where(EmailOutbox.to_addr.in_(emails)))
        session.execute(delete(Notification).where(Notification.user_id.in_(user_ids)))
        delete_history_free_children(session, users=user_ids)
        session.execute(delete(User).where(User.id.in_(user_ids)))


@pytest.mark.parametrize("second", ["issue", "deny"])
def test_two_admins_at_once_decide_the_request_once(engine, settings, second):
    db = Database(engine)
    storage = make_storage(settings)
    with db.transaction() as session:
        admins = [make_admin(session).id for _ in range(2)]
        student = make_student(session)
        req_id = make_certificate_request(session, student).id
        ids = [*admins, student.id]
    try:
        def issue(admin_id: str) -> Callable[[Any], Any]:
            def call(session: Any) -> str:
                return certificates.issue_certificate(
                    session, storage, request_id=req_id, actor=session.get(User, admin_id),
                    document=certificates.CertificateDocument(generate=True), now=utcnow()).status
            return call

        def deny(admin_id: str) -> Callable[[Any], Any]:
            def call(session: Any) -> str:
                return certificates.deny_certificate(session, request_id=req_id, actor=session.get(User, admin_id),
                                                     reason="одновременно", now=utcnow()).status
            return call

        results = _race(db, [issue(admins[0]), (issue if second == "issue" else deny)(admins[1])])
        wins = [r for r in results if isinstance(r, str)]
        conflicts = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(conflicts) == 1, results
        assert conflicts[0].code == "not_pending"
        with db.transaction() as session:
            req = session.get(CertificateRequest, req_id)
            assert req.status == wins[0]
            certs = session.scalars(select(Certificate).where(Certificate.request_id == req_id)).all()
            assert len(certs) == (1 if wins[0] == "SENT" else 0)
            notes = session.scalars(select(Notification).where(Notification.user_id == student.id)).all()
            assert len(notes) == 1
            stored = list(storage.iter_keys(private=True))
            assert stored == [c.file_key for c in certs]  # the loser's PDF (if it made one) was not kept
    finally:
        _cleanup(db, ids)
