"""XP: the one way experience points change (SPEC §7).

Every change is an `XpEvent` ledger row with a unique `source_key` plus an atomic
`UPDATE users SET experience_points = experience_points + :amount`. The unique key makes each
award happen at most once — a double click, a retry or two replicas racing all end with one row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from core.models import User, XpEvent
from core.models.xp import XpSource

LESSON_COMPLETE_XP = 10
COURSE_ANSWER_XP = 20


def award_xp(session: Session, *, user_id: str, amount: int, reason: str, source: XpSource, source_key: str,
             now: datetime, kruzhok_id: str | None = None) -> bool:
    """Award `amount` XP once per `source_key`; returns False when it was already awarded.

    Corrections are negative amounts with their own source_key.
    """
    if source not in tuple(XpSource):
        raise ValueError(f"unknown XP source {source!r}")
    try:
        with session.begin_nested():
            session.add(XpEvent(user_id=user_id, amount=amount, reason=reason[:300], source=source,
                                source_key=source_key, kruzhok_id=kruzhok_id, created_at=now))
            session.flush()
    except IntegrityError:
        return False
    if amount:
        session.execute(update(User).where(User.id == user_id)
                        .values(experience_points=User.experience_points + amount)
                        .execution_options(synchronize_session=False))
        # A loaded User must not keep showing the old total.
        cached = session.identity_map.get(identity_key(User, user_id))
        if cached is not None:
            session.expire(cached, ["experience_points"])
    return True
