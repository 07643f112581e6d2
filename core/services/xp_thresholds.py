"""Certificate requests created when an XP award crosses a threshold (SPEC §7, seed Part 4).

`xp.award_xp` calls `create_request` for each threshold its award crossed; the unique constraint
(user, threshold) makes it exactly once even when many awards race. `backfill_requests` creates
the ones missing for users who crossed a threshold before this hook existed (idempotent).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import (
    CertificateRequest,
    CertificateStatus,
    Course,
    Kruzhok,
    NotificationType,
    User,
    XpEvent,
    XpSource,
)
from core.models.base import new_id
from core.services import notifications

TITLE = "Новый запрос на сертификат"
SOURCE_LABELS: dict[str, str] = {
    XpSource.COURSE_ANSWER: "правильные ответы на вопросы курсов",
    XpSource.LESSON_COMPLETE: "пройденные уроки курсов",
    XpSource.CLUB_QUIZ: "пройденные квизы кружка",
    XpSource.ATTENDANCE: "посещённые занятия кружка",
    XpSource.DAILY_MISSION: "выполненные ежедневные миссии",
    XpSource.ADJUSTMENT: "начисления администратора",
}


def crossed(before: int, after: int, thresholds: Sequence[int]) -> list[int]:
    """Thresholds t with before < t ≤ after (an award moved the total from below to at-or-above t)."""
    return sorted({t for t in thresholds if before < t <= after})


def _text(ledger: Sequence[Any], *, threshold: int, total: int, course_title: str | None,
          club_title: str | None) -> str:
    parts = [f"{SOURCE_LABELS.get(source, source)} — {count} (+{amount} XP)" if amount >= 0 else
             f"{SOURCE_LABELS.get(source, source)} — {count} ({amount} XP)" for source, count, amount in ledger]
    text = f"Достигнут порог {threshold} XP (всего {total} XP)."
    if parts:
        text += " Выполнено: " + "; ".join(parts) + "."
    text += f" Курс: «{course_title}»." if course_title else ""
    text += f" Кружок: «{club_title}»." if club_title else ""
    return text


def _titles(session: Session, course_id: str | None, kruzhok_id: str | None) -> tuple[str | None, str | None]:
    course = None if course_id is None else session.scalar(select(Course.title).where(Course.id == course_id))
    club = None if kruzhok_id is None else session.scalar(select(Kruzhok.title).where(Kruzhok.id == kruzhok_id))
    return course, club


def describe(session: Session, *, user_id: str, threshold: int, total: int, course_id: str | None,
             kruzhok_id: str | None) -> str:
    """What the user completed to get here, in Russian, from the ledger (one grouped query)."""
    rows = session.execute(select(XpEvent.source, func.count(), func.sum(XpEvent.amount))
                           .where(XpEvent.user_id == user_id, XpEvent.amount != 0)
                           .group_by(XpEvent.source).order_by(XpEvent.source)).all()
    course, club = _titles(session, course_id, kruzhok_id)
    return _text(rows, threshold=threshold, total=total, course_title=course, club_title=club)


def create_request(session: Session, *, user_id: str, threshold: int, total: int, now: datetime,
                   kruzhok_id: str | None = None, course_id: str | None = None) -> CertificateRequest | None:
    """A PENDING request for (user, threshold) and one notification per admin; None if it already exists."""
    description = describe(session, user_id=user_id, threshold=threshold, total=total, course_id=course_id,
                           kruzhok_id=kruzhok_id)
    request = CertificateRequest(user_id=user_id, threshold_xp=threshold, total_xp=total, kruzhok_id=kruzhok_id,
                                 course_id=course_id, task_description=description, status=CertificateStatus.PENDING,
                                 created_at=now)
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:
        return None
    name = session.scalar(select(User.full_name).where(User.id == user_id))
    notifications.notify_admins(
        session, type=NotificationType.CERTIFICATE_REQUEST, title=TITLE,
        message=f"Пользователь {name} достиг {total} XP и запросил сертификат", now=now,
        meta={"certificateRequestId": request.id, "userId": user_id, "totalXP": total})
    return request


def create_requests(session: Session, *, crossings: Sequence[tuple[str, int, int]], now: datetime,
                    kruzhok_id: str | None = None, course_id: str | None = None) -> int:
    """`create_request` for many (user_id, threshold, total) crossings in a fixed number of statements
    (an attendance batch); the unique (user, threshold) skips existing requests. Returns how many were created."""
    if not crossings:
        return 0
    user_ids = sorted({user_id for user_id, _, _ in crossings})
    ledger: dict[str, list[Any]] = {}
    for user_id, source, count, amount in session.execute(
            select(XpEvent.user_id, XpEvent.source, func.count(), func.sum(XpEvent.amount))
            .where(XpEvent.user_id.in_(user_ids), XpEvent.amount != 0)
            .group_by(XpEvent.user_id, XpEvent.source).order_by(XpEvent.user_id, XpEvent.source)).all():
        ledger.setdefault(user_id, []).append((source, count, amount))
    names = dict(session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all())
    course, club = _titles(session, course_id, kruzhok_id)
    rows = [{"id": new_id(), "user_id": user_id, "threshold_xp": threshold, "total_xp": total,
             "kruzhok_id": kruzhok_id, "course_id": course_id, "status": CertificateStatus.PENDING,
             "task_description": _text(ledger.get(user_id, []), threshold=threshold, total=total,
                                       course_title=course, club_title=club),
             "created_at": now} for user_id, threshold, total in crossings]
    insert_fn = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    created = session.execute(
        insert_fn(CertificateRequest).values(rows)
        .on_conflict_do_nothing(index_elements=["user_id", "threshold_xp"])
        .returning(CertificateRequest.id, CertificateRequest.user_id, CertificateRequest.total_xp)).all()
    admin_ids = notifications.admin_ids(session) if created else []
    session.add_all([
        notifications.new_notification(
            user_id=admin_id, type=NotificationType.CERTIFICATE_REQUEST, title=TITLE,
            message=f"Пользователь {names.get(user_id)} достиг {total} XP и запросил сертификат", now=now,
            meta={"certificateRequestId": request_id, "userId": user_id, "totalXP": total})
        for request_id, user_id, total in created for admin_id in admin_ids])
    return len(created)


def backfill_requests(session: Session, *, thresholds: Sequence[int], now: datetime, limit: int = 1000) -> int:
    """Create the missing requests of users already at or above a threshold; returns how many (≤ limit)."""
    created = 0
    for threshold in sorted(set(thresholds)):
        missing = session.execute(
            select(User.id, User.experience_points)
            .outerjoin(CertificateRequest, and_(CertificateRequest.user_id == User.id,
                                                CertificateRequest.threshold_xp == threshold))
            .where(User.experience_points >= threshold, CertificateRequest.id.is_(None))
            .order_by(User.id).limit(limit - created)).all()
        for user_id, total in missing:
            if create_request(session, user_id=user_id, threshold=threshold, total=total, now=now) is not None:
                created += 1
        if created >= limit:
            break
    return created
