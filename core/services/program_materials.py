"""Program lesson materials: a scenario (PDF/DOCX) and a presentation (PDF/PPTX), stored PRIVATELY.

Uploads are admin only, streamed through `media.store_upload(private=True)` (type sniffed from the
bytes; a type the material does not accept is 415 and leaves nothing behind). A replaced file's
object is never deleted: sessions held with it keep its key and still serve it
(core/services/session_materials.py), and the media doctor counts those keys as used.

Who downloads (SPEC §2, docs/decisions.md "Program lesson materials"): admins; mentors (whoever may
read programs: `programs.require_program_reader`); a student with an ACTIVE enrolment in a class
that has a non-cancelled lesson session of this program lesson. Anybody else: 404 (they may not
even learn the lesson exists); anonymous: 401.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden, NotFound, UnsupportedMediaType, field_error
from core.models import (
    AuditAction,
    ClassEnrollment,
    EnrollmentStatus,
    LessonSession,
    MaterialKind,
    MediaObject,
    ProgramLesson,
    SessionStatus,
    User,
)
from core.services import audit
from core.services.media import store_upload
from core.services.media_sniff import BY_MIME
from core.services.permissions import require_admin, require_user
from core.services.play_access import Access, Reason
from core.services.programs import get_lesson_row, require_program_reader
from core.storage import Storage

ACCEPTED = {MaterialKind.SCENARIO: ("pdf", "docx"), MaterialKind.PRESENTATION: ("pdf", "pptx")}
COLUMN = {MaterialKind.SCENARIO: "scenario_key", MaterialKind.PRESENTATION: "presentation_key"}
LABEL = {MaterialKind.SCENARIO: "Сценарий", MaterialKind.PRESENTATION: "Презентация"}
MESSAGES = {MaterialKind.SCENARIO: "Сценарий урока — файл PDF или DOCX.",
            MaterialKind.PRESENTATION: "Презентация — файл PDF или PPTX."}


def material_kind(value: Any) -> MaterialKind:
    try:
        return MaterialKind(str(value))
    except ValueError:
        raise NotFound("Материал не найден") from None


def attach_material(session: Session, storage: Storage, *, actor: User | None, lesson_id: str, kind: Any,
                    stream: IO[bytes] | Any, filename: str | None, declared_type: str | None, max_bytes: int,
                    now: datetime) -> ProgramLesson:
    """Upload (or replace) one material of a lesson. 415 when the bytes are not an accepted type."""
    actor = require_admin(actor)
    lesson = get_lesson_row(session, lesson_id)
    try:
        which = MaterialKind(str(kind))
    except ValueError:
        raise field_error("kind", "Материал: scenario или presentation") from None
    row = store_upload(session, storage, stream=stream, filename=filename, declared_type=declared_type,
                       actor=actor, now=now, max_bytes=max_bytes, private=True)
    ext = BY_MIME[row.content_type].ext
    if ext not in ACCEPTED[which]:
        storage.delete(row.key, private=True)
        session.delete(row)
        session.flush()
        raise UnsupportedMediaType(MESSAGES[which], details={"accepted": list(ACCEPTED[which]), "detected": ext})
    previous = getattr(lesson, COLUMN[which])
    setattr(lesson, COLUMN[which], row.key)
    audit.record(session, actor=actor, action=AuditAction.PROGRAM_MATERIAL_UPLOAD, entity="program_lesson",
                 entity_id=lesson.id, now=now,
                 data={"kind": which.value, "key": row.key, "previous": previous, "size": row.size})
    return lesson


@dataclass(frozen=True)
class MaterialFile:
    key: str
    content_type: str
    size: int
    filename: str


def _student_may_read(session: Session, user: User, lesson: ProgramLesson) -> bool:
    return session.scalar(
        select(LessonSession.id)
        .join(ClassEnrollment, ClassEnrollment.class_id == LessonSession.class_id)
        .where(LessonSession.program_lesson_id == lesson.id, LessonSession.status != SessionStatus.CANCELLED,
               ClassEnrollment.student_id == user.id, ClassEnrollment.status == EnrollmentStatus.ACTIVE)
        .limit(1)) is not None


def material_access(session: Session, user: User, lesson: ProgramLesson, *, now: datetime) -> Access:
    """The download rule above, with its reason (the back-office «Почему не воспроизводится?» shows it).
    A program reader (admin, mentor) is not asked about classes: an unpublished program is closed to a
    mentor even when they are also a student."""
    try:
        require_program_reader(session, user, now=now)
    except Forbidden:
        return Access(Reason.OPEN_CLASS_STUDENT if _student_may_read(session, user, lesson) else Reason.NOT_IN_CLASS)
    if user.is_admin:
        return Access(Reason.OPEN_ADMIN)
    return Access(Reason.OPEN_PROGRAM_READER if lesson.program.is_published else Reason.PROGRAM_UNPUBLISHED)


def material_for_download(session: Session, *, actor: User | None, lesson_id: str, kind: Any,
                          now: datetime) -> MaterialFile:
    """The stored file of a material, after the download rule above."""
    actor = require_user(actor)
    which = material_kind(kind)
    lesson = get_lesson_row(session, lesson_id)
    if not material_access(session, actor, lesson, now=now).allowed:
        raise NotFound("Урок программы не найден")
    return stored_material(session, key=getattr(lesson, COLUMN[which]), kind=which, title=lesson.title)


def stored_material(session: Session, *, key: str | None, kind: MaterialKind, title: str) -> MaterialFile:
    """The stored file behind a material key (404 when none), named after its kind and lesson."""
    row = session.scalar(select(MediaObject).where(MediaObject.key == key)) if key else None
    if row is None:
        raise NotFound("Материал не загружен")
    ext = BY_MIME[row.content_type].ext if row.content_type in BY_MIME else "bin"
    return MaterialFile(key=row.key, content_type=row.content_type, size=row.size,
                        filename=f"{LABEL[kind]} — {title}.{ext}")


def content_disposition(filename: str) -> str:
    """An attachment header with the Russian file name (RFC 5987) and an ASCII fallback."""
    return f"attachment; filename=\"material\"; filename*=UTF-8''{quote(filename)}"
