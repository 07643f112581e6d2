"""The materials of one lesson session, as they were when it was held (issue 10, item 5).

A held session keeps the material keys it used (`materials_snapshot`, core/services/snapshots.py);
`GET /api/kruzhok/lesson/{sessionId}/materials/{kind}` serves THAT file, so replacing a program
lesson's material never changes what the archive opens. A session not held yet (no snapshot) serves
the lesson's current material: it has used nothing yet, and its lesson page shows what will be used.

Who may download (docs/decisions.md "Materials of a held session"): admins; the club's owner and
mentors; a student who has an attendance mark in the session, or whose membership period of the
session's class overlaps the session (not for a cancelled session). Anybody else: 404, the same
answer as for a session that does not exist; anonymous: 401.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.clock import as_utc
from core.errors import NotFound
from core.models import (
    Attendance,
    ClassEnrollment,
    ClassMembershipPeriod,
    LessonSession,
    MaterialKind,
    SessionStatus,
    User,
)
from core.services.club_access import is_club_mentor
from core.services.permissions import require_user
from core.services.program_materials import MaterialFile, material_kind, stored_material
from core.services.snapshots import materials_of

MSG_NOT_FOUND = "Занятие не найдено"
KINDS = frozenset(kind.value for kind in MaterialKind)


@dataclass(frozen=True)
class Material:
    kind: str
    key: str
    url: str


def material_url(session_id: str, kind: str) -> str:
    return f"/api/kruzhok/lesson/{session_id}/materials/{kind}"


def _entries(row: LessonSession) -> list[Any]:
    """The session's material entries: the snapshot once held, else the program lesson's current ones."""
    if row.snapshot_at is not None:
        return row.materials_snapshot if isinstance(row.materials_snapshot, list) else []
    return materials_of(row.program_lesson)


def session_materials(row: LessonSession, snapshot: Any = None) -> list[Material]:
    """{kind, key, url} per material of the session (`snapshot`: the stored list, when read without the row's
    lesson, e.g. by the lesson history report)."""
    items = _entries(row) if snapshot is None else snapshot
    return [Material(kind=str(m["kind"]), key=str(m["key"]), url=material_url(row.id, str(m["kind"])))
            for m in (items if isinstance(items, list) else [])
            if isinstance(m, dict) and m.get("key") and m.get("kind") in KINDS]


def _student_may_read(session: Session, user: User, row: LessonSession) -> bool:
    if session.scalar(select(Attendance.id).where(Attendance.session_id == row.id,
                                                  Attendance.student_id == user.id)) is not None:
        return True
    if row.status == SessionStatus.CANCELLED:
        return False
    starts_at = as_utc(row.starts_at)
    ends_at = starts_at + timedelta(minutes=row.duration_min)
    return session.scalar(
        select(ClassMembershipPeriod.id)
        .join(ClassEnrollment, ClassEnrollment.id == ClassMembershipPeriod.enrollment_id)
        .where(ClassEnrollment.class_id == row.class_id, ClassEnrollment.student_id == user.id,
               ClassMembershipPeriod.joined_at <= ends_at,
               or_(ClassMembershipPeriod.left_at.is_(None), ClassMembershipPeriod.left_at >= starts_at))
        .limit(1)) is not None


def material_for_session(session: Session, *, actor: User | None, session_id: str, kind: Any,
                         now: datetime) -> MaterialFile:
    """The stored file of a session's material, after the download rule above."""
    actor = require_user(actor)
    which = material_kind(kind)
    row = session.get(LessonSession, session_id) if isinstance(session_id, str) and len(session_id) <= 64 else None
    club = row.club_class.kruzhok if row is not None else None
    if row is None or club is None:
        raise NotFound(MSG_NOT_FOUND)
    allowed = actor.is_admin or (club.is_active and (is_club_mentor(session, actor, club)
                                                      or _student_may_read(session, actor, row)))
    if not allowed:
        raise NotFound(MSG_NOT_FOUND)
    key = next((m.key for m in session_materials(row) if m.kind == which.value), None)
    lesson = row.program_lesson
    title = row.lesson_title_snapshot if row.snapshot_at is not None else None
    title = title or (lesson.title if lesson is not None else None) or "Занятие"
    return stored_material(session, key=key, kind=which, title=title)
