"""Batch attendance (SPEC §10): all-or-nothing, idempotent, XP differences through the XP service.

A save runs a fixed number of statements whatever the number of students: every lookup is one
`IN (…)` query, new marks are one multi-row INSERT, changed marks one executemany UPDATE, the XP
ledger one INSERT … ON CONFLICT DO NOTHING (`xp.award_xp_many`), the notifications one INSERT.

XP: each mark keeps `xp_awarded` (what the ledger holds for it) and a `revision`. A status change
writes one ledger row with the difference (new − old, negative for a correction) under the key
`attendance:<session>:<student>:<revision>`, so a retried or racing save can never count twice.
Two identical batches at once: the sessions are locked (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE
on SQLite), so the second sees the first's marks and changes nothing; the unique ledger key backs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from core.clock import as_utc, local_date
from core.errors import ErrorCode, Invalid
from core.models import (
    Attendance,
    AttendanceStatus,
    AuditAction,
    ClassEnrollment,
    ClubClass,
    EnrollmentStatus,
    Kruzhok,
    LessonSession,
    Notification,
    NotificationType,
    SessionStatus,
    User,
)
from core.models.xp import XpSource
from core.services import absence_alerts, audit, quiz_distribution, ratelimit, snapshots
from core.services.club_access import get_club, require_club_mentor
from core.services.permissions import require_user
from core.services.xp import DEFAULT_THRESHOLDS, XpAward, award_xp_many

XP_BY_STATUS = {AttendanceStatus.PRESENT: 100, AttendanceStatus.LATE: 50}
MAX_RECORDS = 500
STATUS_RU = {
    AttendanceStatus.PRESENT: "присутствие",
    AttendanceStatus.LATE: "опоздание",
    AttendanceStatus.ABSENT: "отсутствие",
    AttendanceStatus.EXCUSED: "отсутствие по уважительной причине",
}


@dataclass(frozen=True)
class MarkIn:
    student_id: str
    session_id: str
    status: str


@dataclass(frozen=True)
class MarkOut:
    student_id: str
    session_id: str
    status: str
    changed: bool
    xp_delta: int


@dataclass(frozen=True)
class BatchResult:
    saved: int
    changed: int
    xp_total_delta: int
    records: list[MarkOut]


def xp_for(status: str) -> int:
    return XP_BY_STATUS.get(AttendanceStatus(status), 0)


def _bad(index: int, mark: MarkIn, field: str, message: str) -> dict[str, Any]:
    return {"index": index, "studentId": mark.student_id, "sessionId": mark.session_id, "field": field,
            "message": message}


def _validate(session: Session, club_id: str, timezone: str, marks: list[MarkIn], *, now: datetime
              ) -> dict[str, LessonSession]:
    """Every bad record at once, or the sessions of the batch (locked) by id."""
    if not marks:
        raise Invalid("Нет записей для сохранения", code=ErrorCode.INVALID_ATTENDANCE,
                      details={"records": []})
    if len(marks) > MAX_RECORDS:
        raise Invalid(f"Не более {MAX_RECORDS} записей за одно сохранение", code=ErrorCode.INVALID_ATTENDANCE,
                      details={"records": [], "max": MAX_RECORDS})
    session_ids = sorted({m.session_id for m in marks})
    sessions = {s.id: s for s in session.scalars(
        select(LessonSession).join(ClubClass, ClubClass.id == LessonSession.class_id)
        .where(LessonSession.id.in_(session_ids), ClubClass.kruzhok_id == club_id)
        .order_by(LessonSession.id).with_for_update(of=LessonSession))}
    pairs = {(s.class_id, m.student_id) for m in marks if (s := sessions.get(m.session_id)) is not None}
    enrolled: set[tuple[str, str]] = set()
    if pairs:
        enrolled = {(c, u) for c, u in session.execute(
            select(ClassEnrollment.class_id, ClassEnrollment.student_id)
            .where(tuple_(ClassEnrollment.class_id, ClassEnrollment.student_id).in_(sorted(pairs)),
                   ClassEnrollment.status == EnrollmentStatus.ACTIVE)).all()}
    today = local_date(now, timezone)
    statuses = {s.value for s in AttendanceStatus}
    bad: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for index, mark in enumerate(marks):
        lesson = sessions.get(mark.session_id)
        if mark.status not in statuses:
            bad.append(_bad(index, mark, "status", "Неизвестный статус: допустимы present, late, absent, excused"))
        if lesson is None:
            bad.append(_bad(index, mark, "sessionId", "Занятие не найдено в этом кружке"))
            continue
        if lesson.status == SessionStatus.CANCELLED:
            bad.append(_bad(index, mark, "sessionId", "Занятие отменено"))
        elif local_date(lesson.starts_at, timezone) > today:
            bad.append(_bad(index, mark, "sessionId", "Занятие ещё не наступило"))
        if (lesson.class_id, mark.student_id) not in enrolled:
            bad.append(_bad(index, mark, "studentId", "Ученик не состоит в классе этого занятия"))
        if (mark.session_id, mark.student_id) in seen:
            bad.append(_bad(index, mark, "studentId", "Ученик указан в этом занятии дважды"))
        seen.add((mark.session_id, mark.student_id))
    if bad:
        raise Invalid("Табель не сохранён: исправьте отмеченные записи", code=ErrorCode.INVALID_ATTENDANCE,
                      details={"records": bad})
    return sessions


def save_batch(session: Session, *, actor: User | None, kruzhok_id: str, marks: list[MarkIn],
               now: datetime, thresholds: Sequence[int] = DEFAULT_THRESHOLDS) -> BatchResult:
    actor = require_user(actor)
    club = get_club(session, kruzhok_id)
    require_club_mentor(session, actor, club)
    ratelimit.check(session, "attendance_batch", actor.id, now=now)
    return record_marks(session, actor=actor, club=club, marks=marks, now=now, thresholds=thresholds,
                        rate_limit="attendance_batch")


def record_marks(session: Session, *, actor: User, club: Kruzhok, marks: list[MarkIn], now: datetime,
                 thresholds: Sequence[int] = DEFAULT_THRESHOLDS, rate_limit: str | None = None,
                 action: AuditAction = AuditAction.ATTENDANCE_SAVE) -> BatchResult:
    """The save itself for a caller already allowed to mark (the mentor's batch, a student's self
    check-in): validation, marks, XP, notifications, quizzes, COMPLETED, alerts, the audit row."""
    sessions = _validate(session, club.id, club.timezone, marks, now=now)
    if rate_limit is not None:  # only a valid batch counts towards the mentor's limit
        ratelimit.record(session, rate_limit, actor.id, now=now)

    keys = sorted({(m.session_id, m.student_id) for m in marks})
    existing = {(a.session_id, a.student_id): a for a in session.scalars(
        select(Attendance).where(tuple_(Attendance.session_id, Attendance.student_id).in_(keys)))}
    new_rows: list[Attendance] = []
    updates: list[dict[str, Any]] = []
    awards: list[XpAward] = []
    notes: list[Notification] = []
    out: list[MarkOut] = []
    for mark in marks:
        lesson = sessions[mark.session_id]
        current = existing.get((mark.session_id, mark.student_id))
        if current is not None and current.status == mark.status:
            out.append(MarkOut(mark.student_id, mark.session_id, mark.status, False, 0))
            continue
        old_xp = current.xp_awarded if current is not None else 0
        revision = current.revision + 1 if current is not None else 1
        new_xp = xp_for(mark.status)
        delta = new_xp - old_xp
        if current is None:
            new_rows.append(Attendance(session_id=mark.session_id, student_id=mark.student_id, status=mark.status,
                                       xp_awarded=new_xp, revision=revision, marked_at=now, marked_by_id=actor.id))
        else:
            updates.append({"id": current.id, "status": mark.status, "xp_awarded": new_xp, "revision": revision,
                            "marked_at": now, "marked_by_id": actor.id})
        day = as_utc(lesson.starts_at).astimezone(ZoneInfo(club.timezone)).strftime("%d.%m.%Y")
        if delta:
            awards.append(XpAward(user_id=mark.student_id, amount=delta,
                                  reason=f"Посещаемость {day}: {STATUS_RU[AttendanceStatus(mark.status)]}",
                                  source_key=f"attendance:{mark.session_id}:{mark.student_id}:{revision}"))
        xp_text = f" ({delta:+d} XP)" if delta else ""
        notes.append(Notification(
            user_id=mark.student_id, type=NotificationType.ATTENDANCE_MARKED, title="Посещаемость отмечена",
            message=f"Занятие {day} в кружке «{club.title}»: {STATUS_RU[AttendanceStatus(mark.status)]}{xp_text}",
            link=f"/kruzhok/{club.id}/lesson/{mark.session_id}",
            meta={"sessionId": mark.session_id, "status": mark.status, "xpDelta": delta}, created_at=now))
        out.append(MarkOut(mark.student_id, mark.session_id, mark.status, True, delta))

    session.add_all(new_rows)
    session.flush()
    if updates:
        session.execute(update(Attendance), updates)
    award_xp_many(session, awards=awards, source=XpSource.ATTENDANCE, now=now, kruzhok_id=club.id,
                  thresholds=thresholds)
    quiz_distribution.after_attendance_save(session, actor=actor, club=club, sessions=sessions, marks=marks, now=now)
    session.add_all(notes)
    to_complete = sorted(sid for sid, s in sessions.items() if s.status != SessionStatus.COMPLETED)
    if to_complete:
        # The archive keeps what each held session showed (one snapshot per session, not per student).
        for sid in to_complete:
            snapshots.snapshot_session(session, lesson_session=sessions[sid], now=now)
        session.execute(update(LessonSession).where(LessonSession.id.in_(to_complete))
                        .values(status=SessionStatus.COMPLETED, updated_at=now)
                        .execution_options(synchronize_session=False))
        for sid in to_complete:
            session.expire(sessions[sid], ["status", "updated_at"])
    absence_alerts.alert_absence_streaks(session, club=club, sessions=sessions, records=out, now=now)
    changed = [m for m in out if m.changed]
    audit.record(session, actor=actor, action=action, entity="kruzhok", entity_id=club.id,
                 now=now, data={"sessions": sorted(sessions), "records": len(marks), "changed": len(changed),
                                "changes": [{"studentId": m.student_id, "sessionId": m.session_id,
                                             "status": m.status, "xpDelta": m.xp_delta} for m in changed][:100]})
    session.flush()
    return BatchResult(saved=len(marks), changed=len(changed), xp_total_delta=sum(m.xp_delta for m in out),
                       records=out)
