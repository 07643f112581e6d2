"""What waits for staff now (the back-office home): each item is ONE bounded aggregate query over an
indexed condition — a count and the oldest waiting moment. The same conditions filter the lists the
home's cards open (admin_app/filters.py), so a card's count is what its list shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from core.models import (
    BankStatement,
    BankStatementLine,
    CertificateRequest,
    CertificateStatus,
    EmailOutbox,
    EmailStatus,
    LessonSession,
    Purchase,
    PurchaseStatus,
    SessionStatus,
    StatementLineStatus,
    Subscription,
    SubscriptionStatus,
)
from core.services import media_scan_log

EXPIRING_DAYS = 7


@dataclass(frozen=True)
class Waiting:
    count: int
    # The moment the age is counted from: the oldest request, the last scan, the soonest expiry.
    since: datetime | None


def _waiting(session: Session, moment: Any, where: ColumnElement[bool]) -> Waiting:
    row = session.execute(select(func.count(), func.min(moment)).where(where)).one()
    return Waiting(count=int(row[0] or 0), since=row[1])


def expiring_where(now: datetime) -> ColumnElement[bool]:
    return and_(Subscription.status == SubscriptionStatus.ACTIVE, Subscription.expires_at >= now,
                Subscription.expires_at < now + timedelta(days=EXPIRING_DAYS))


def day_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """Today's start and end (as UTC instants) in the given time zone."""
    local = now.astimezone(ZoneInfo(timezone))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def today_sessions_where(now: datetime, timezone: str) -> ColumnElement[bool]:
    start, end = day_bounds(now, timezone)
    return and_(LessonSession.starts_at >= start, LessonSession.starts_at < end,
                LessonSession.status != SessionStatus.CANCELLED)


def pending_subscriptions(session: Session, now: datetime, timezone: str) -> Waiting:
    return _waiting(session, Subscription.created_at, Subscription.status == SubscriptionStatus.PENDING)


def pending_purchases(session: Session, now: datetime, timezone: str) -> Waiting:
    return _waiting(session, Purchase.created_at, Purchase.status == PurchaseStatus.PENDING)


def pending_certificates(session: Session, now: datetime, timezone: str) -> Waiting:
    return _waiting(session, CertificateRequest.created_at, CertificateRequest.status == CertificateStatus.PENDING)


def unmatched_statement_lines(session: Session, now: datetime, timezone: str) -> Waiting:
    """Bank statement lines no pending request matched yet (waiting since their statement's upload)."""
    waiting = (StatementLineStatus.NEW, StatementLineStatus.UNMATCHED, StatementLineStatus.AMOUNT_MISMATCH)
    row = session.execute(select(func.count(), func.min(BankStatement.created_at))
                          .select_from(BankStatementLine)
                          .join(BankStatement, BankStatement.id == BankStatementLine.statement_id)
                          .where(BankStatementLine.status.in_(waiting))).one()
    return Waiting(count=int(row[0] or 0), since=row[1])


def failed_emails(session: Session, now: datetime, timezone: str) -> Waiting:
    return _waiting(session, EmailOutbox.created_at, EmailOutbox.status == EmailStatus.FAILED)


def expiring_subscriptions(session: Session, now: datetime, timezone: str) -> Waiting:
    return _waiting(session, Subscription.expires_at, expiring_where(now))


def today_sessions(session: Session, now: datetime, timezone: str) -> Waiting:
    return _waiting(session, LessonSession.starts_at, today_sessions_where(now, timezone))


def media_problems(session: Session, now: datetime, timezone: str) -> Waiting | None:
    """From the media doctor's last stored scan (None: no scan yet) — never a scan of its own."""
    last = media_scan_log.last_scan(session)
    return None if last is None else Waiting(count=last.problems, since=last.scanned_at)
