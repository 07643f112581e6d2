"""Choices for the back-office report filters: a few matching clubs, classes, programs or students.

The Отчёты page never lists every club or student (there may be 100 000): its selects ask this
service for at most LIMIT rows matching what the admin typed, and for the label of the value already
chosen. One bounded query per call; staff only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from core.errors import ErrorCode, Invalid
from core.models import ClassEnrollment, ClubClass, Kruzhok, Program, User
from core.services.clean import get_row, text_problem
from core.services.permissions import require_admin

LIMIT = 20
MAX_QUERY = 100


class OptionKind(StrEnum):
    CLUB = "club"
    CLASS = "class"
    PROGRAM = "program"
    STUDENT = "student"


@dataclass(frozen=True)
class Option:
    id: str
    label: str


def _kind(value: object) -> OptionKind:
    try:
        return OptionKind(str(value))
    except ValueError:
        raise Invalid("Неизвестный список: club, class, program или student",
                      code=ErrorCode.INVALID_REPORT_FILTER) from None


def _like(column: Any, query: str) -> ColumnElement[bool]:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def search_options(session: Session, *, actor: User | None, kind: object, query: object = "",
                   club_id: str | None = None) -> list[Option]:
    """Up to LIMIT choices whose name contains `query` (case-insensitive); classes and students only
    of `club_id` when it is given. An over-long or unstorable query finds nothing."""
    require_admin(actor)
    what = _kind(kind)
    text = query.strip() if isinstance(query, str) else ""
    if len(text) > MAX_QUERY or text_problem(text) is not None:
        return []
    club = club_id if club_id and get_row(session, Kruzhok, club_id) is not None else None
    if what is OptionKind.CLUB:
        stmt = select(Kruzhok.id, Kruzhok.title).order_by(Kruzhok.title, Kruzhok.id)
        stmt = stmt.where(_like(Kruzhok.title, text)) if text else stmt
    elif what is OptionKind.CLASS:
        label = (Kruzhok.title + " — " + ClubClass.name) if club is None else ClubClass.name
        stmt = (select(ClubClass.id, label).join(Kruzhok, Kruzhok.id == ClubClass.kruzhok_id)
                .order_by(Kruzhok.title, ClubClass.name, ClubClass.id))
        stmt = stmt.where(ClubClass.kruzhok_id == club) if club else stmt
        stmt = stmt.where(or_(_like(ClubClass.name, text), _like(Kruzhok.title, text))) if text else stmt
    elif what is OptionKind.PROGRAM:
        stmt = select(Program.id, Program.title).order_by(Program.title, Program.id)
        stmt = stmt.where(_like(Program.title, text)) if text else stmt
    else:
        enrolled = select(ClassEnrollment.student_id)
        if club:
            enrolled = enrolled.join(ClubClass, ClubClass.id == ClassEnrollment.class_id).where(
                ClubClass.kruzhok_id == club)
        stmt = (select(User.id, User.full_name + " <" + User.email + ">").where(User.id.in_(enrolled))
                .order_by(User.full_name, User.id))
        stmt = stmt.where(or_(_like(User.full_name, text), _like(User.email, text))) if text else stmt
    return [Option(id=row_id, label=label) for row_id, label in session.execute(stmt.limit(LIMIT))]


def chosen_labels(session: Session, *, club_id: str | None, raw: Mapping[str, Any]) -> dict[str, Option]:
    """The labels of the values already chosen in the filter selects ({"club"|"class"|"program"|
    "student": Option}); an unknown id is shown as itself (the report's own check explains it)."""
    labels: dict[str, Option] = {}

    def add(key: str, value: Any, label: str | None) -> None:
        if value:
            labels[key] = Option(id=str(value), label=label if label is not None else str(value)[:64])

    club = get_row(session, Kruzhok, club_id)
    add("club", club_id, club.title if club else None)
    klass = get_row(session, ClubClass, raw.get("classId"))
    add("class", raw.get("classId"), klass.name if klass else None)
    program = get_row(session, Program, raw.get("programId"))
    add("program", raw.get("programId"), program.title if program else None)
    student = get_row(session, User, raw.get("studentId"))
    add("student", raw.get("studentId"), f"{student.full_name} <{student.email}>" if student else None)
    return labels
