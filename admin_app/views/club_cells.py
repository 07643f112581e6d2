"""Cells the club history views share: a person, a lesson session, a time in the club's time zone.

They read only relationships the views load up front (selectinload in `list_query`/`details_query`),
so a page runs the same number of statements whatever its size."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup

from admin_app.base_view import local_datetime
from core.models import ClubClass, LessonSession, User

DASH = Markup("—")


def person(user: User | None, email: str | None = None) -> Markup:
    """Name and address; an address alone when there is no account (an invitation to a newcomer)."""
    if user is None:
        return Markup("{}").format(email) if email else DASH
    return Markup("<b>{}</b><br><small class='text-secondary'>{}</small>").format(user.full_name, user.email)


def class_zone(klass: ClubClass | None) -> str | None:
    return klass.kruzhok.timezone if klass is not None else None


def session_zone(lesson: LessonSession | None) -> str | None:
    return class_zone(lesson.club_class) if lesson is not None else None


def when(value: datetime | None, timezone: str | None) -> Markup:
    """A time in the club's zone (the platform's default when the row has no club), zone shown."""
    return DASH if value is None else local_datetime(value, timezone)


def class_title(klass: ClubClass | None) -> Markup:
    if klass is None:
        return DASH
    return Markup("{}<br><small class='text-secondary'>{}</small>").format(klass.name, klass.kruzhok.title)


def session_title(lesson: LessonSession | None) -> Markup:
    """«Группа А · Датчики расстояния» and the start in the club's zone (the names as held, if held)."""
    if lesson is None:
        return DASH
    klass = lesson.class_name_snapshot or lesson.club_class.name
    title = lesson.lesson_title_snapshot or lesson.title_snapshot or (
        lesson.program_lesson.title if lesson.program_lesson is not None else "Занятие")
    return Markup("{} · {}<br>{}").format(klass, title, when(lesson.starts_at, session_zone(lesson)))


def session_cell(attr: str) -> Any:
    def cell(model: Any, _attr: Any) -> Markup:
        return session_title(getattr(model, attr))

    return cell
