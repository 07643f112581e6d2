"""Report filters (SPEC §12): `from`, `to`, `classId`, `programId`, `studentId`, checked once.

`parse_filters` turns the raw values (query string or the export body) into `ReportFilters` or raises
one `Invalid` (code `invalid_report_filter`) listing every bad field: a date that is not ГГГГ-ММ-ДД,
an inverted or out-of-range period, an unknown id, or an id of another club. An unknown id and an id
of another club get the same answer, so a filter never tells a mentor what exists elsewhere.
The `*_conditions` helpers are the one place that turns filters into SQL, for every report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from core.errors import ErrorCode, Invalid
from core.models import (
    Attendance,
    ClassEnrollment,
    ClubClass,
    LessonSession,
    Program,
    ProgramLesson,
    SessionStatus,
    User,
)
from core.services.clean import get_row, trimmed_pattern
from core.services.schedule import EARLIEST_DAY, LATEST_DAY, local_day_bounds

MAX_ID = 64


# `from`/`to` as `_date` accepts them, for the API schema: blank (no bound) or a calendar day
# EARLIEST_DAY…LATEST_DAY (2000–2100) as YYYY-MM-DD.
_DAY = ("(?:20[0-9]{2}|2100)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
        "|02-(?:0[1-9]|1[0-9]|2[0-8]))|20(?:[02468][048]|[13579][26])-02-29")
DAY_PATTERN = trimmed_pattern(f"(?:{_DAY})?")
_YYYY_MM_DD = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ReportView(StrEnum):
    LESSONS = "lessons"
    STUDENTS = "students"
    QUIZZES = "quizzes"


class ExportFormat(StrEnum):
    CSV = "csv"
    PDF = "pdf"


FILTER_KEYS = ("from", "to", "classId", "programId", "studentId")


@dataclass(frozen=True)
class ReportFilters:
    """Checked filters. `kruzhok_id` None = every club (the admin's back-office view)."""

    kruzhok_id: str | None
    timezone: str
    date_from: date | None = None
    date_to: date | None = None
    class_id: str | None = None
    program_id: str | None = None
    student_id: str | None = None
    # Display names of the chosen ids, for the "filters applied" line of an export.
    class_name: str | None = None
    program_title: str | None = None
    student_name: str | None = None

    @property
    def start(self) -> datetime | None:
        return local_day_bounds(self.date_from, self.date_from, self.timezone)[0] if self.date_from else None

    @property
    def end(self) -> datetime | None:
        return local_day_bounds(self.date_to, self.date_to, self.timezone)[1] if self.date_to else None

    def describe(self) -> str:
        """The filters in words (Russian), for the title block of an export."""
        parts = []
        if self.date_from or self.date_to:
            left = f"{self.date_from:%d.%m.%Y}" if self.date_from else "…"
            right = f"{self.date_to:%d.%m.%Y}" if self.date_to else "…"
            parts.append(f"Период: {left} — {right}")
        else:
            parts.append("Период: всё время")
        if self.class_name:
            parts.append(f"Класс: {self.class_name}")
        if self.program_title:
            parts.append(f"Программа: {self.program_title}")
        if self.student_name:
            parts.append(f"Ученик: {self.student_name}")
        return "; ".join(parts)


def parse_view(value: Any) -> ReportView:
    try:
        return ReportView(str(value))
    except ValueError:
        raise Invalid("Неизвестный отчёт: выберите lessons, students или quizzes",
                      code=ErrorCode.UNKNOWN_REPORT_VIEW, details={"allowed": [v.value for v in ReportView]}) from None


def parse_format(value: Any) -> ExportFormat:
    try:
        return ExportFormat(str(value))
    except ValueError:
        raise Invalid("Неизвестный формат выгрузки: выберите csv или pdf",
                      code=ErrorCode.UNKNOWN_EXPORT_FORMAT,
                      details={"allowed": [v.value for v in ExportFormat]}) from None


def _text(raw: Mapping[str, Any], key: str, problems: list[dict[str, str]]) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_ID or "\x00" in value:
        problems.append({"field": key, "message": "Недопустимое значение фильтра"})
        return None
    return value.strip() or None


def _date(raw: Mapping[str, Any], key: str, problems: list[dict[str, str]]) -> date | None:
    value = _text(raw, key, problems)
    if value is None:
        return None
    try:  # YYYY-MM-DD only (Python's fromisoformat also reads week dates like 2024-W01-1)
        day = date.fromisoformat(value) if _YYYY_MM_DD.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        problems.append({"field": key, "message": "Ожидается дата в формате ГГГГ-ММ-ДД"})
    elif not EARLIEST_DAY <= day <= LATEST_DAY:
        problems.append({"field": key, "message": "Даты должны быть между 2000 и 2100 годом"})
        return None
    return day


def parse_filters(session: Session, *, club_id: str | None, raw: Mapping[str, Any], tz: str) -> ReportFilters:
    """Checked filters of a report (at most three short queries). Raises `Invalid`
    (invalid_report_filter) listing every bad field at once."""
    problems: list[dict[str, str]] = []
    unknown = sorted(k for k in raw if k not in FILTER_KEYS)
    problems += [{"field": k, "message": "Неизвестный фильтр"} for k in unknown[:10]]
    date_from, date_to = _date(raw, "from", problems), _date(raw, "to", problems)
    if date_from and date_to and date_to < date_from:
        problems.append({"field": "to", "message": "Дата окончания раньше даты начала"})
    class_id, program_id = _text(raw, "classId", problems), _text(raw, "programId", problems)
    student_id = _text(raw, "studentId", problems)
    class_name = program_title = student_name = None
    if class_id:
        klass = get_row(session, ClubClass, class_id)
        if klass is None or (club_id is not None and klass.kruzhok_id != club_id):
            problems.append({"field": "classId", "message": "Класс не найден в этом кружке"})
        else:
            class_name = klass.name
    if program_id:
        program = get_row(session, Program, program_id)
        if program is None:
            problems.append({"field": "programId", "message": "Программа не найдена"})
        else:
            program_title = program.title
    if student_id:
        student_name = _student_name(session, club_id, student_id)
        if student_name is None:
            problems.append({"field": "studentId", "message": "Ученик не найден в этом кружке"})
    if problems:
        message = problems[0]["message"] if len(problems) == 1 else "Проверьте фильтры отчёта"
        raise Invalid(message, code=ErrorCode.INVALID_REPORT_FILTER, details={"fields": problems})
    return ReportFilters(kruzhok_id=club_id, timezone=tz, date_from=date_from, date_to=date_to,
                         class_id=class_id, program_id=program_id, student_id=student_id,
                         class_name=class_name, program_title=program_title, student_name=student_name)


def _student_name(session: Session, club_id: str | None, student_id: str) -> str | None:
    """The student's name if they were ever enrolled in a class of the club (any club for None)."""
    if get_row(session, User, student_id) is None:
        return None
    stmt = (select(User.full_name).join(ClassEnrollment, ClassEnrollment.student_id == User.id)
            .join(ClubClass, ClubClass.id == ClassEnrollment.class_id).where(User.id == student_id).limit(1))
    if club_id is not None:
        stmt = stmt.where(ClubClass.kruzhok_id == club_id)
    return session.scalar(stmt)


def club_class_ids(filters: ReportFilters) -> Any:
    """The classes a report covers (a subquery), or None for every class."""
    if filters.class_id:
        return select(ClubClass.id).where(ClubClass.id == filters.class_id)
    if filters.kruzhok_id:
        return select(ClubClass.id).where(ClubClass.kruzhok_id == filters.kruzhok_id)
    return None


def held_session_conditions(filters: ReportFilters, *, by_student: bool = True) -> list[ColumnElement[bool]]:
    """Held (COMPLETED) sessions of the club, class, program and period. With `by_student`, only the
    sessions in which the filtered student has a mark."""
    conditions: list[ColumnElement[bool]] = [LessonSession.status == SessionStatus.COMPLETED]
    classes = club_class_ids(filters)
    if classes is not None:
        conditions.append(LessonSession.class_id.in_(classes))
    if filters.program_id:
        conditions.append(LessonSession.program_lesson_id.in_(
            select(ProgramLesson.id).where(ProgramLesson.program_id == filters.program_id)))
    if filters.start is not None:
        conditions.append(LessonSession.starts_at >= filters.start)
    if filters.end is not None:
        conditions.append(LessonSession.starts_at < filters.end)
    if by_student and filters.student_id:
        conditions.append(LessonSession.id.in_(
            select(Attendance.session_id).where(Attendance.student_id == filters.student_id)))
    return conditions
