"""The rotating self check-in code of a lesson session, and what the mentor's screen shows.

HMAC-SHA256(SECRET_KEY, session id, the moment check-in was opened, the 30-second window): every process
derives the same code without shared state, a re-opened check-in has new codes, and the current and the
previous window are accepted (a code typed just before it rotated still counts).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import as_utc
from core.models import SessionCheckin

CODE_SECONDS = 30


@dataclass(frozen=True)
class CheckinState:
    session_id: str
    is_open: bool
    code: str | None  # the current code (mentors only), None while closed
    code_expires_at: datetime | None  # when the screen should show the next code
    opened_at: datetime | None
    closes_at: datetime | None
    rotation_seconds: int = CODE_SECONDS


def window_of(moment: datetime) -> int:
    return int(as_utc(moment).timestamp()) // CODE_SECONDS


def code_for(secret_key: str, *, session_id: str, opened_at: datetime, window: int) -> str:
    """The 6-digit code of one 30-second window of one opening of a session's check-in."""
    message = f"checkin:{session_id}:{as_utc(opened_at).isoformat()}:{window}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def is_open(row: SessionCheckin | None, now: datetime) -> bool:
    return row is not None and as_utc(row.opened_at) <= as_utc(now) < as_utc(row.closes_at)


def state_of(row: SessionCheckin | None, *, session_id: str, secret_key: str, now: datetime) -> CheckinState:
    """What the mentor's screen shows: the current code and when it rotates, or closed."""
    if row is None or not is_open(row, now):
        return CheckinState(session_id=session_id, is_open=False, code=None, code_expires_at=None,
                            opened_at=as_utc(row.opened_at) if row else None,
                            closes_at=as_utc(row.closes_at) if row else None)
    window = window_of(now)
    rotates = datetime.fromtimestamp((window + 1) * CODE_SECONDS, tz=as_utc(now).tzinfo)
    return CheckinState(session_id=session_id, is_open=True,
                        code=code_for(secret_key, session_id=session_id, opened_at=row.opened_at, window=window),
                        code_expires_at=min(rotates, as_utc(row.closes_at)), opened_at=as_utc(row.opened_at),
                        closes_at=as_utc(row.closes_at))


def checkin_row(session: Session, session_id: str, *, lock: bool = False) -> SessionCheckin | None:
    stmt = select(SessionCheckin).where(SessionCheckin.session_id == session_id)
    return session.scalar(stmt.with_for_update() if lock else stmt)


def is_valid(code: str, row: SessionCheckin, *, secret_key: str, now: datetime) -> bool:
    window = window_of(now)
    expected = [code_for(secret_key, session_id=row.session_id, opened_at=row.opened_at, window=w)
                for w in (window, window - 1)]
    return any(hmac.compare_digest(code, e) for e in expected)
