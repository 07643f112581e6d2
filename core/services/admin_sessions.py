"""Back-office sessions kept server-side: the signed cookie carries only an `AdminSession` id.

A session ends on logout (that row), on logout-all / blocking / a password or role change (every
row of the user, through `end_all_sessions`), after `idle` without requests, and at its absolute
maximum age whatever the activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from core.db import rowcount
from core.models import AdminSession, User

# last_seen_at is written at most this often (not on every page view).
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta


def start_session(session: Session, *, user: User, ip: str, policy: SessionPolicy, now: datetime) -> AdminSession:
    """A new back-office session for a user who has just proved their password."""
    row = AdminSession(user_id=user.id, token_version=user.token_version, created_at=now,
                       last_seen_at=now, expires_at=now + policy.absolute, ip=ip[:64])
    session.add(row)
    session.flush()
    return row


def resume_session(session: Session, *, session_id: str, policy: SessionPolicy, now: datetime) -> User | None:
    """The staff member a session id belongs to, or None when it has ended, expired, or the user
    is no longer staff, is blocked, or has ended all their sessions."""
    row = session.get(AdminSession, session_id) if isinstance(session_id, str) else None
    if row is None or row.ended_at is not None:
        return None
    user = session.get(User, row.user_id)
    alive = (user is not None and user.is_staff and not user.is_blocked
             and user.token_version == row.token_version
             and now < row.expires_at and now - row.last_seen_at < policy.idle)
    if not alive:
        row.ended_at = now
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return user


def end_session(session: Session, *, session_id: str, now: datetime) -> None:
    """Logout: this session ends, in every copy of the cookie."""
    if isinstance(session_id, str):
        session.execute(update(AdminSession).where(AdminSession.id == session_id, AdminSession.ended_at.is_(None))
                        .values(ended_at=now))


def end_all_sessions(session: Session, *, user: User, now: datetime) -> None:
    """End every API token and back-office session of the user (logout-all, blocking, password
    or role change)."""
    user.token_version = user.token_version + 1
    session.execute(update(AdminSession).where(AdminSession.user_id == user.id, AdminSession.ended_at.is_(None))
                    .values(ended_at=now))


def purge_ended(session: Session, *, now: datetime) -> int:
    """Delete sessions that ended or expired more than a day ago."""
    cutoff = now - timedelta(days=1)
    return rowcount(session.execute(delete(AdminSession).where(
        or_(AdminSession.ended_at < cutoff, AdminSession.expires_at < cutoff))))
