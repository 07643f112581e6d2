"""«Тесты учеников»: club quiz assignments, read-only (history). Dates in the club's time zone; the
details page shows the answers with each question's text as it was asked."""

from __future__ import annotations

from typing import Any, ClassVar

from markupsafe import Markup
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload
from starlette.requests import Request

from admin_app.badges import badge, status_formatter
from admin_app.base_view import ReadOnlyView
from admin_app.views.club_cells import DASH, person, session_cell, session_zone, when
from core.models import ClubClass, ClubQuizAssignment, LessonSession, QuizAssignmentStatus

STATUS_STYLES = {QuizAssignmentStatus.ASSIGNED: ("Назначен", "bg-azure"),
                 QuizAssignmentStatus.SUBMITTED: ("Ждёт проверки", "bg-yellow"),
                 QuizAssignmentStatus.GRADED: ("Оценён", "bg-green")}

A = ClubQuizAssignment


def session_loads(relation: Any) -> Any:
    """A lesson session with its class, club (the time zone) and program lesson: one query each per page."""
    return selectinload(relation).options(selectinload(LessonSession.club_class).selectinload(ClubClass.kruzhok),
                                          selectinload(LessonSession.program_lesson))


def _zone(model: ClubQuizAssignment) -> str | None:
    return session_zone(model.lesson_session)


def _time(attr: str) -> Any:
    def cell(model: ClubQuizAssignment, _attr: Any) -> Markup:
        return when(getattr(model, attr), _zone(model))

    return cell


def _flag(label: str, colour: str) -> Any:
    def cell(model: ClubQuizAssignment, attr: Any) -> Markup:
        return badge(label, colour) if getattr(model, str(attr)) else DASH

    return cell


def _answer_mark(is_correct: bool | None) -> Markup:
    if is_correct is None:
        return badge("Ждёт оценки", "bg-yellow")
    return badge("Верно", "bg-green") if is_correct else badge("Неверно", "bg-red")


def _answer_text(answer: Any) -> str:
    values = answer if isinstance(answer, list) else [answer]
    return "; ".join(str(v) for v in values) or "—"


class QuizAssignmentAdmin(ReadOnlyView, model=ClubQuizAssignment):
    name = "Тест ученика"
    name_plural = "Тесты учеников"
    icon = "fa-solid fa-list-check"
    identity = "club-quiz-assignment"
    column_list: ClassVar[list[Any]] = [A.status, A.student, A.quiz, A.lesson_session, A.assigned_at, A.due_at,
                                        A.score, A.is_overdue, A.is_manual]
    column_details_list: ClassVar[list[Any]] = [A.status, A.student, A.quiz, A.lesson_session, A.assigned_at,
                                                A.due_at, A.submitted_at, A.score, A.is_overdue, A.is_manual,
                                                A.graded_at, A.id, A.student_id, A.quiz_id, A.session_id,
                                                A.graded_by_id]
    column_export_list: ClassVar[list[Any]] = [A.id, A.status, A.student_id, A.quiz_id, A.session_id,
                                               A.assigned_at, A.due_at, A.submitted_at, A.score, A.is_overdue,
                                               A.is_manual]
    column_searchable_list: ClassVar[list[Any]] = ["student.email"]
    column_sortable_list: ClassVar[list[Any]] = [A.assigned_at, A.due_at, A.score]
    column_default_sort: ClassVar[list[Any]] = [(A.assigned_at, True)]
    column_labels: ClassVar[dict[Any, str]] = {
        A.status: "Статус", A.student: "Ученик", A.quiz: "Тест", A.lesson_session: "Занятие",
        A.assigned_at: "Назначен", A.due_at: "Сдать до", A.submitted_at: "Сдан", A.score: "Баллы, %",
        A.is_overdue: "Просрочен", A.is_manual: "Вручную", A.graded_at: "Оценён", A.answers: "Ответы",
        A.question_answers: "Ответы", "student.email": "Эл. почта ученика",
    }
    column_formatters: ClassVar[dict[Any, Any]] = {
        A.status: status_formatter(STATUS_STYLES),
        A.student: lambda m, a: person(m.student),
        A.lesson_session: session_cell("lesson_session"),
        A.assigned_at: _time("assigned_at"), A.due_at: _time("due_at"), A.submitted_at: _time("submitted_at"),
        A.graded_at: _time("graded_at"),
        A.score: lambda m, a: DASH if m.score is None else f"{m.score}%",
        A.is_overdue: _flag("Просрочен", "bg-red"), A.is_manual: _flag("Вручную", "bg-azure"),
    }
    column_formatters_detail: ClassVar[dict[Any, Any]] = column_formatters

    def list_query(self, request: Request) -> Select:
        return select(A).options(selectinload(A.student), selectinload(A.quiz), session_loads(A.lesson_session))

    def details_query(self, request: Request) -> Select:
        return super().details_query(request).options(session_loads(A.lesson_session),
                                                      selectinload(A.question_answers))

    def row_title(self, obj: Any) -> str:
        return f"{obj.quiz.title} — {obj.student.full_name}"

    def decision_card(self, request: Request, obj: Any) -> Markup | None:
        """Who, which test, the status — and every answer under the question's text as it was asked."""
        head = Markup("<h3 class='card-title'>{} — {} {}</h3>").format(
            obj.quiz.title, obj.student.full_name, status_formatter(STATUS_STYLES)(obj, "status"))
        if not obj.question_answers:
            return head + Markup("<p class='text-secondary mb-0'>Ответов пока нет.</p>")
        rows = Markup("").join(
            Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
                row.question_text, _answer_text(row.answer), _answer_mark(row.is_correct), row.points)
            for row in obj.question_answers)
        return head + Markup("<table class='table table-sm mb-0'><thead><tr><th>Вопрос</th><th>Ответ ученика</th>"
                             "<th>Оценка</th><th>Баллы</th></tr></thead><tbody>{}</tbody></table>").format(rows)
