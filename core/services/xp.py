"""XP: the one way experience points change (SPEC §7).

Every change is an `XpEvent` ledger row with a unique `source_key` plus an atomic
`UPDATE users SET experience_points = experience_points + :amount`. The unique key makes each
award happen at most once — a double click, a retry or two replicas racing all end with one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from core.models import User, XpEvent
from core.models.base import new_id
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


@dataclass(frozen=True)
class XpAward:
    user_id: str
    amount: int
    reason: str
    source_key: str


def award_xp_many(session: Session, *, awards: list[XpAward], source: XpSource, now: datetime,
                  kruzhok_id: str | None = None) -> set[str]:
    """`award_xp` for many users in a fixed number of statements (a 30-student attendance batch).

    One INSERT … ON CONFLICT (source_key) DO NOTHING RETURNING writes the ledger rows — a key already
    awarded (a retry, a racing replica) is skipped by the database — and one UPDATE adds exactly the
    inserted amounts to the users. Returns the source keys that were awarded now.
    """
    if source not in tuple(XpSource):
        raise ValueError(f"unknown XP source {source!r}")
    if not awards:
        return set()
    rows = [{"id": new_id(), "user_id": a.user_id, "amount": a.amount, "reason": a.reason[:300], "source": source,
             "source_key": a.source_key, "kruzhok_id": kruzhok_id, "created_at": now} for a in awards]
    dialect = session.get_bind().dialect.name
    insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (insert_fn(XpEvent).values(rows).on_conflict_do_nothing(index_elements=["source_key"])
            .returning(XpEvent.source_key, XpEvent.user_id, XpEvent.amount))
    inserted = session.execute(stmt).all()
    totals: dict[str, int] = {}
    for _, user_id, amount in inserted:
        totals[user_id] = totals.get(user_id, 0) + amount
    totals = {user_id: amount for user_id, amount in totals.items() if amount}
    if totals:
        session.execute(update(User).where(User.id.in_(totals))
                        .values(experience_points=User.experience_points
                                + case(totals, value=User.id, else_=0))
                        .execution_options(synchronize_session=False))
        for user_id in totals:
            cached = session.identity_map.get(identity_key(User, user_id))
            if cached is not None:
                session.expire(cached, ["experience_points"])
    return {key for key, _, _ in inserted}
