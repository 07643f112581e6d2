"""After an attendance save: tell the club's owner and mentors when a student missed 3 sessions in a row.

A student's streak in a class is the run of held (COMPLETED) sessions, in date order, after the last
held session in which the student is not marked `absent` — attended, late, excused (a reason was given,
so it is not a miss) or not marked at all. When a save marks a student absent and the streak reaches
STREAK sessions, one `AbsenceAlert` row is written for (student, class, the streak's first session),
with a notification to the owner and every mentor listing the dates in the club's timezone.

Exactly once per streak: the unique row absorbs re-saves, a fourth miss (same first session), a
correction undone and racing saves (INSERT … ON CONFLICT DO NOTHING RETURNING: only the inserter
notifies). After the student attends, a new streak starts with a new first session and alerts again.

A fixed number of statements whatever the batch size: none when nobody was newly marked absent;
otherwise one lock of the classes, one aggregate for every student's last non-absence, one for the
sessions after it, and — when a streak is found — one INSERT of the alerts, one lookup of the
mentors, one INSERT of notifications.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select, text, tuple_, type_coerce
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.clock import as_utc
from core.models import (
    AbsenceAlert,
    Attendance,
    AttendanceStatus,
    ClassEnrollment,
    ClubClass,
    ClubMentor,
    Kruzhok,
    LessonSession,
    NotificationType,
    SessionStatus,
    User,
    new_id,
)
from core.models.base import UTCDateTime
from core.services.notifications import new_notification

STREAK = 3
MAX_DATES = 10  # dates listed in one notification (a long streak marked at once lists its last ones)


class SavedMark(Protocol):
    @property
    def student_id(self) -> str: ...
    @property
    def session_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def changed(self) -> bool: ...


@dataclass(frozen=True)
class _Streak:
    student_id: str
    student_name: str
    class_id: str
    class_name: str
    sessions: list[tuple[str, datetime]]  # (id, starts_at) in date order


def _lessons(count: int) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return "занятие"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return "занятия"
    return "занятий"


def _lock_classes(session: Session, class_ids: list[str]) -> None:
    """Two saves of different sessions of a class could each miss the other's absence (write skew): the
    second waits here for the first to commit, then reads its marks. Advisory locks, in a fixed order:
    a row lock on the class would be an upgrade of the key-share locks the saves' inserts already hold
    (a deadlock). SQLite: the write transaction (BEGIN IMMEDIATE) already serialises the saves."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(k)) FROM "
                             "(SELECT unnest(CAST(:keys AS text[])) AS k ORDER BY k) AS ordered"),
                        {"keys": [f"absence_streak:{c}" for c in class_ids]})


def _last_non_absences(session: Session, pairs: list[tuple[str, str]]
                       ) -> list[tuple[str, str, str, str, datetime | None]]:
    """(class, student, student name, class name, starts_at of the last held session not missed) per pair."""
    not_missed = or_(Attendance.status.is_(None), Attendance.status != AttendanceStatus.ABSENT)
    last = type_coerce(func.max(case((not_missed, LessonSession.starts_at))), UTCDateTime())
    rows = session.execute(
        select(ClassEnrollment.class_id, ClassEnrollment.student_id, User.full_name, ClubClass.name, last)
        .join(User, User.id == ClassEnrollment.student_id)
        .join(ClubClass, ClubClass.id == ClassEnrollment.class_id)
        .join(LessonSession, and_(LessonSession.class_id == ClassEnrollment.class_id,
                                  LessonSession.status == SessionStatus.COMPLETED))
        .outerjoin(Attendance, and_(Attendance.session_id == LessonSession.id,
                                    Attendance.student_id == ClassEnrollment.student_id))
        .where(tuple_(ClassEnrollment.class_id, ClassEnrollment.student_id).in_(pairs))
        .group_by(ClassEnrollment.class_id, ClassEnrollment.student_id, User.full_name, ClubClass.name)).all()
    return [(c, s, name, class_name, as_utc(at) if at is not None else None)
            for c, s, name, class_name, at in rows]


def _streaks(session: Session, pairs: list[tuple[str, str]]) -> list[_Streak]:
    lasts = _last_non_absences(session, pairs)
    since: dict[str, datetime | None] = {}  # per class: the earliest "last non-absence" (None: from the start)
    for class_id, _, _, _, at in lasts:
        if class_id not in since:
            since[class_id] = at
        else:
            known = since[class_id]
            since[class_id] = None if known is None or at is None else min(known, at)
    held: dict[str, list[tuple[str, datetime]]] = {}
    if since:
        windows = [LessonSession.class_id == c if at is None
                   else and_(LessonSession.class_id == c, LessonSession.starts_at > at) for c, at in since.items()]
        for sid, class_id, starts_at in session.execute(
                select(LessonSession.id, LessonSession.class_id, LessonSession.starts_at)
                .where(LessonSession.status == SessionStatus.COMPLETED, or_(*windows))
                .order_by(LessonSession.starts_at, LessonSession.id)):
            held.setdefault(class_id, []).append((sid, as_utc(starts_at)))
    found = []
    for class_id, student_id, name, class_name, at in lasts:
        run = [(sid, start) for sid, start in held.get(class_id, []) if at is None or start > at]
        if len(run) >= STREAK:
            found.append(_Streak(student_id, name, class_id, class_name, run))
    return found


def alert_absence_streaks(session: Session, *, club: Kruzhok, sessions: dict[str, LessonSession],
                          records: Sequence[SavedMark], now: datetime) -> int:
    """Write the alerts (and notifications) of the streaks this save completed; returns how many."""
    pairs = sorted({(sessions[m.session_id].class_id, m.student_id) for m in records
                    if m.changed and m.status == AttendanceStatus.ABSENT})
    if not pairs:
        return 0
    _lock_classes(session, sorted({c for c, _ in pairs}))
    streaks = _streaks(session, pairs)
    if not streaks:
        return 0
    insert_fn = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [{"id": new_id(), "student_id": s.student_id, "class_id": s.class_id, "first_session_id": s.sessions[0][0],
             "last_session_id": s.sessions[-1][0], "missed": len(s.sessions), "created_at": now} for s in streaks]
    inserted = {(student_id, class_id) for student_id, class_id in session.execute(
        insert_fn(AbsenceAlert).values(rows)
        .on_conflict_do_nothing(index_elements=["student_id", "class_id", "first_session_id"])
        .returning(AbsenceAlert.student_id, AbsenceAlert.class_id))}
    new = [s for s in streaks if (s.student_id, s.class_id) in inserted]
    if not new:
        return 0
    mentors = set(session.scalars(select(ClubMentor.user_id).where(ClubMentor.kruzhok_id == club.id)))
    mentors.add(club.owner_id)
    tz = ZoneInfo(club.timezone)
    notes = []
    for streak in new:
        dates = [as_utc(start).astimezone(tz).strftime("%d.%m.%Y") for _, start in streak.sessions][-MAX_DATES:]
        count = len(streak.sessions)
        message = (f"{streak.student_name} (класс «{streak.class_name}») пропускает {count} {_lessons(count)} "
                   f"подряд: {', '.join(dates)}.")
        last_id = streak.sessions[-1][0]
        for user_id in sorted(mentors):
            notes.append(new_notification(
                user_id=user_id, type=NotificationType.ABSENCE_STREAK, title="Пропуски подряд", message=message,
                link=f"/kruzhok/{club.id}/lesson/{last_id}", now=now,
                meta={"studentId": streak.student_id, "classId": streak.class_id, "missed": count, "dates": dates,
                      "sessionIds": [sid for sid, _ in streak.sessions][-MAX_DATES:]}))
    session.add_all(notes)
    return len(new)
