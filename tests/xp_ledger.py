"""The XP invariant, asserted after scenario tests: every user's total equals their ledger sum."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import User, XpEvent


def assert_xp_matches_ledger(session: Session, user_ids: Iterable[str] | None = None) -> None:
    """Fail listing every user whose `experience_points` differs from the sum of their XpEvent rows."""
    session.flush()
    ledger = (select(func.coalesce(func.sum(XpEvent.amount), 0)).where(XpEvent.user_id == User.id)
              .correlate(User).scalar_subquery())
    stmt = select(User.id, User.experience_points, ledger).where(User.experience_points != ledger)
    if user_ids is not None:
        stmt = stmt.where(User.id.in_(list(user_ids)))
    wrong = session.execute(stmt).all()
    assert not wrong, f"XP total differs from the ledger sum (id, total, ledger): {wrong}"
