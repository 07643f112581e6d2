"""The one way to delete a row, and deactivation for rows whose history must stay.

A row may be deleted only when nothing with history hangs below it. "Below" follows the foreign
keys of the schema itself, so a table added later is covered without touching this module:

- a CASCADE child (pure data of its parent: a user's notifications, a quiz's questions…) and a
  CONTENT child listed below (a course's modules, a module's lessons…) go with the parent — but
  their own dependants are checked the same way, recursively;
- any other reference (RESTRICT: attendance, answers, payments, XP, enrolments, sessions, audit…)
  is history: the delete is refused with `HasHistory` (409 `has_history`), which names what is
  there and offers deactivation when the row supports it (`is_active` or `archived_at`).

The database enforces the same rule (RESTRICT foreign keys); an IntegrityError (a row appearing
concurrently) is turned into the same refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import HasHistory, Invalid, NotFound
from core.models import Base, User
from core.services import audit
from core.services.permissions import require_admin

# Children deleted together with their parent when they have no history themselves:
# parent table -> ((child table, referencing column), …). CASCADE children need no entry.
CONTENT: dict[str, tuple[tuple[str, str], ...]] = {
    "courses": (("course_modules", "course_id"), ("daily_missions", "course_id")),
    "course_modules": (("course_lessons", "module_id"),),
    "course_lessons": (("course_questions", "lesson_id"),),
    "programs": (("program_lessons", "program_id"),),
    "quizzes": (("quiz_questions", "quiz_id"),),
    "kruzhoks": (("club_classes", "kruzhok_id"), ("club_mentors", "kruzhok_id")),
    "users": (("notifications", "user_id"), ("admin_sessions", "user_id")),
}

# What a blocking table means to staff (Russian, for the refusal message).
HISTORY_LABELS: dict[str, str] = {
    "attendance": "отметки посещаемости",
    "club_quiz_assignments": "тесты учеников",
    "club_quiz_answers": "ответы на тесты",
    "xp_events": "начисления XP",
    "course_purchases": "оплаты курса",
    "subscriptions": "подписки",
    "course_enrollments": "записи на курс",
    "class_enrollments": "ученики (в том числе бывшие)",
    "class_membership_periods": "периоды членства в классе",
    "lesson_sessions": "занятия",
    "lesson_completions": "пройденные уроки",
    "question_answers": "ответы на вопросы",
    "mission_completions": "выполненные миссии",
    "certificate_requests": "сертификаты",
    "audit_events": "записи журнала действий",
    "kruzhoks": "кружки",
    "program_lessons": "уроки программ",
    "media_objects": "загруженные файлы",
    "bytesize_items": "видео ByteSize",
    "bank_statements": "загруженные банковские выписки",
}


@dataclass(frozen=True)
class Plan:
    """What deleting a row would do: the content rows that go with it, or the history in the way."""

    doomed: dict[str, set[str]]  # content table -> ids deleted with the row (deepest last)
    history: dict[str, int]  # blocking table -> number of rows


def _table(model: type[Any]) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def _referencing(table: Table) -> list[tuple[Table, str, str | None]]:
    """(child table, referencing column, ondelete) for every foreign key pointing at `table`."""
    found = []
    for child in Base.metadata.sorted_tables:
        for fk in child.foreign_key_constraints:
            if fk.referred_table is table:
                found.append((child, fk.elements[0].parent.name, (fk.ondelete or "").upper() or None))
    return found


def plan_delete(session: Session, table: Table, ids: set[str]) -> Plan:
    """Walk the rows below `ids` of `table`: one query per foreign key edge, whatever the row counts."""
    doomed: dict[str, set[str]] = {table.name: set(ids)}
    history: dict[str, int] = {}
    frontier = [(table, set(ids))]
    while frontier:
        parent, parent_ids = frontier.pop()
        content = dict(CONTENT.get(parent.name, ()))
        for child, column, ondelete in _referencing(parent):
            ref = child.c[column]
            follows = ondelete == "CASCADE" or content.get(child.name) == column
            if follows and "id" in child.c:
                child_ids = set(session.scalars(select(child.c.id).where(ref.in_(parent_ids))))
                if child_ids:
                    doomed.setdefault(child.name, set()).update(child_ids)
                    frontier.append((child, child_ids))
            elif not follows:
                count = session.scalar(select(func.count()).select_from(child).where(ref.in_(parent_ids))) or 0
                if count:
                    history[child.name] = history.get(child.name, 0) + count
    return Plan(doomed=doomed, history=history)


def can_deactivate(model: type[Any]) -> bool:
    columns = _table(model).c
    return "is_active" in columns or "archived_at" in columns


def describe(obj: Any) -> str:
    for attr in ("title", "name", "full_name", "email", "code"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(getattr(obj, "id", ""))


def _refusal(model: type[Any], obj: Any, history: dict[str, int]) -> HasHistory:
    what = ", ".join(f"{HISTORY_LABELS.get(name, name)}: {count}" for name, count in sorted(history.items()))
    advice = ("Деактивируйте запись вместо удаления — история сохранится." if can_deactivate(model)
              else "Удаление запрещено, чтобы история не потерялась.")
    return HasHistory(f"Нельзя удалить «{describe(obj)}»: с записью связана история ({what}). {advice}",
                      details={"history": history, "canDeactivate": can_deactivate(model)})


def _load(session: Session, model: type[Any], pk: str) -> Any:
    obj = session.get(model, pk) if isinstance(pk, str) and len(pk) <= 64 and "\x00" not in pk else None
    if obj is None:
        raise NotFound()
    return obj


def delete_row(session: Session, *, actor: User | None, model: type[Any], pk: str, now: datetime) -> dict[str, int]:
    """Delete one row and its history-free content; 409 `has_history` when anything with history
    depends on it (nothing changed then). Returns how many rows went, per table."""
    actor = require_admin(actor)
    obj = _load(session, model, pk)
    table = _table(model)
    plan = plan_delete(session, table, {obj.id})
    if plan.history:
        raise _refusal(model, obj, plan.history)
    title = describe(obj)
    session.flush()
    try:
        with session.begin_nested():
            # Children before parents (reverse dependency order), so no key ever sees a missing parent.
            for doomed in reversed(Base.metadata.sorted_tables):
                if doomed.name in plan.doomed:
                    session.execute(delete(doomed).where(doomed.c.id.in_(plan.doomed[doomed.name])))
    except IntegrityError:
        # A row with history appeared after the check (a concurrent request): the same refusal.
        raise HasHistory(details={"history": {}, "canDeactivate": can_deactivate(model)}) from None
    session.expunge(obj)
    removed = {name: len(ids) for name, ids in plan.doomed.items()}
    audit.record(session, actor=actor, action=f"{table.name}.delete", entity=model.__name__, entity_id=pk,
                 now=now, data={"title": title, "removed": removed})
    return removed


def set_active(session: Session, *, actor: User | None, model: type[Any], pk: str, active: bool,
               now: datetime) -> Any:
    """Deactivate (or bring back) a row instead of deleting it: `is_active`, or `archived_at`."""
    actor = require_admin(actor)
    if not can_deactivate(model):
        raise Invalid("Эту запись нельзя деактивировать")
    obj = _load(session, model, pk)
    columns = _table(model).c
    if "is_active" in columns:
        changed = obj.is_active != active
        obj.is_active = active
    else:
        changed = (obj.archived_at is None) != active
        obj.archived_at = None if active else (obj.archived_at or now)
    if changed:
        audit.record(session, actor=actor, action=f"{_table(model).name}.{'restore' if active else 'deactivate'}",
                     entity=model.__name__, entity_id=pk, now=now, data={"title": describe(obj)})
    session.flush()
    return obj
