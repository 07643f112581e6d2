"""Club records, read-only (history): windows of self check-in, absence-streak alerts, invitations.
Times in the club's time zone; every relationship a page shows is loaded up front (no per-row queries)."""

from __future__ import annotations

from typing import Any, ClassVar

from markupsafe import Markup
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload
from starlette.requests import Request

from admin_app.badges import status_formatter
from admin_app.base_view import ReadOnlyView
from admin_app.views.club_cells import DASH, class_title, class_zone, person, session_cell, session_zone, when
from admin_app.views.club_quizzes import session_loads
from core.models import AbsenceAlert, ClubClass, Invitation, InvitationKind, InvitationStatus, SessionCheckin

C, AA, IV = SessionCheckin, AbsenceAlert, Invitation


def _time(attr: str, zone: Any) -> Any:
    def cell(model: Any, _attr: Any) -> Markup:
        return when(getattr(model, attr), zone(model))

    return cell


class CheckinAdmin(ReadOnlyView, model=SessionCheckin):
    name = "Окно самоотметки"
    name_plural = "Самоотметка учеников"
    icon = "fa-solid fa-qrcode"
    identity = "session-checkin"
    column_list: ClassVar[list[Any]] = [C.lesson_session, C.opened_by, C.opened_at, C.closes_at]
    column_details_list: ClassVar[list[Any]] = [C.lesson_session, C.opened_by, C.opened_at, C.closes_at,
                                                C.updated_at, C.id, C.session_id, C.opened_by_id]
    column_export_list: ClassVar[list[Any]] = [C.id, C.session_id, C.opened_by_id, C.opened_at, C.closes_at]
    column_searchable_list: ClassVar[list[Any]] = ["opened_by.email"]
    column_sortable_list: ClassVar[list[Any]] = [C.opened_at, C.closes_at]
    column_default_sort: ClassVar[list[Any]] = [(C.opened_at, True)]
    column_labels: ClassVar[dict[Any, str]] = {
        C.lesson_session: "Занятие", C.opened_by: "Открыл", C.opened_at: "Открыто", C.closes_at: "Закрывается",
        C.updated_at: "Изменено", C.opened_by_id: "Открыл (ID)", "opened_by.email": "Эл. почта открывшего",
    }
    column_formatters: ClassVar[dict[Any, Any]] = {
        C.lesson_session: session_cell("lesson_session"), C.opened_by: lambda m, a: person(m.opened_by),
        **{attr: _time(attr.key, lambda m: session_zone(m.lesson_session))
           for attr in (C.opened_at, C.closes_at, C.updated_at)},
    }
    column_formatters_detail: ClassVar[dict[Any, Any]] = column_formatters

    def list_query(self, request: Request) -> Select:
        return select(C).options(session_loads(C.lesson_session), selectinload(C.opened_by))

    def details_query(self, request: Request) -> Select:
        return super().details_query(request).options(session_loads(C.lesson_session))


class AbsenceAlertAdmin(ReadOnlyView, model=AbsenceAlert):
    name = "Серия пропусков"
    name_plural = "Пропуски подряд"
    icon = "fa-solid fa-user-clock"
    identity = "absence-alert"
    column_list: ClassVar[list[Any]] = [AA.created_at, AA.student, AA.club_class, AA.missed, AA.first_session,
                                        AA.last_session]
    column_details_list: ClassVar[list[Any]] = [*column_list, AA.id, AA.student_id, AA.class_id,
                                                AA.first_session_id, AA.last_session_id]
    column_export_list: ClassVar[list[Any]] = [AA.id, AA.created_at, AA.student_id, AA.class_id, AA.missed,
                                               AA.first_session_id, AA.last_session_id]
    column_searchable_list: ClassVar[list[Any]] = ["student.email"]
    column_sortable_list: ClassVar[list[Any]] = [AA.created_at, AA.missed]
    column_default_sort: ClassVar[list[Any]] = [(AA.created_at, True)]
    column_labels: ClassVar[dict[Any, str]] = {
        AA.created_at: "Замечено", AA.student: "Ученик", AA.club_class: "Класс", AA.missed: "Пропущено подряд",
        AA.first_session: "Первый пропуск", AA.last_session: "Последний пропуск",
        AA.first_session_id: "Первый пропуск (ID)", AA.last_session_id: "Последний пропуск (ID)",
        "student.email": "Эл. почта ученика",
    }
    column_formatters: ClassVar[dict[Any, Any]] = {
        AA.created_at: _time("created_at", lambda m: class_zone(m.club_class)),
        AA.student: lambda m, a: person(m.student), AA.club_class: lambda m, a: class_title(m.club_class),
        AA.first_session: session_cell("first_session"), AA.last_session: session_cell("last_session"),
    }
    column_formatters_detail: ClassVar[dict[Any, Any]] = column_formatters

    def _loads(self) -> list[Any]:
        return [selectinload(AA.student), selectinload(AA.club_class).selectinload(ClubClass.kruzhok),
                session_loads(AA.first_session), session_loads(AA.last_session)]

    def list_query(self, request: Request) -> Select:
        return select(AA).options(*self._loads())

    def details_query(self, request: Request) -> Select:
        return super().details_query(request).options(*self._loads())


INVITATION_STYLES = {InvitationStatus.PENDING: ("Ожидает ответа", "bg-yellow"),
                     InvitationStatus.ACCEPTED: ("Принято", "bg-green"),
                     InvitationStatus.DECLINED: ("Отклонено", "bg-secondary")}
INVITATION_KINDS = {InvitationKind.STUDENT: "Ученик в класс", InvitationKind.MENTOR: "Ментор кружка"}


def _invitation_zone(model: Invitation) -> str:
    return model.kruzhok.timezone


class InvitationAdmin(ReadOnlyView, model=Invitation):
    name = "Приглашение"
    name_plural = "Приглашения"
    icon = "fa-solid fa-envelope-open-text"
    identity = "invitation"
    column_list: ClassVar[list[Any]] = [IV.status, IV.kind, IV.email, IV.kruzhok, IV.club_class, IV.invited_by,
                                        IV.created_at, IV.decided_at]
    column_details_list: ClassVar[list[Any]] = [*column_list, IV.user, IV.id, IV.kruzhok_id, IV.class_id,
                                                IV.invited_by_id, IV.user_id, IV.target_id]
    column_export_list: ClassVar[list[Any]] = [IV.id, IV.status, IV.kind, IV.email, IV.kruzhok_id, IV.class_id,
                                               IV.invited_by_id, IV.user_id, IV.created_at, IV.decided_at]
    column_searchable_list: ClassVar[list[Any]] = [IV.email]
    column_sortable_list: ClassVar[list[Any]] = [IV.created_at, IV.decided_at]
    column_default_sort: ClassVar[list[Any]] = [(IV.created_at, True)]
    column_labels: ClassVar[dict[Any, str]] = {
        IV.status: "Статус", IV.kind: "Кого приглашают", IV.email: "Кого (эл. почта)", IV.kruzhok: "Кружок",
        IV.club_class: "Класс", IV.invited_by: "Пригласил", IV.created_at: "Отправлено", IV.decided_at: "Ответ",
        IV.user: "Приглашённый", IV.invited_by_id: "Пригласил (ID)", IV.user_id: "Приглашённый (ID)",
        IV.target_id: "Класс или кружок (ID)",
    }
    column_formatters: ClassVar[dict[Any, Any]] = {
        IV.status: status_formatter(INVITATION_STYLES),
        IV.kind: lambda m, a: INVITATION_KINDS.get(m.kind, m.kind),
        IV.kruzhok: lambda m, a: m.kruzhok.title, IV.club_class: lambda m, a: DASH if m.club_class is None
        else m.club_class.name,
        IV.invited_by: lambda m, a: person(m.invited_by), IV.user: lambda m, a: person(m.user, m.email),
        IV.created_at: _time("created_at", _invitation_zone), IV.decided_at: _time("decided_at", _invitation_zone),
    }
    column_formatters_detail: ClassVar[dict[Any, Any]] = column_formatters

    def _loads(self) -> list[Any]:
        return [selectinload(IV.kruzhok), selectinload(IV.club_class), selectinload(IV.invited_by),
                selectinload(IV.user)]

    def list_query(self, request: Request) -> Select:
        return select(IV).options(*self._loads())

    def details_query(self, request: Request) -> Select:
        return super().details_query(request).options(*self._loads())
