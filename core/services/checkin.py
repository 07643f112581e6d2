"""Self check-in: the mentor opens a rotating 6-digit code for a running lesson session; students of its
class who type it are marked present through the attendance save (XP, quizzes, alerts as usual).

The code is derived, never stored (core/services/checkin_codes.py). The open state is a `SessionCheckin`
row: open while opened_at <= now < closes_at (the session's end; closing moves closes_at to now).

A student already marked (by the mentor or an earlier check-in) keeps the mark: the check-in answers 200
with `marked: false`. Check-ins of a session are serialised by a lock on the session row, so two at once
of one student mark and award XP once. Wrong codes are counted per student and per client IP (429).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import as_utc
from core.errors import Conflict, ErrorCode, Forbidden, NotFound, WrongCheckinCode, field_error
from core.models import (
    Attendance,
    AttendanceStatus,
    AuditAction,
    ClassEnrollment,
    EnrollmentStatus,
    Kruzhok,
    LessonSession,
    SessionCheckin,
    SessionStatus,
    User,
)
from core.services import attendance, audit, checkin_codes, clean, ratelimit
from core.services.checkin_codes import CheckinState
from core.services.club_access import is_club_mentor, is_club_student
from core.services.permissions import require_user
from core.services.schedule import managed_session
from core.services.xp import DEFAULT_THRESHOLDS

CODE = "[0-9]{6}"  # the check-in code on the mentor's screen
CODE_RE = re.compile(CODE)
CODE_PATTERN = clean.trimmed_pattern(CODE)  # the same rule in the API schema
MSG_NOT_FOUND = "Занятие не найдено"
MSG_NOT_RUNNING = "Занятие сейчас не идёт: самоотметка доступна только во время занятия"
MSG_CLOSED = "Самоотметка на этом занятии сейчас закрыта. Попросите ментора открыть её."
MSG_NOT_IN_CLASS = "Отметиться кодом могут только ученики класса этого занятия"


@dataclass(frozen=True)
class CheckinResult:
    session_id: str
    status: str
    marked: bool  # False: the student was already marked and keeps that mark
    xp_delta: int


def _is_running(lesson: LessonSession, now: datetime) -> bool:
    start = as_utc(lesson.starts_at)
    return lesson.status != SessionStatus.CANCELLED and start <= as_utc(now) < _ends_at(lesson)


def _ends_at(lesson: LessonSession) -> datetime:
    return as_utc(lesson.starts_at) + timedelta(minutes=lesson.duration_min)


def _lesson(session: Session, session_id: str) -> tuple[LessonSession, Kruzhok]:
    """The session, locked (check-ins and openings of one session run one at a time), and its club."""
    lesson = session.scalar(select(LessonSession).where(LessonSession.id == session_id).with_for_update())
    club = session.get(Kruzhok, lesson.club_class.kruzhok_id) if lesson is not None else None
    if lesson is None or club is None or not club.is_active:
        raise NotFound(MSG_NOT_FOUND)
    return lesson, club


def _mentor_lesson(session: Session, actor: User, session_id: str) -> tuple[LessonSession, Kruzhok]:
    return managed_session(session, actor, session_id, lock=True)


def open_checkin(session: Session, *, actor: User | None, session_id: str, secret_key: str,
                 now: datetime) -> CheckinState:
    """Owner or mentor: open (or keep open) self check-in until the session ends. 409 when not running."""
    actor = require_user(actor)
    lesson, club = _mentor_lesson(session, actor, session_id)
    if not _is_running(lesson, now):
        raise Conflict(MSG_NOT_RUNNING, code=ErrorCode.SESSION_NOT_RUNNING)
    row = checkin_codes.checkin_row(session, lesson.id, lock=True)
    if not checkin_codes.is_open(row, now):
        if row is None:
            row = SessionCheckin(session_id=lesson.id, opened_by_id=actor.id, opened_at=now,
                                 closes_at=_ends_at(lesson), updated_at=now)
            session.add(row)
        else:
            row.opened_by_id, row.opened_at, row.closes_at, row.updated_at = actor.id, now, _ends_at(lesson), now
        audit.record(session, actor=actor, action=AuditAction.CHECKIN_OPEN, entity="lesson_session",
                     entity_id=lesson.id, now=now, data={"closesAt": _ends_at(lesson).isoformat()})
        session.flush()
    return checkin_codes.state_of(row, session_id=lesson.id, secret_key=secret_key, now=now)


def close_checkin(session: Session, *, actor: User | None, session_id: str, secret_key: str,
                  now: datetime) -> CheckinState:
    """Owner or mentor: close self check-in now (closing a closed one changes nothing)."""
    actor = require_user(actor)
    lesson, _ = _mentor_lesson(session, actor, session_id)
    row = checkin_codes.checkin_row(session, lesson.id, lock=True)
    if row is not None and checkin_codes.is_open(row, now):
        row.closes_at, row.updated_at = max(as_utc(now), as_utc(row.opened_at)), now
        audit.record(session, actor=actor, action=AuditAction.CHECKIN_CLOSE, entity="lesson_session",
                     entity_id=lesson.id, now=now)
        session.flush()
    return checkin_codes.state_of(row, session_id=lesson.id, secret_key=secret_key, now=now)


def checkin_state(session: Session, *, actor: User | None, session_id: str, secret_key: str,
                  now: datetime) -> CheckinState:
    """Owner or mentor: the current code (the screen polls it as the code rotates)."""
    actor = require_user(actor)
    lesson, _ = _mentor_lesson(session, actor, session_id)
    row = checkin_codes.checkin_row(session, lesson.id)
    return checkin_codes.state_of(row, session_id=lesson.id, secret_key=secret_key, now=now)


def check_in(session: Session, *, actor: User | None, session_id: str, code: str, ip: str | None,
             secret_key: str, now: datetime, thresholds: Sequence[int] = DEFAULT_THRESHOLDS) -> CheckinResult:
    """A student of the session's class marks themselves present with the current code.

    422 malformed or wrong code (counted: 5 per 10 min per student, 60 per IP → 429); 404 unknown
    session; 403 not a student of its class; 409 session not running / check-in not open."""
    actor = require_user(actor)
    code = (code or "").strip()
    if not CODE_RE.fullmatch(code):
        raise field_error("code", "Код должен состоять из 6 цифр")
    lesson, club = _lesson(session, session_id)
    enrolled = session.scalar(select(ClassEnrollment.id).where(
        ClassEnrollment.class_id == lesson.class_id, ClassEnrollment.student_id == actor.id,
        ClassEnrollment.status == EnrollmentStatus.ACTIVE)) is not None
    if not enrolled:
        if is_club_mentor(session, actor, club) or is_club_student(session, actor, club):
            raise Forbidden(MSG_NOT_IN_CLASS)
        raise NotFound(MSG_NOT_FOUND)
    ratelimit.check(session, "checkin_fail", actor.id, now=now)
    if ip is not None:
        ratelimit.check(session, "checkin_fail_ip", ip[:64], now=now)
    if not _is_running(lesson, now):
        raise Conflict(MSG_NOT_RUNNING, code=ErrorCode.SESSION_NOT_RUNNING)
    row = checkin_codes.checkin_row(session, lesson.id)
    if row is None or not checkin_codes.is_open(row, now):
        raise Conflict(MSG_CLOSED, code=ErrorCode.CHECKIN_CLOSED)
    if not checkin_codes.is_valid(code, row, secret_key=secret_key, now=now):
        ratelimit.record(session, "checkin_fail", actor.id, now=now)
        if ip is not None:
            ratelimit.record(session, "checkin_fail_ip", ip[:64], now=now)
        raise WrongCheckinCode()
    current = session.scalar(select(Attendance.status).where(Attendance.session_id == lesson.id,
                                                             Attendance.student_id == actor.id))
    if current is not None:
        return CheckinResult(session_id=lesson.id, status=current, marked=False, xp_delta=0)
    result = attendance.record_marks(
        session, actor=actor, club=club, now=now, thresholds=thresholds, action=AuditAction.ATTENDANCE_CHECKIN,
        marks=[attendance.MarkIn(student_id=actor.id, session_id=lesson.id, status=AttendanceStatus.PRESENT)])
    [mark] = result.records
    return CheckinResult(session_id=lesson.id, status=mark.status, marked=True, xp_delta=mark.xp_delta)
