"""The attendance matrix of a class (SPEC §10): sessions × students, with percentages.

Columns: the class's sessions in the range, cancelled ones left out. Rows: active students and softly
removed ones who have a mark in those sessions (history stays). A student's percentage is
(present + late) over the held (COMPLETED) sessions in which the student has a mark, excused ones not
counted; the class average is the mean of the students' percentages that exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.clock import local_date
from core.errors import NotFound
from core.models import (
    Attendance,
    AttendanceStatus,
    ClassEnrollment,
    ClubClass,
    EnrollmentStatus,
    LessonSession,
    SessionStatus,
    User,
)
from core.services.club_access import get_club, require_club_mentor
from core.services.permissions import require_user
from core.services.schedule import EARLIEST_DAY, SessionView, check_range, local_day_bounds, sessions_query, view

DEFAULT_PAST_DAYS = 90


@dataclass(frozen=True)
class MatrixRow:
    student_id: str
    full_name: str
    enrollment_status: str
    cells: dict[str, str]
    percent: float | None


@dataclass(frozen=True)
class Matrix:
    kruzhok_id: str
    kruzhok_title: str
    class_id: str
    class_name: str
    date_from: date
    date_to: date
    sessions: list[SessionView]
    students: list[MatrixRow]
    sessions_held: int
    class_average: float | None


def _percent(cells: dict[str, str], held: set[str]) -> float | None:
    counted = [s for sid, s in cells.items() if sid in held and s != AttendanceStatus.EXCUSED]
    if not counted:
        return None
    attended = sum(1 for s in counted if s in (AttendanceStatus.PRESENT, AttendanceStatus.LATE))
    return round(100 * attended / len(counted), 1)


def attendance_matrix(session: Session, *, actor: User | None, kruzhok_id: str, class_id: str, now: datetime,
                      date_from: date | None = None, date_to: date | None = None) -> Matrix:
    actor = require_user(actor)
    club = get_club(session, kruzhok_id)
    require_club_mentor(session, actor, club)
    klass = session.scalar(select(ClubClass).where(ClubClass.id == class_id, ClubClass.kruzhok_id == club.id))
    if klass is None:
        raise NotFound("Класс не найден")
    today = local_date(now, club.timezone)
    date_to = date_to or today
    if date_from is None:
        date_from = date_to - timedelta(days=DEFAULT_PAST_DAYS) if date_to > EARLIEST_DAY else date_to
    check_range(date_from, date_to)
    start, end = local_day_bounds(date_from, date_to, club.timezone)
    rows = list(session.scalars(
        sessions_query().where(LessonSession.class_id == klass.id, LessonSession.status != SessionStatus.CANCELLED,
                            LessonSession.starts_at >= start, LessonSession.starts_at < end)
        .order_by(LessonSession.starts_at, LessonSession.id)).unique())
    session_ids = [r.id for r in rows]
    held = {r.id for r in rows if r.status == SessionStatus.COMPLETED}
    marks: dict[str, dict[str, str]] = {}
    if session_ids:
        for student_id, session_id, status in session.execute(
                select(Attendance.student_id, Attendance.session_id, Attendance.status)
                .where(Attendance.session_id.in_(session_ids))):
            marks.setdefault(student_id, {})[session_id] = status
    people = session.execute(
        select(User.id, User.full_name, ClassEnrollment.status)
        .join(ClassEnrollment, ClassEnrollment.student_id == User.id)
        .where(ClassEnrollment.class_id == klass.id,
               or_(ClassEnrollment.status == EnrollmentStatus.ACTIVE, User.id.in_(list(marks) or [""])))
        .order_by(User.full_name, User.id)).all()
    students = [MatrixRow(student_id=uid, full_name=name, enrollment_status=status, cells=marks.get(uid, {}),
                          percent=_percent(marks.get(uid, {}), held)) for uid, name, status in people]
    percents = [s.percent for s in students if s.percent is not None]
    return Matrix(kruzhok_id=club.id, kruzhok_title=club.title, class_id=klass.id, class_name=klass.name,
                  date_from=date_from, date_to=date_to, sessions=[view(r, club, now=now) for r in rows],
                  students=students, sessions_held=len(held),
                  class_average=round(sum(percents) / len(percents), 1) if percents else None)


STATUS_MARK = {"present": "✓", "late": "⏰", "absent": "✗", "excused": "~"}


def matrix_csv_rows(matrix: Matrix) -> tuple[list[str], list[list[object]]]:
    """Header and rows of the CSV export of the same view."""
    header = ["Ученик", "Статус", *[f"{s.local_date:%d.%m.%Y} {s.lesson_title or ''}".strip()
                                      for s in matrix.sessions], "Посещаемость, %"]
    rows: list[list[object]] = []
    for st in matrix.students:
        rows.append([st.full_name, "Удалён" if st.enrollment_status == EnrollmentStatus.REMOVED else "Активен",
                     *[STATUS_MARK.get(st.cells.get(s.id, ""), "") for s in matrix.sessions],
                     "" if st.percent is None else st.percent])
    rows.append(["Проведено занятий", matrix.sessions_held, *[""] * len(matrix.sessions),
                 "" if matrix.class_average is None else matrix.class_average])
    return header, rows
