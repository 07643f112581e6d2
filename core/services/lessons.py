"""Course lessons: create and update (admin), with the lesson video URL normalised and verified.

Saving a lesson never touches its course: in the old platform every lesson autosave silently
unpublished the course. Only `courses.update_course` changes is_published/is_free/price.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Invalid, NotFound, field_error
from core.models import AuditAction, Lesson, LessonQuestion, Module, User
from core.services import audit, clean
from core.services.media import require_media_url
from core.services.permissions import require_admin

MAX_ANSWER_CHARS = 500  # course_questions.correct_answer is VARCHAR(500)
LESSON_FIELDS = ("title", "content", "video_url", "is_free_preview", "order_index")
# API names of the fields, for error details.
API_NAMES = {"title": "title", "content": "content", "video_url": "videoUrl",
             "is_free_preview": "isFreePreview", "order_index": "orderIndex"}


def lesson_video_url(session: Session, storage: Any, value: Any) -> str | None:
    """Normalise + verify a lesson video URL; empty clears it. External URLs are refused (422)."""
    return require_media_url(session, storage, value, field="videoUrl", kinds=("video",))


MAX_CONTENT_CHARS = 100_000


def _clean(session: Session, storage: Any, name: str, value: Any) -> Any:
    if name == "title":
        return clean.clean_title(value, label="Название урока")
    if name == "content":
        return clean.clean_text(value, field="content", label="Текст урока", max_length=MAX_CONTENT_CHARS,
                                required=False, multiline=True)
    if name == "video_url":
        return lesson_video_url(session, storage, value)
    if name == "is_free_preview":
        return clean.clean_bool(value, field="isFreePreview")
    return clean.clean_int(value, field="orderIndex", label="Порядок")


def apply_lesson_fields(session: Session, storage: Any, lesson: Lesson, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and set lesson fields; returns the changed ones. Touches nothing but the lesson."""
    unknown = set(fields) - set(LESSON_FIELDS)
    if unknown:
        raise Invalid(details={"fields": [{"field": f, "message": "Неизвестное поле"} for f in sorted(unknown)]})
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        value = _clean(session, storage, name, value)
        if getattr(lesson, name) != value:
            setattr(lesson, name, value)
            changed[API_NAMES[name]] = value
    return changed


def _module(session: Session, module_id: str | None) -> Module:
    module = clean.get_row(session, Module, module_id)
    if module is None:
        raise NotFound("Модуль не найден")
    return module


def get_lesson(session: Session, lesson_id: str) -> Lesson:
    lesson = clean.get_row(session, Lesson, lesson_id)
    if lesson is None:
        raise NotFound("Урок не найден")
    return lesson


def create_lesson(session: Session, storage: Any, *, actor: User | None, module_id: str | None,
                  fields: dict[str, Any], now: datetime) -> Lesson:
    """Add a lesson to a module (at the end unless orderIndex is given)."""
    actor = require_admin(actor)
    module = _module(session, module_id)
    fields = dict(fields)
    if fields.get("order_index") is None:
        fields["order_index"] = (session.scalar(select(func.max(Lesson.order_index))
                                                .where(Lesson.module_id == module.id)) or -1) + 1
    lesson = Lesson(module_id=module.id, title="", is_free_preview=False, created_at=now, updated_at=now)
    apply_lesson_fields(session, storage, lesson, {"title": fields.pop("title", None), **fields})
    session.add(lesson)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.LESSON_CREATE, entity="lesson", entity_id=lesson.id, now=now,
                 data={"moduleId": module.id, "title": lesson.title, "videoUrl": lesson.video_url})
    return lesson


def update_lesson(session: Session, storage: Any, *, actor: User | None, lesson_id: str,
                  fields: dict[str, Any], now: datetime, module_id: str | None = None) -> Lesson:
    """Change the given lesson fields (absent = unchanged, videoUrl None = cleared); `module_id`
    moves the lesson to another module (the back-office form can). Audited."""
    actor = require_admin(actor)
    lesson = get_lesson(session, lesson_id)
    changed = apply_lesson_fields(session, storage, lesson, fields)
    if module_id is not None and module_id != lesson.module_id:
        lesson.module_id = _module(session, module_id).id
        changed["moduleId"] = lesson.module_id
    if changed:
        # The audit row names every changed field; it keeps values only for the short ones.
        audit.record(session, actor=actor, action=AuditAction.LESSON_UPDATE, entity="lesson", entity_id=lesson.id,
                     now=now, data={"changed": sorted(changed),
                                    **{k: v for k, v in changed.items() if k in ("videoUrl", "title", "moduleId")}})
    return lesson


def add_question(session: Session, *, actor: User | None, lesson_id: str, text: str, options: list[str],
                 correct_answer: str, now: datetime) -> LessonQuestion:
    """Attach a question to a lesson; the correct answer must be one of the options (if any)."""
    actor = require_admin(actor)
    lesson = get_lesson(session, lesson_id)
    text, correct_answer = str(text or "").strip(), str(correct_answer or "").strip()
    if not text:
        raise field_error("text", "Укажите текст вопроса")
    if not correct_answer:
        raise field_error("correctAnswer", "Укажите правильный ответ")
    if len(correct_answer) > MAX_ANSWER_CHARS:
        raise field_error("correctAnswer", f"Правильный ответ не длиннее {MAX_ANSWER_CHARS} символов")
    options = [str(o).strip() for o in options if str(o).strip()]
    if options and correct_answer not in options:
        raise field_error("correctAnswer", "Правильный ответ должен быть одним из вариантов")
    order = (session.scalar(select(func.max(LessonQuestion.order_index))
                            .where(LessonQuestion.lesson_id == lesson.id)) or -1) + 1
    question = LessonQuestion(lesson_id=lesson.id, text=text, options=options, correct_answer=correct_answer,
                              order_index=order, created_at=now)
    session.add(question)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.QUESTION_CREATE, entity="question", entity_id=question.id,
                 now=now, data={"lessonId": lesson.id})
    return question
