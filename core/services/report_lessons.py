"""Lesson history (SPEC §12): held sessions newest first, read from the sessions' snapshots.

Titles, the class name, the program lesson and the materials come from the snapshot columns written
when the session was held (core/services/snapshots.py), so later edits never rewrite the archive; each
material carries the session's download URL, which serves the snapshotted file (session_materials.py).
Queries: the count, one page, two aggregates over the page's ids, and with details two more (the
page's marks and scores); plus one grouped query for the chart — the same number for any history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import Session

from core.clock import as_utc, local_date
from core.models import (
    Attendance,
    AttendanceStatus,
    ClubClass,
    ClubQuizAssignment,
    Kruzhok,
    LessonSession,
    Program,
    ProgramLesson,
    User,
)
from core.services.report_charts import attendance_chart
from core.services.report_filters import ReportFilters, ReportView, held_session_conditions
from core.services.report_table import ReportPage, ReportTable
from core.services.session_materials import Material, session_materials

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
COLUMNS = [("date", "Дата"), ("time_range", "Время"), ("duration_min", "Мин."), ("title", "Занятие"),
           ("class_name", "Класс"), ("program_title", "Программа"), ("lesson_title", "Урок программы"),
           ("attended", "Присутствовали"), ("marked", "Отмечено"), ("quiz_average", "Средний балл")]


@dataclass(frozen=True)
class LessonStudent:
    student_id: str
    full_name: str
    status: str | None
    score: float | None


@dataclass(frozen=True)
class LessonRow:
    session_id: str
    kruzhok_id: str
    date: date
    time_range: str
    duration_min: int
    title: str
    class_name: str
    program_title: str | None
    lesson_title: str | None
    quiz_title: str | None
    attended: int
    marked: int
    attendance_percent: float | None
    quiz_average: float | None
    quiz_graded: int
    mentor_notes: str | None = None
    materials: list[Material] = field(default_factory=list)
    students: list[LessonStudent] = field(default_factory=list)


def attended_sum() -> Any:
    return func.sum(case((Attendance.status.in_(ATTENDED), 1), else_=0)).cast(Integer)


def counted_sum() -> Any:
    """Marks that count towards the percentage: every status but excused."""
    return func.sum(case((Attendance.status != AttendanceStatus.EXCUSED, 1), else_=0)).cast(Integer)


def _details(session: Session, ids: list[str]) -> dict[str, list[LessonStudent]]:
    marks: dict[tuple[str | None, str], tuple[str, str | None]] = {}
    for sid, student_id, name, status in session.execute(
            select(Attendance.session_id, Attendance.student_id, User.full_name, Attendance.status)
            .join(User, User.id == Attendance.student_id).where(Attendance.session_id.in_(ids))):
        marks[(sid, student_id)] = (name, status)
    scores: dict[tuple[str | None, str], list[int]] = {}
    for quiz_sid, student_id, name, score in session.execute(
            select(ClubQuizAssignment.session_id, ClubQuizAssignment.student_id, User.full_name,
                   ClubQuizAssignment.score)
            .join(User, User.id == ClubQuizAssignment.student_id).where(ClubQuizAssignment.session_id.in_(ids))):
        marks.setdefault((quiz_sid, student_id), (name, None))
        if score is not None:
            scores.setdefault((quiz_sid, student_id), []).append(score)
    result: dict[str, list[LessonStudent]] = {}
    for (key_sid, student_id), (name, mark) in marks.items():
        if key_sid is None:
            continue
        got = scores.get((key_sid, student_id))
        result.setdefault(key_sid, []).append(LessonStudent(
            student_id=student_id, full_name=name, status=mark,
            score=round(sum(got) / len(got), 1) if got else None))
    for students in result.values():
        students.sort(key=lambda s: (s.full_name, s.student_id))
    return result


def lessons_report(session: Session, *, filters: ReportFilters, page: ReportPage) -> ReportTable:
    conditions = held_session_conditions(filters)
    total = session.scalar(select(func.count()).select_from(LessonSession).where(*conditions)) or 0
    rows = session.execute(
        select(LessonSession, ClubClass.name, Kruzhok.id, Kruzhok.timezone, ProgramLesson.title, Program.title)
        .join(ClubClass, ClubClass.id == LessonSession.class_id).join(Kruzhok, Kruzhok.id == ClubClass.kruzhok_id)
        .outerjoin(ProgramLesson, ProgramLesson.id == LessonSession.program_lesson_id)
        .outerjoin(Program, Program.id == ProgramLesson.program_id)
        .where(*conditions).order_by(LessonSession.starts_at.desc(), LessonSession.id.desc())
        .limit(page.limit).offset(page.offset)).all()
    ids = [r[0].id for r in rows]
    counts: dict[str, tuple[int, int, int]] = {}
    averages: dict[str, tuple[float | None, int]] = {}
    details: dict[str, list[LessonStudent]] = {}
    if ids:
        for sid, marked, attended, counted in session.execute(
                select(Attendance.session_id, func.count(Attendance.id), attended_sum(), counted_sum())
                .where(Attendance.session_id.in_(ids)).group_by(Attendance.session_id)):
            counts[sid] = (int(marked), int(attended or 0), int(counted or 0))
        for sid, avg, graded in session.execute(
                select(ClubQuizAssignment.session_id, func.avg(ClubQuizAssignment.score),
                       func.count(ClubQuizAssignment.score))
                .where(ClubQuizAssignment.session_id.in_(ids), ClubQuizAssignment.score.is_not(None))
                .group_by(ClubQuizAssignment.session_id)):
            averages[sid] = (round(float(avg), 1) if avg is not None else None, int(graded))
        if page.details:
            details = _details(session, ids)
    items = []
    for row, live_class, club_id, tz, live_lesson, program_title in rows:
        start = as_utc(row.starts_at).astimezone(ZoneInfo(tz))
        end = start + timedelta(minutes=row.duration_min)
        marked, attended, counted = counts.get(row.id, (0, 0, 0))
        average, graded = averages.get(row.id, (None, 0))
        items.append(LessonRow(
            session_id=row.id, kruzhok_id=club_id, date=start.date(), time_range=f"{start:%H:%M}–{end:%H:%M}",
            duration_min=row.duration_min, title=row.title_snapshot or live_lesson or f"Занятие класса «{live_class}»",
            class_name=row.class_name_snapshot or live_class,
            program_title=program_title, lesson_title=row.lesson_title_snapshot if row.snapshot_at else live_lesson,
            quiz_title=row.quiz_title_snapshot, attended=attended, marked=marked,
            attendance_percent=round(100 * attended / counted, 1) if counted else None,
            quiz_average=average, quiz_graded=graded,
            mentor_notes=row.mentor_notes if page.details else None,
            materials=session_materials(row, row.materials_snapshot or []) if page.details else [],
            students=details.get(row.id, [])))
    chart = attendance_chart(
        (local_date(starts_at, filters.timezone), int(attended or 0), int(counted or 0))
        for starts_at, attended, counted in session.execute(
            select(LessonSession.starts_at, attended_sum(), counted_sum())
            .join(Attendance, Attendance.session_id == LessonSession.id)
            .where(*conditions).group_by(LessonSession.id, LessonSession.starts_at)))
    return ReportTable(view=ReportView.LESSONS, title="История занятий", columns=COLUMNS, rows=items,
                       total=int(total), page=page, filters=filters, chart=chart)
