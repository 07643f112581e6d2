"""The schedule (SPEC §9): lesson sessions of a club's classes, created, edited and cancelled by the
club's owner or mentors, read by them and by enrolled students, in the club's timezone.

Sessions are never deleted: a cancelled one stays CANCELLED, one with attendance becomes COMPLETED.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from core.clock import as_utc, local_date
from core.errors import Conflict, ErrorCode, Forbidden, Invalid, NotFound
from core.models import (
    Attendance,
    AuditAction,
    ClassEnrollment,
    ClubClass,
    ClubMentor,
    ClubQuizAssignment,
    EnrollmentStatus,
    Kruzhok,
    LessonSession,
    ProgramLesson,
    Quiz,
    SessionStatus,
    User,
)
from core.services import audit, checkin_codes
from core.services.checkin_codes import CheckinState
from core.services.clean import clean_text
from core.services.club_access import (
    MSG_MENTOR_ONLY,
    get_club,
    is_club_mentor,
    is_club_student,
    require_club_mentor,
)
from core.services.permissions import require_user
from core.services.session_materials import Material, session_materials

MIN_DURATION, MAX_DURATION = 30, 180
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 31
MAX_LOCATION, MAX_NOTES = 300, 5000
MSG_VIEW = "Расписание доступно только ученикам и менторам кружка"
MSG_NOT_FOUND = "Занятие не найдено"


@dataclass(frozen=True)
class SessionView:
    """A session as the API shows it: local time range, class name, program lesson title."""

    id: str
    kruzhok_id: str
    class_id: str
    class_name: str
    program_lesson_id: str | None
    lesson_title: str | None
    starts_at: datetime
    ends_at: datetime
    local_date: date
    time_range: str
    timezone: str
    duration: int
    location: str | None
    mentor_notes: str | None
    status: str
    auto_send_quiz: bool
    in_progress: bool


def view(row: LessonSession, club: Kruzhok, *, now: datetime, with_notes: bool = True) -> SessionView:
    tz = ZoneInfo(club.timezone)
    start = as_utc(row.starts_at)
    end = start + timedelta(minutes=row.duration_min)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    lesson = row.program_lesson
    # A held session shows what it showed when it was held (its snapshot), not later renames.
    held = row.snapshot_at is not None
    class_name = (row.class_name_snapshot if held else None) or row.club_class.name
    lesson_title = row.lesson_title_snapshot if held else (lesson.title if lesson else None)
    return SessionView(
        id=row.id, kruzhok_id=club.id, class_id=row.class_id, class_name=class_name,
        program_lesson_id=row.program_lesson_id, lesson_title=lesson_title,
        starts_at=start, ends_at=end, local_date=local_start.date(),
        time_range=f"{local_start:%H:%M} - {local_end:%H:%M}", timezone=club.timezone,
        duration=row.duration_min, location=row.location,
        mentor_notes=row.mentor_notes if with_notes else None, status=row.status,
        auto_send_quiz=row.auto_send_quiz,
        in_progress=row.status == SessionStatus.SCHEDULED and start <= as_utc(now) < end,
    )


MAX_AHEAD_DAYS = 730
MSG_TOO_FAR = f"Занятие можно запланировать не более чем на {MAX_AHEAD_DAYS} дней вперёд"
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def to_utc_start(value: datetime, timezone: str) -> datetime:
    """`scheduledDate` without an offset is a wall-clock time in the club's timezone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    if not EARLIEST_DAY <= value.date() <= LATEST_DAY:
        raise _fields_error([{"field": "scheduledDate", "message": MSG_TOO_FAR}])
    return as_utc(value)


def _fields_error(fields: list[dict[str, str]]) -> Invalid:
    return Invalid(fields[0]["message"] if len(fields) == 1 else "Проверьте введённые данные",
                   details={"fields": fields})


def _check_values(session: Session, club: Kruzhok, *, now: datetime, fields: list[dict[str, str]],
                  starts_at: datetime | None = None, duration: int | None = None, location: str | None = None,
                  mentor_notes: str | None = None, program_lesson_id: str | None = None) -> None:
    if starts_at is not None and local_date(starts_at, club.timezone) < local_date(now, club.timezone):
        fields.append({"field": "scheduledDate", "message": "Нельзя запланировать занятие на прошедшую дату"})
    elif starts_at is not None and starts_at > as_utc(now) + timedelta(days=MAX_AHEAD_DAYS):
        fields.append({"field": "scheduledDate", "message": MSG_TOO_FAR})
    if duration is not None and not MIN_DURATION <= duration <= MAX_DURATION:
        fields.append({"field": "duration",
                       "message": f"Длительность занятия должна быть от {MIN_DURATION} до {MAX_DURATION} минут"})
    if location is not None and len(location) > MAX_LOCATION:
        fields.append({"field": "location", "message": f"Не более {MAX_LOCATION} символов"})
    if mentor_notes is not None and len(mentor_notes) > MAX_NOTES:
        fields.append({"field": "mentorNotes", "message": f"Не более {MAX_NOTES} символов"})
    if program_lesson_id is not None and session.get(ProgramLesson, program_lesson_id) is None:
        fields.append({"field": "programLessonId", "message": "Урок программы не найден"})


def _clean_location(value: str | None) -> str | None:
    return clean_text(value, field="location", label="Место или ссылка", max_length=MAX_LOCATION, required=False)


def _clean_notes(value: str | None) -> str | None:
    return clean_text(value, field="mentorNotes", label="Заметки", max_length=MAX_NOTES, required=False,
                      multiline=True)


def create_session(session: Session, *, actor: User | None, kruzhok_id: str, class_id: str,
                   scheduled_date: datetime, duration: int, now: datetime, location: str | None = None,
                   program_lesson_id: str | None = None, mentor_notes: str | None = None,
                   auto_send_quiz: bool = True) -> SessionView:
    actor = require_user(actor)
    club = get_club(session, kruzhok_id)
    require_club_mentor(session, actor, club)
    fields: list[dict[str, str]] = []
    klass = session.scalar(select(ClubClass).where(ClubClass.id == class_id, ClubClass.kruzhok_id == club.id,
                                                   ClubClass.is_active.is_(True)))
    if klass is None:
        fields.append({"field": "classId", "message": "Класс не найден в этом кружке"})
    starts_at = to_utc_start(scheduled_date, club.timezone)
    location, mentor_notes = _clean_location(location), _clean_notes(mentor_notes)
    _check_values(session, club, now=now, fields=fields, starts_at=starts_at, duration=duration,
                  location=location, mentor_notes=mentor_notes, program_lesson_id=program_lesson_id)
    if fields or klass is None:
        raise _fields_error(fields)
    row = LessonSession(class_id=klass.id, program_lesson_id=program_lesson_id, starts_at=starts_at,
                        duration_min=duration, location=location, mentor_notes=mentor_notes,
                        status=SessionStatus.SCHEDULED, auto_send_quiz=auto_send_quiz, created_by_id=actor.id,
                        created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.SESSION_CREATE, entity="lesson_session",
                 entity_id=row.id, now=now, data={"kruzhokId": club.id, "classId": klass.id,
                                                  "startsAt": starts_at.isoformat(), "duration": duration})
    return view(row, club, now=now)


def _managed_session(session: Session, actor: User, session_id: str, *, lock: bool = False
                     ) -> tuple[LessonSession, Kruzhok]:
    """A session of a club the caller leads: 404 when the caller cannot see it, 403 for students."""
    stmt = select(LessonSession).where(LessonSession.id == session_id)
    if lock:
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    club = session.get(Kruzhok, row.club_class.kruzhok_id) if row is not None else None
    if row is None or club is None or not club.is_active:
        raise NotFound(MSG_NOT_FOUND)
    if not is_club_mentor(session, actor, club):
        if is_club_student(session, actor, club):
            raise Forbidden(MSG_MENTOR_ONLY)
        raise NotFound(MSG_NOT_FOUND)
    return row, club


managed_session = _managed_session  # also the check of the quiz send (core/services/quiz_distribution.py)


def _require_scheduled(row: LessonSession) -> None:
    if row.status != SessionStatus.SCHEDULED:
        message = ("Занятие отменено: его нельзя изменить" if row.status == SessionStatus.CANCELLED
                   else "Занятие уже проведено: его нельзя изменить")
        raise Conflict(message, code=ErrorCode.SESSION_NOT_EDITABLE, details={"status": row.status})


UPDATABLE = frozenset({"scheduled_date", "duration", "location", "program_lesson_id", "mentor_notes",
                       "auto_send_quiz"})


def update_session(session: Session, *, actor: User | None, session_id: str, changes: dict[str, Any],
                   now: datetime) -> SessionView:
    """Change the given fields of a SCHEDULED session (`changes` keys are in UPDATABLE)."""
    actor = require_user(actor)
    row, club = _managed_session(session, actor, session_id, lock=True)
    _require_scheduled(row)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    fields: list[dict[str, str]] = []
    if "duration" in changes and changes["duration"] is None:
        fields.append({"field": "duration", "message": "Обязательное поле"})
    if "scheduled_date" in changes and changes["scheduled_date"] is None:
        fields.append({"field": "scheduledDate", "message": "Обязательное поле"})
    starts_at = (to_utc_start(changes["scheduled_date"], club.timezone)
                 if changes.get("scheduled_date") is not None else None)
    if "location" in changes:
        changes["location"] = _clean_location(changes["location"])
    if "mentor_notes" in changes:
        changes["mentor_notes"] = _clean_notes(changes["mentor_notes"])
    _check_values(session, club, now=now, fields=fields, starts_at=starts_at, duration=changes.get("duration"),
                  location=changes.get("location"), mentor_notes=changes.get("mentor_notes"),
                  program_lesson_id=changes.get("program_lesson_id"))
    if fields:
        raise _fields_error(fields)
    before_start, before_duration = as_utc(row.starts_at).isoformat(), row.duration_min
    if starts_at is not None:
        row.starts_at = starts_at
    if changes.get("duration") is not None:
        row.duration_min = changes["duration"]
    for key in ("location", "mentor_notes", "program_lesson_id"):
        if key in changes:
            setattr(row, key, changes[key])
    if changes.get("auto_send_quiz") is not None:
        row.auto_send_quiz = bool(changes["auto_send_quiz"])
    row.updated_at = now
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.SESSION_UPDATE, entity="lesson_session",
                 entity_id=row.id, now=now, data={"before": {"startsAt": before_start, "duration": before_duration},
                                                "fields": sorted(changes)})
    return view(row, club, now=now)


def cancel_session(session: Session, *, actor: User | None, session_id: str, now: datetime) -> SessionView:
    actor = require_user(actor)
    row, club = _managed_session(session, actor, session_id, lock=True)
    _require_scheduled(row)
    row.status = SessionStatus.CANCELLED
    row.updated_at = now
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.SESSION_CANCEL, entity="lesson_session",
                 entity_id=row.id, now=now, data={"kruzhokId": club.id})
    return view(row, club, now=now)


def sessions_query() -> Select[LessonSession]:
    return select(LessonSession).options(joinedload(LessonSession.club_class),
                                         joinedload(LessonSession.program_lesson))


def _student_class_ids(session: Session, actor: User, club: Kruzhok) -> list[str]:
    return list(session.scalars(
        select(ClassEnrollment.class_id).join(ClubClass, ClubClass.id == ClassEnrollment.class_id)
        .where(ClubClass.kruzhok_id == club.id, ClassEnrollment.student_id == actor.id,
               ClassEnrollment.status == EnrollmentStatus.ACTIVE)).all())


def check_range(date_from: date, date_to: date) -> None:
    """A list's local date range: ordered, at most MAX_RANGE_DAYS, within 2000–2100."""
    if date_to < date_from:
        raise _fields_error([{"field": "to", "message": "Дата окончания раньше даты начала"}])
    if (date_to - date_from).days >= MAX_RANGE_DAYS:
        raise _fields_error([{"field": "to", "message": f"Период не может быть больше {MAX_RANGE_DAYS} дней"}])
    if date_from < EARLIEST_DAY or date_to > LATEST_DAY:
        raise _fields_error([{"field": "from", "message": "Даты должны быть между 2000 и 2100 годом"}])


def local_day_bounds(day_from: date, day_to: date, timezone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(timezone)
    start = datetime.combine(day_from, time.min, tzinfo=tz)
    end = datetime.combine(day_to + timedelta(days=1), time.min, tzinfo=tz)
    return as_utc(start), as_utc(end)


def list_schedule(session: Session, *, actor: User | None, kruzhok_id: str, now: datetime,
                  date_from: date | None = None, date_to: date | None = None,
                  class_id: str | None = None) -> list[SessionView]:
    """Sessions of the club between two local dates (inclusive; default: today + 30 days, at most
    366 days). Mentors see every class and their notes; enrolled students see their own classes."""
    actor = require_user(actor)
    club = get_club(session, kruzhok_id)
    mentor = is_club_mentor(session, actor, club)
    class_ids = None if mentor else _student_class_ids(session, actor, club)
    if class_ids is not None and not class_ids:
        raise Forbidden(MSG_VIEW)
    today = local_date(now, club.timezone)
    date_from = date_from or today
    if date_to is None:
        date_to = date_from + timedelta(days=DEFAULT_RANGE_DAYS - 1) if date_from < LATEST_DAY else date_from
    check_range(date_from, date_to)
    start, end = local_day_bounds(date_from, date_to, club.timezone)
    stmt = (sessions_query().join(ClubClass, ClubClass.id == LessonSession.class_id)
            .where(ClubClass.kruzhok_id == club.id, LessonSession.starts_at >= start, LessonSession.starts_at < end)
            .order_by(LessonSession.starts_at, LessonSession.id))
    if class_id is not None:
        stmt = stmt.where(LessonSession.class_id == class_id)
    if class_ids is not None:
        stmt = stmt.where(LessonSession.class_id.in_(class_ids))
    return [view(row, club, now=now, with_notes=mentor) for row in session.scalars(stmt).unique()]


def today_for_club(session: Session, *, actor: User | None, kruzhok_id: str, now: datetime) -> list[SessionView]:
    """Today's sessions of the club (its timezone): the one in progress or the next first."""
    actor = require_user(actor)
    club = get_club(session, kruzhok_id)
    today = local_date(now, club.timezone)
    items = list_schedule(session, actor=actor, kruzhok_id=club.id, now=now, date_from=today, date_to=today)
    return order_today(items, now=now)


def order_today(items: list[SessionView], *, now: datetime) -> list[SessionView]:
    moment = as_utc(now)

    def key(v: SessionView) -> tuple[int, datetime]:
        if v.status == SessionStatus.CANCELLED:
            return 3, v.starts_at
        if v.in_progress:
            return 0, v.starts_at
        if v.status == SessionStatus.SCHEDULED and v.starts_at > moment:
            return 1, v.starts_at
        return 2, v.starts_at

    return sorted(items, key=key)


def mentor_today(session: Session, *, actor: User | None, now: datetime) -> list[SessionView]:
    """Today's sessions across every club the caller owns or mentors, each in its club's timezone."""
    actor = require_user(actor)
    club_ids = set(session.scalars(select(Kruzhok.id).where(Kruzhok.owner_id == actor.id,
                                                            Kruzhok.is_active.is_(True))).all())
    club_ids |= set(session.scalars(
        select(ClubMentor.kruzhok_id).join(Kruzhok, Kruzhok.id == ClubMentor.kruzhok_id)
        .where(ClubMentor.user_id == actor.id, Kruzhok.is_active.is_(True))).all())
    if not club_ids:
        return []
    clubs = {c.id: c for c in session.scalars(select(Kruzhok).where(Kruzhok.id.in_(club_ids)))}
    # One query over the widest window any timezone's "today" can cover, then filtered per club.
    moment = as_utc(now)
    stmt = (sessions_query().join(ClubClass, ClubClass.id == LessonSession.class_id)
            .where(ClubClass.kruzhok_id.in_(club_ids), LessonSession.starts_at >= moment - timedelta(days=2),
                   LessonSession.starts_at < moment + timedelta(days=2)))
    items: list[SessionView] = []
    for row in session.scalars(stmt).unique():
        club = clubs[row.club_class.kruzhok_id]
        item = view(row, club, now=now)
        if item.local_date == local_date(now, club.timezone):
            items.append(item)
    return order_today(items, now=now)


@dataclass(frozen=True)
class LessonStudent:
    student_id: str
    full_name: str
    enrollment_status: str
    status: str | None


@dataclass(frozen=True)
class LessonPage:
    session: SessionView
    has_scenario: bool
    has_presentation: bool
    materials: list[Material]
    quiz_id: str | None
    quiz_title: str | None
    quiz_sent: bool
    quiz_assigned_count: int
    students: list[LessonStudent]
    checkin: CheckinState | None = None  # self check-in with its current code (core/services/checkin.py)


def lesson_page(session: Session, *, actor: User | None, session_id: str, now: datetime,
                secret_key: str | None = None) -> LessonPage:
    """The lesson page (SPEC §9): the session, its materials, the class's students with their current
    mark (removed students only when they have one), the quiz and whether it was sent."""
    actor = require_user(actor)
    row, club = _managed_session(session, actor, session_id)
    marks: dict[str, str] = {uid: status for uid, status in session.execute(
        select(Attendance.student_id, Attendance.status).where(Attendance.session_id == row.id))}
    people = session.execute(
        select(User.id, User.full_name, ClassEnrollment.status)
        .join(ClassEnrollment, ClassEnrollment.student_id == User.id)
        .where(ClassEnrollment.class_id == row.class_id,
               or_(ClassEnrollment.status == EnrollmentStatus.ACTIVE, User.id.in_(list(marks) or [""])))
        .order_by(User.full_name, User.id)).all()
    lesson = row.program_lesson
    quiz = lesson.quiz if lesson is not None else None
    # What was sent for this session, by quiz (one query): the lesson's own quiz, or one sent by hand.
    sent: dict[str, tuple[str, int]] = {qid: (title, int(n)) for qid, title, n in session.execute(
        select(ClubQuizAssignment.quiz_id, Quiz.title, func.count(ClubQuizAssignment.id))
        .join(Quiz, Quiz.id == ClubQuizAssignment.quiz_id).where(ClubQuizAssignment.session_id == row.id)
        .group_by(ClubQuizAssignment.quiz_id, Quiz.title))}
    quiz_id, quiz_title = (quiz.id, quiz.title) if quiz is not None else (None, None)
    if sent and (quiz_id is None or quiz_id not in sent):  # a different quiz was sent by hand: show it
        quiz_id = max(sent, key=lambda qid: (sent[qid][1], qid))
        quiz_title = sent[quiz_id][0]
    assigned = sent[quiz_id][1] if quiz_id in sent else 0
    materials = session_materials(row)  # as held (the snapshot), or the lesson's current ones before that
    kinds = {m.kind for m in materials}
    return LessonPage(
        session=view(row, club, now=now),
        has_scenario="scenario" in kinds, has_presentation="presentation" in kinds, materials=materials,
        quiz_id=quiz_id, quiz_title=quiz_title, quiz_sent=assigned > 0,
        quiz_assigned_count=assigned,
        students=[LessonStudent(student_id=uid, full_name=name, enrollment_status=status, status=marks.get(uid))
                  for uid, name, status in people],
        checkin=None if secret_key is None else checkin_codes.state_of(
            checkin_codes.checkin_row(session, row.id), session_id=row.id, secret_key=secret_key, now=now))
