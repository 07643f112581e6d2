"""Расписание: lesson sessions of every club, read-only (mentors plan them in the app); `?day=today` is the
home card «Занятия сегодня»."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy.orm import selectinload
from starlette.requests import Request

from admin_app.badges import status_formatter
from admin_app.filters import ChoiceFilter
from admin_app.views.messaging import ReadOnlyView
from core.clock import utcnow
from core.models import ClubClass, LessonSession, SessionStatus
from core.services import work_queue
from core.settings import get_settings

SESSION_STYLES = {SessionStatus.SCHEDULED: ("Запланировано", "bg-azure"),
                  SessionStatus.COMPLETED: ("Проведено", "bg-green"),
                  SessionStatus.CANCELLED: ("Отменено", "bg-secondary")}


def _class(model: LessonSession, _attr: Any) -> str:
    klass = model.club_class
    return f"{klass.name} · {klass.kruzhok.title}" if klass is not None and klass.kruzhok is not None else "—"


class LessonSessionAdmin(ReadOnlyView, model=LessonSession):
    name = "Занятие"
    name_plural = "Расписание"
    icon = "fa-solid fa-calendar-days"
    identity = "lesson-session"
    column_list: ClassVar[list[Any]] = [LessonSession.starts_at, LessonSession.club_class, LessonSession.title_snapshot,
                                        LessonSession.duration_min, LessonSession.location, LessonSession.status]
    column_details_exclude_list: ClassVar[list[Any]] = [LessonSession.materials_snapshot]
    column_sortable_list: ClassVar[list[Any]] = [LessonSession.starts_at]
    column_default_sort: ClassVar[list[Any]] = [(LessonSession.starts_at, True)]
    column_filters: ClassVar[list[Any]] = [ChoiceFilter("day", "Дата", {"today": ("Сегодня", lambda: (
        work_queue.today_sessions_where(utcnow(), get_settings().default_timezone)))})]
    column_labels: ClassVar[dict[Any, str]] = {
        LessonSession.starts_at: "Начало", LessonSession.club_class: "Класс",
        LessonSession.program_lesson: "Урок программы",
        LessonSession.title_snapshot: "Тема", LessonSession.duration_min: "Длительность (мин)",
        LessonSession.location: "Место", LessonSession.status: "Статус", LessonSession.mentor_notes: "Заметки ментора",
        LessonSession.auto_send_quiz: "Тест после занятия",
        LessonSession.class_name_snapshot: "Класс (на момент занятия)",
        LessonSession.lesson_title_snapshot: "Урок (на момент занятия)",
        LessonSession.quiz_title_snapshot: "Тест (на момент занятия)", LessonSession.snapshot_at: "Снимок сделан",
    }
    column_formatters: ClassVar[dict[Any, Any]] = {LessonSession.status: status_formatter(SESSION_STYLES),
                                                   LessonSession.club_class: _class}
    column_formatters_detail: ClassVar[dict[Any, Any]] = column_formatters

    def list_query(self, request: Request) -> Any:
        return super().list_query(request).options(_WITH_CLUB)

    def details_query(self, request: Request) -> Any:
        return super().details_query(request).options(_WITH_CLUB)


_WITH_CLUB = selectinload(LessonSession.club_class).selectinload(ClubClass.kruzhok)
