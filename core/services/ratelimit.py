"""Sliding-window rate limits kept in the database, so they hold across processes and replicas."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from core.db import rowcount
from core.errors import RateLimited
from core.models import RateLimitHit

# name: (limit, window, Russian message)
LIMITS: dict[str, tuple[int, timedelta, str]] = {
    # Failed logins (core/services/login_throttle.py): per (email, IP), per IP, and per account
    # (that one only slows clients which have failed themselves, see login_throttle).
    "login_pair": (5, timedelta(minutes=15), "Слишком много неудачных попыток входа. Попробуйте позже."),
    "login_ip": (30, timedelta(minutes=15), "Слишком много неудачных попыток входа. Попробуйте позже."),
    "login_account": (50, timedelta(hours=1), "Слишком много неудачных попыток входа. Попробуйте позже."),
    "login_attack_alert": (1, timedelta(hours=1), ""),
    "subscription_request": (3, timedelta(days=1), "Можно отправить не более 3 заявок в сутки."),
    "attendance_batch": (10, timedelta(hours=1), "Слишком частое сохранение табеля. Попробуйте позже."),
    "certificate_issue": (50, timedelta(hours=1), "Превышен лимит выдачи сертификатов в час."),
    "join_code_fail": (10, timedelta(hours=1), "Слишком много неверных кодов. Попробуйте через час."),
    # Limits per client IP, so that more accounts do not mean more attempts (issue 12).
    "join_code_fail_ip": (30, timedelta(hours=1), "Слишком много неверных кодов. Попробуйте через час."),
    # Wrong self check-in codes: per student, and per client IP (a classroom shares one address).
    "checkin_fail": (5, timedelta(minutes=10), "Слишком много неверных кодов. Попробуйте через 10 минут."),
    "checkin_fail_ip": (60, timedelta(minutes=10), "Слишком много неверных кодов. Попробуйте через 10 минут."),
    "club_invite": (100, timedelta(hours=1), "Слишком много приглашений. Попробуйте через час."),
    "payment_proof_upload": (20, timedelta(hours=1), "Слишком много загрузок скриншотов. Попробуйте через час."),
    "register_ip": (20, timedelta(hours=1), "Слишком много регистраций с этого адреса. Попробуйте позже."),
    # How often subscription requests notify the admins: per requesting user, and in total.
    "subscription_notice_user": (1, timedelta(days=1), ""),
    "subscription_notice_all": (20, timedelta(hours=1), ""),
}


def _lock(session: Session, bucket: str) -> None:
    # Serialise check-and-insert per bucket across processes (SQLite: BEGIN IMMEDIATE already does).
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:b))"), {"b": bucket})


def check(session: Session, name: str, key: str, *, now: datetime) -> None:
    """Raise `RateLimited` when the window for (name, key) is full; records nothing."""
    limit, window, message = LIMITS[name]
    bucket = f"{name}:{key}"
    _lock(session, bucket)
    since = now - window
    count, oldest = session.execute(
        select(func.count(), func.min(RateLimitHit.at)).where(
            RateLimitHit.bucket == bucket, RateLimitHit.at > since
        )
    ).one()
    if count >= limit:
        retry = int((oldest + window - now).total_seconds()) + 1 if oldest else int(window.total_seconds())
        raise RateLimited(message, retry_after=retry)


def window_stats(session: Session, name: str, key: str, *, now: datetime) -> tuple[int, datetime | None]:
    """(hits in the window of (name, key), the newest hit's time) without locking or recording."""
    _, window, _ = LIMITS[name]
    count, newest = session.execute(
        select(func.count(), func.max(RateLimitHit.at)).where(
            RateLimitHit.bucket == f"{name}:{key}", RateLimitHit.at > now - window
        )
    ).one()
    return int(count), newest


def record(session: Session, name: str, key: str, *, now: datetime) -> None:
    session.add(RateLimitHit(bucket=f"{name}:{key}", at=now))
    session.flush()


def hit(session: Session, name: str, key: str, *, now: datetime) -> None:
    """Count one use of (name, key), raising `RateLimited` if the window is already full."""
    check(session, name, key, now=now)
    record(session, name, key, now=now)


def purge_old(session: Session, *, now: datetime) -> int:
    longest = max(window for _, window, _ in LIMITS.values())
    return rowcount(session.execute(delete(RateLimitHit).where(RateLimitHit.at < now - longest)))
