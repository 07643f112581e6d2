"""Snapshots on archived rows: what a lesson session showed at the time it was held.

A program lesson, its materials and its quiz can be edited (or archived) after a session used them;
the archive (reports, the attendance matrix, a student's history) must still show what was used.
`snapshot_session` copies those values onto the session; attendance and quiz services call it when
a session is held (marked or completed). Calling it again refreshes nothing once a snapshot exists,
unless `refresh=True` (e.g. a mentor corrects the lesson before the session is archived).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.errors import NotFound
from core.models import ClubClass, LessonSession, ProgramLesson, Quiz

# Material fields of a program lesson, in the order the archive lists them.
MATERIALS = (("scenario", "scenario_key"), ("presentation", "presentation_key"))


def session_title(klass: ClubClass | None, lesson: ProgramLesson | None) -> str:
    """The title a session is shown under: its program lesson, or a plain "lesson of the class"."""
    if lesson is not None:
        return lesson.title
    return f"Занятие класса «{klass.name}»" if klass is not None else "Занятие"


def materials_of(lesson: ProgramLesson | None) -> list[dict[str, Any]]:
    if lesson is None:
        return []
    return [{"kind": kind, "key": getattr(lesson, field)} for kind, field in MATERIALS if getattr(lesson, field)]


def snapshot_session(session: Session, *, lesson_session: LessonSession | str, now: datetime,
                     refresh: bool = False) -> LessonSession:
    """Store on the session the titles, material keys and quiz it uses now (once, unless `refresh`)."""
    row = lesson_session if isinstance(lesson_session, LessonSession) else session.get(LessonSession, lesson_session)
    if row is None:
        raise NotFound("Занятие не найдено")
    if row.snapshot_at is not None and not refresh:
        return row
    lesson = row.program_lesson
    klass = row.club_class
    quiz: Quiz | None = lesson.quiz if lesson is not None else None
    row.title_snapshot = session_title(klass, lesson)[:200]
    row.class_name_snapshot = klass.name if klass is not None else None
    row.lesson_title_snapshot = lesson.title if lesson is not None else None
    row.quiz_title_snapshot = quiz.title if quiz is not None else None
    row.materials_snapshot = materials_of(lesson)
    row.snapshot_at = now
    session.flush()
    return row
