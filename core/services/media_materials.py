"""The media doctor's view of program lesson materials (private objects named by bare keys).

Each `program_lessons.scenario_key` / `presentation_key` is classified like a video URL:
`ok` (stored privately, a private MediaObject row, an accepted type), `missing_object` (not in
private storage, no row, or a PUBLIC object — it would be served by /api/media), `wrong_type`
(e.g. a PPTX as the scenario). Used material keys are referenced keys: never orphans — and so are
the keys a held session's snapshot keeps (`lesson_sessions.materials_snapshot`): a replaced material
still opens from the archive (core/services/session_materials.py), so its file must stay.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import LessonSession, MaterialKind, MediaObject, ProgramLesson
from core.services.media_sniff import BY_MIME
from core.services.program_materials import ACCEPTED, COLUMN
from core.storage.base import Storage


def material_keys(session: Session) -> set[str]:
    keys: set[str] = set()
    for kind in MaterialKind:
        column = getattr(ProgramLesson, COLUMN[kind])
        keys.update(k for (k,) in session.execute(select(column).where(column.is_not(None))) if k)
    return keys | snapshot_keys(session)


def snapshot_keys(session: Session) -> set[str]:
    """Material keys kept by held sessions' snapshots (streamed, one small JSON list per held session)."""
    keys: set[str] = set()
    rows = session.execute(select(LessonSession.materials_snapshot)
                           .where(LessonSession.snapshot_at.is_not(None))
                           .execution_options(yield_per=1000))
    for (items,) in rows:
        keys.update(str(m["key"]) for m in (items if isinstance(items, list) else [])
                    if isinstance(m, dict) and m.get("key"))
    return keys


def count_material_references(session: Session) -> int:
    return sum(session.scalar(select(func.count()).where(getattr(ProgramLesson, COLUMN[kind]).is_not(None))) or 0
               for kind in MaterialKind)


def scan_materials(session: Session, storage: Storage) -> Iterator[tuple[str, str, str, str, str, str]]:
    """(column, lesson id, lesson title, key, status, reason) for every material reference."""
    stored = set(storage.iter_keys(private=True))
    for kind in MaterialKind:
        column = getattr(ProgramLesson, COLUMN[kind])
        refs = session.execute(select(ProgramLesson.id, ProgramLesson.title, column).where(column.is_not(None))
                               .order_by(ProgramLesson.id)).all()
        keys = [key for _, _, key in refs]
        rows: dict[str, MediaObject] = {}
        for i in range(0, len(keys), 500):
            rows.update({m.key: m for m in session.scalars(select(MediaObject)
                                                           .where(MediaObject.key.in_(keys[i:i + 500])))})
        for lesson_id, title, key in refs:
            row = rows.get(key)
            media_type = BY_MIME.get(row.content_type) if row is not None else None
            if key not in stored or row is None or not row.is_private:
                status, reason = "missing_object", "файла нет в закрытом хранилище"
            elif media_type is None or media_type.ext not in ACCEPTED[kind]:
                found = media_type.ext if media_type else "неизвестен"
                status, reason = "wrong_type", f"тип файла: {found}, нужен: {'/'.join(ACCEPTED[kind])}"
            else:
                status, reason = "ok", ""
            yield f"program_lessons.{COLUMN[kind]}", lesson_id, title, key, status, reason
