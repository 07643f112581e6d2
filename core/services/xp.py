"""XP: the one way experience points change (SPEC §7).

Every change is an `XpEvent` ledger row with a unique `source_key` plus an atomic
`UPDATE users SET experience_points = experience_points + :amount RETURNING experience_points`.
The unique key makes each award happen at most once — a double click, a retry or two replicas
racing all end with one row — and the returned total tells exactly which award crossed a
threshold (concurrent UPDATEs of one user row are serialised by the database), so the
certificate request it creates (`xp_thresholds`) is decided by the row lock, not in memory.
Corrections are negative rows (`adjust_xp`); `User.experience_points` always equals the ledger sum.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from core.errors import NotFound, field_error
from core.models import AuditAction, NotificationType, User, XpEvent
from core.models.base import new_id
from core.models.xp import XpSource
from core.services import audit, clean, notifications, xp_thresholds
from core.services.permissions import require_admin

LESSON_COMPLETE_XP = 10
COURSE_ANSWER_XP = 20
DEFAULT_THRESHOLDS: tuple[int, ...] = (100,)
MAX_ADJUSTMENT = 10_000
MSG_AMOUNT = f"Количество XP: целое число от −{MAX_ADJUSTMENT} до {MAX_ADJUSTMENT}, не ноль"


def award_xp(session: Session, *, user_id: str, amount: int, reason: str, source: XpSource, source_key: str,
             now: datetime, kruzhok_id: str | None = None, course_id: str | None = None,
             thresholds: Sequence[int] = DEFAULT_THRESHOLDS) -> bool:
    """Award `amount` XP once per `source_key`; returns False when it was already awarded.

    An award that moves the total from below to at-or-above a threshold creates that threshold's
    certificate request (once per user and threshold). Corrections are negative amounts with their
    own source_key.
    """
    if source not in tuple(XpSource):
        raise ValueError(f"unknown XP source {source!r}")
    try:
        with session.begin_nested():
            session.add(XpEvent(user_id=user_id, amount=amount, reason=reason[:300], source=source,
                                source_key=source_key, kruzhok_id=kruzhok_id, course_id=course_id,
                                created_at=now))
            session.flush()
    except IntegrityError:
        return False
    if amount:
        total = session.execute(update(User).where(User.id == user_id)
                                .values(experience_points=User.experience_points + amount)
                                .returning(User.experience_points)
                                .execution_options(synchronize_session=False)).scalar_one()
        # A loaded User must not keep showing the old total.
        cached = session.identity_map.get(identity_key(User, user_id))
        if cached is not None:
            session.expire(cached, ["experience_points"])
        for threshold in xp_thresholds.crossed(total - amount, total, thresholds):
            xp_thresholds.create_request(session, user_id=user_id, threshold=threshold, total=total,
                                         kruzhok_id=kruzhok_id, course_id=course_id, now=now)
    return True


@dataclass(frozen=True)
class XpAward:
    user_id: str
    amount: int
    reason: str
    source_key: str


def award_xp_many(session: Session, *, awards: list[XpAward], source: XpSource, now: datetime,
                  kruzhok_id: str | None = None, thresholds: Sequence[int] = DEFAULT_THRESHOLDS) -> set[str]:
    """`award_xp` for many users in a fixed number of statements (a 30-student attendance batch).

    One INSERT … ON CONFLICT (source_key) DO NOTHING RETURNING writes the ledger rows — a key already
    awarded (a retry, a racing replica) is skipped by the database — and one UPDATE adds exactly the
    inserted amounts to the users and returns their new totals, so the thresholds crossed are known exactly
    (row locks serialise concurrent updates) and their certificate requests are created in one batch
    (`xp_thresholds.create_requests`). Returns the source keys that were awarded now.
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
        after = session.execute(update(User).where(User.id.in_(totals))
                                .values(experience_points=User.experience_points
                                        + case(totals, value=User.id, else_=0))
                                .returning(User.id, User.experience_points)
                                .execution_options(synchronize_session=False)).all()
        crossings = [(user_id, threshold, total) for user_id, total in after
                     for threshold in xp_thresholds.crossed(total - totals[user_id], total, thresholds)]
        xp_thresholds.create_requests(session, crossings=crossings, now=now, kruzhok_id=kruzhok_id)
        for user_id in totals:
            cached = session.identity_map.get(identity_key(User, user_id))
            if cached is not None:
                session.expire(cached, ["experience_points"])
    return {key for key, _, _ in inserted}


def _clean_amount(value: Any) -> int:
    if isinstance(value, bool | float):
        raise field_error("amount", MSG_AMOUNT)
    try:
        amount = int(str(value).strip().replace("−", "-"))
    except (TypeError, ValueError):
        raise field_error("amount", MSG_AMOUNT) from None
    if amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        raise field_error("amount", MSG_AMOUNT)
    return amount


def adjust_xp(session: Session, *, actor: User | None, user_id: str, amount: Any, reason: str, now: datetime,
              thresholds: Sequence[int] = DEFAULT_THRESHOLDS) -> User:
    """An admin's manual grant (amount > 0) or removal (< 0) with a required reason; audited.

    422 for a zero/huge/non-integer amount, a missing reason, or a removal below zero XP; 404 unknown user.
    """
    actor = require_admin(actor)
    delta = _clean_amount(amount)
    text = " ".join((clean.clean_text(reason, field="reason", label="Причина", max_length=250,
                                      required=False) or "").split())
    if len(text) < 3:
        raise field_error("reason", "Укажите причину (от 3 до 250 символов)")
    # The lock makes "no removal below zero" hold against a concurrent adjustment too.
    user = None if clean.get_row(session, User, user_id) is None else session.scalar(
        select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True))
    if user is None:
        raise NotFound("Пользователь не найден")
    before = user.experience_points
    if before + delta < 0:
        raise field_error("amount", f"Нельзя списать больше XP, чем есть у пользователя (сейчас {before} XP)")
    word = "Начисление" if delta > 0 else "Списание"
    award_xp(session, user_id=user.id, amount=delta, reason=f"{word} администратором: {text}",
             source=XpSource.ADJUSTMENT, source_key=f"adjust:{uuid.uuid4().hex}", now=now, thresholds=thresholds)
    notifications.notify(
        session, user_id=user.id, type=NotificationType.XP_ADJUSTED,
        title="Начислены XP" if delta > 0 else "Списаны XP",
        message=f"{'Начислено' if delta > 0 else 'Списано'} {abs(delta)} XP. Причина: {text}", now=now,
        meta={"amount": delta, "totalXP": before + delta})
    audit.record(session, actor=actor, action=AuditAction.XP_ADJUST, entity="user", entity_id=user.id, now=now,
                 data={"amount": delta, "reason": text, "before": before, "after": before + delta})
    return user
