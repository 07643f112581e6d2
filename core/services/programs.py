"""Programs (curricula) and their lessons: admin create/update, and reading for admins and mentors.

A program lesson has a title, an order, an optional quiz and an XP reward (0..MAX_XP_REWARD);
its materials (scenario, presentation) are uploaded through `program_materials.py`.
Who reads programs (SPEC §8): admins (everything) and mentors (`limits.is_mentor`: an active
subscription or a club assignment; club owners need an active subscription to own a club) — mentors
see published programs only. Everybody else: 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.errors import Forbidden, Invalid, NotFound, field_error
from core.models import AuditAction, Kruzhok, Program, ProgramLesson, Quiz, Role, User
from core.services import audit
from core.services.clean import clean_int, clean_text, clean_title, get_row
from core.services.limits import is_mentor
from core.services.pagination import Page
from core.services.permissions import require_admin, require_user

PROGRAM_FIELDS = ("title", "description", "is_published")
LESSON_FIELDS = ("title", "order_index", "description", "quiz_id", "xp_reward")
API_NAMES = {"title": "title", "description": "description", "is_published": "isPublished",
             "order_index": "orderIndex", "quiz_id": "quizId", "xp_reward": "xpReward"}
MAX_DESCRIPTION = 10_000
MAX_XP_REWARD = 1000
MAX_ORDER = 10_000


def bounded_int(value: Any, *, field: str, label: str, low: int, high: int) -> int:
    return clean_int(value, field=field, label=label, minimum=low, maximum=high)


def _clean_description(value: Any) -> str | None:
    return clean_text(value, field="description", label="Описание", max_length=MAX_DESCRIPTION, required=False,
                      multiline=True)


def check_unknown(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise Invalid(details={"fields": [{"field": f, "message": "Неизвестное поле"} for f in sorted(unknown)]})


def _apply_program(program: Program, fields: dict[str, Any]) -> dict[str, Any]:
    check_unknown(fields, PROGRAM_FIELDS)
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "title":
            value = clean_title(value)
        elif name == "description":
            value = _clean_description(value)
        else:
            if value is None:
                raise field_error("isPublished", "Ожидается true или false")
            value = bool(value)
        if getattr(program, name) != value:
            setattr(program, name, value)
            changed[API_NAMES[name]] = value
    return changed


def _quiz_id(session: Session, value: Any) -> str | None:
    if value is None or value == "":
        return None
    quiz = get_row(session, Quiz, value if isinstance(value, str) else getattr(value, "id", None))
    if quiz is None:
        raise field_error("quizId", "Тест не найден")
    return quiz.id


def _apply_lesson(session: Session, lesson: ProgramLesson, fields: dict[str, Any]) -> dict[str, Any]:
    check_unknown(fields, LESSON_FIELDS)
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "title":
            value = clean_title(value)
        elif name == "description":
            value = _clean_description(value)
        elif name == "quiz_id":
            value = _quiz_id(session, value)
        elif name == "xp_reward":
            value = bounded_int(0 if value is None else value, field="xpReward", label="Награда XP", low=0,
                                high=MAX_XP_REWARD)
        else:
            value = bounded_int(value, field="orderIndex", label="Порядок", low=0, high=MAX_ORDER)
        if getattr(lesson, name) != value:
            setattr(lesson, name, value)
            changed[API_NAMES[name]] = value
    return changed


def get_program_row(session: Session, program_id: Any) -> Program:
    program = get_row(session, Program, program_id)
    if program is None:
        raise NotFound("Программа не найдена")
    return program


def get_lesson_row(session: Session, lesson_id: Any) -> ProgramLesson:
    lesson = get_row(session, ProgramLesson, lesson_id)
    if lesson is None:
        raise NotFound("Урок программы не найден")
    return lesson


# ---- admin -------------------------------------------------------------------------------------

def create_program(session: Session, *, actor: User | None, fields: dict[str, Any], now: datetime) -> Program:
    actor = require_admin(actor)
    program = Program(title="", is_published=True, created_at=now)
    _apply_program(program, {"title": fields.get("title"), **fields})
    session.add(program)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.PROGRAM_CREATE, entity="program", entity_id=program.id,
                 now=now, data={"title": program.title})
    return program


def update_program(session: Session, *, actor: User | None, program_id: str, fields: dict[str, Any],
                   now: datetime) -> Program:
    actor = require_admin(actor)
    program = get_program_row(session, program_id)
    changed = _apply_program(program, fields)
    if changed:
        audit.record(session, actor=actor, action=AuditAction.PROGRAM_UPDATE, entity="program",
                     entity_id=program.id, now=now, data={"changed": sorted(changed)})
    return program


def create_program_lesson(session: Session, *, actor: User | None, program_id: Any, fields: dict[str, Any],
                          now: datetime) -> ProgramLesson:
    """Add a lesson to a program (at the end unless orderIndex is given)."""
    actor = require_admin(actor)
    if not program_id:
        raise field_error("programId", "Выберите программу")
    program = get_program_row(session, program_id)
    fields = dict(fields)
    if fields.get("order_index") is None:
        fields["order_index"] = (session.scalar(select(func.max(ProgramLesson.order_index))
                                                .where(ProgramLesson.program_id == program.id)) or -1) + 1
    lesson = ProgramLesson(program_id=program.id, title="", xp_reward=0, created_at=now)
    _apply_lesson(session, lesson, {"title": fields.pop("title", None), **fields})
    session.add(lesson)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.PROGRAM_LESSON_CREATE, entity="program_lesson",
                 entity_id=lesson.id, now=now, data={"programId": program.id, "title": lesson.title})
    return lesson


def update_program_lesson(session: Session, *, actor: User | None, lesson_id: str, fields: dict[str, Any],
                          now: datetime) -> ProgramLesson:
    """Change the given fields (absent = unchanged; an empty order keeps the current one)."""
    actor = require_admin(actor)
    lesson = get_lesson_row(session, lesson_id)
    fields = {k: v for k, v in fields.items() if not (k == "order_index" and v is None)}
    changed = _apply_lesson(session, lesson, fields)
    if changed:
        audit.record(session, actor=actor, action=AuditAction.PROGRAM_LESSON_UPDATE, entity="program_lesson",
                     entity_id=lesson.id, now=now, data={"changed": sorted(changed)})
    return lesson


# ---- reading: admins and mentors ---------------------------------------------------------------

def require_program_reader(session: Session, actor: User | None, *, now: datetime) -> User:
    """Admins and mentors (an active subscription, a club assignment or an active club they own)."""
    actor = require_user(actor)
    if actor.role == Role.ADMIN or is_mentor(session, actor, now=now):
        return actor
    if session.scalar(select(Kruzhok.id).where(Kruzhok.owner_id == actor.id, Kruzhok.is_active.is_(True))
                      .limit(1)) is not None:
        return actor
    raise Forbidden("Программы доступны менторам и администраторам")


@dataclass(frozen=True)
class ProgramListed:
    program: Program
    lessons_count: int


def list_programs(session: Session, *, actor: User | None, page: Page, now: datetime
                  ) -> tuple[list[ProgramListed], int]:
    """Programs by title (admins also see unpublished ones), with their lesson counts."""
    actor = require_program_reader(session, actor, now=now)
    base = select(Program)
    if actor.role != Role.ADMIN:
        base = base.where(Program.is_published.is_(True))
    rows = session.scalars(base.order_by(Program.title, Program.id).limit(page.limit).offset(page.offset)).all()
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    counts: dict[str, int] = {}
    if rows:
        counts = {pid: n for pid, n in session.execute(
            select(ProgramLesson.program_id, func.count(ProgramLesson.id))
            .where(ProgramLesson.program_id.in_([p.id for p in rows])).group_by(ProgramLesson.program_id))}
    return [ProgramListed(program=p, lessons_count=counts.get(p.id, 0)) for p in rows], total


def get_program(session: Session, *, actor: User | None, program_id: str, now: datetime) -> Program:
    """A program with its lessons (ordered) and their quizzes loaded."""
    actor = require_program_reader(session, actor, now=now)
    program = get_row(session, Program, program_id) and session.scalar(
        select(Program).where(Program.id == program_id)
        .options(selectinload(Program.lessons).selectinload(ProgramLesson.quiz).selectinload(Quiz.questions)))
    if program is None or (not program.is_published and actor.role != Role.ADMIN):
        raise NotFound("Программа не найдена")
    return program
