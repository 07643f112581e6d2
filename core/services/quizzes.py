"""Quizzes and their questions (admin). One validation for every way in (API, back-office).

Question rules: `single` — at least 2 distinct options and exactly one correct answer among them;
`multiple` — at least 2 distinct options and one or more correct answers among them; `text` — no
options, one or more accepted answers (compared case-insensitively by the grader). `correct` holds
option texts (not indexes), so reordering options never changes the answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import NotFound, field_error
from core.models import AuditAction, QuestionType, Quiz, QuizQuestion, User
from core.services import audit
from core.services.clean import clean_text, clean_title, get_row
from core.services.permissions import require_admin
from core.services.programs import bounded_int, check_unknown

QUIZ_FIELDS = ("title", "pass_percent")
QUESTION_FIELDS = ("type", "text", "options", "correct", "order_index")
DEFAULT_PASS_PERCENT = 60
MAX_QUESTION_CHARS = 2000
MAX_OPTION_CHARS = 300
MAX_OPTIONS = 20
MAX_ORDER = 10_000


def _apply_quiz(quiz: Quiz, fields: dict[str, Any]) -> dict[str, Any]:
    check_unknown(fields, QUIZ_FIELDS)
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "title":
            value = clean_title(value)
        else:
            value = bounded_int(DEFAULT_PASS_PERCENT if value is None else value, field="passPercent",
                                label="Проходной процент", low=1, high=100)
        if getattr(quiz, name) != value:
            setattr(quiz, name, value)
            changed["passPercent" if name == "pass_percent" else name] = value
    return changed


def get_quiz_row(session: Session, quiz_id: Any) -> Quiz:
    quiz = get_row(session, Quiz, quiz_id)
    if quiz is None:
        raise NotFound("Тест не найден")
    return quiz


def create_quiz(session: Session, *, actor: User | None, fields: dict[str, Any], now: datetime) -> Quiz:
    actor = require_admin(actor)
    quiz = Quiz(title="", pass_percent=DEFAULT_PASS_PERCENT, created_at=now)
    _apply_quiz(quiz, {"title": fields.get("title"), **fields})
    session.add(quiz)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.QUIZ_CREATE, entity="quiz", entity_id=quiz.id, now=now,
                 data={"title": quiz.title, "passPercent": quiz.pass_percent})
    return quiz


def update_quiz(session: Session, *, actor: User | None, quiz_id: str, fields: dict[str, Any],
                now: datetime) -> Quiz:
    actor = require_admin(actor)
    quiz = get_quiz_row(session, quiz_id)
    changed = _apply_quiz(quiz, fields)
    if changed:
        audit.record(session, actor=actor, action=AuditAction.QUIZ_UPDATE, entity="quiz", entity_id=quiz.id,
                     now=now, data=changed)
    return quiz


def _texts(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise field_error(field, "Ожидается список строк")
    if len(value) > MAX_OPTIONS:
        raise field_error(field, f"Не больше {MAX_OPTIONS} вариантов")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise field_error(field, "Ожидается список строк")
        text = clean_title(str(item), field=field, label="Вариант", max_length=MAX_OPTION_CHARS)
        if text in out:
            raise field_error(field, f"Вариант «{text}» повторяется")
        out.append(text)
    return out


def clean_question(values: dict[str, Any]) -> dict[str, Any]:
    """The whole question checked at once (type, text, options and correct must agree)."""
    kind = str(values.get("type") or "")
    if kind not in {t.value for t in QuestionType}:
        raise field_error("type", "Тип вопроса: single, multiple или text")
    text = clean_text(values.get("text"), field="text", label="Вопрос", max_length=MAX_QUESTION_CHARS,
                      multiline=True)
    options = _texts(values.get("options"), "options")
    correct = _texts(values.get("correct"), "correct")
    if kind == QuestionType.TEXT:
        if options:
            raise field_error("options", "У вопроса с текстовым ответом нет вариантов")
        if not correct:
            raise field_error("correct", "Укажите хотя бы один правильный ответ")
    else:
        if len(options) < 2:
            raise field_error("options", "Укажите хотя бы два варианта ответа")
        missing = [c for c in correct if c not in options]
        if missing:
            raise field_error("correct", f"Правильный ответ «{missing[0]}» не входит в варианты")
        if kind == QuestionType.SINGLE and len(correct) != 1:
            raise field_error("correct", "У вопроса с одним ответом должен быть ровно один правильный вариант")
        if kind == QuestionType.MULTIPLE and not correct:
            raise field_error("correct", "Отметьте хотя бы один правильный вариант")
    order = bounded_int(values.get("order_index", 0), field="orderIndex", label="Порядок", low=0, high=MAX_ORDER)
    return {"type": kind, "text": text, "options": options, "correct": correct, "order_index": order}


def create_question(session: Session, *, actor: User | None, quiz_id: Any, fields: dict[str, Any],
                    now: datetime) -> QuizQuestion:
    actor = require_admin(actor)
    check_unknown(fields, QUESTION_FIELDS)
    if not quiz_id:
        raise field_error("quizId", "Выберите тест")
    quiz = get_quiz_row(session, quiz_id)
    values = dict(fields)
    if values.get("order_index") is None:
        values["order_index"] = (session.scalar(select(func.max(QuizQuestion.order_index))
                                                .where(QuizQuestion.quiz_id == quiz.id)) or -1) + 1
    question = QuizQuestion(quiz_id=quiz.id, created_at=now, **clean_question(values))
    session.add(question)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.QUIZ_QUESTION_CREATE, entity="quiz_question",
                 entity_id=question.id, now=now, data={"quizId": quiz.id, "type": question.type})
    return question


def update_question(session: Session, *, actor: User | None, question_id: str, fields: dict[str, Any],
                    now: datetime) -> QuizQuestion:
    """Merge the given fields with the stored ones and validate the whole question again."""
    actor = require_admin(actor)
    check_unknown(fields, QUESTION_FIELDS)
    question = get_row(session, QuizQuestion, question_id)
    if question is None:
        raise NotFound("Вопрос не найден")
    current = {name: getattr(question, name) for name in QUESTION_FIELDS}
    merged = {**current, **{k: v for k, v in fields.items() if not (k == "order_index" and v is None)}}
    cleaned = clean_question(merged)
    changed = sorted(k for k, v in cleaned.items() if current[k] != v)
    for name in changed:
        setattr(question, name, cleaned[name])
    if changed:
        audit.record(session, actor=actor, action=AuditAction.QUIZ_QUESTION_UPDATE, entity="quiz_question",
                     entity_id=question.id, now=now, data={"changed": changed})
    return question
