"""Кружки and Классы: browse, and admin edits of titles (through audited services). Join codes are shown."""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.requests import Request

from admin_app.archive import archive_actions
from admin_app.base_view import S7ModelView
from admin_app.helpers import run_service
from core.clock import utcnow
from core.models import ClubClass, Kruzhok
from core.services import classes, clubs


class KruzhokAdmin(S7ModelView, model=Kruzhok):
    name = "Кружок"
    name_plural = "Кружки"
    icon = "fa-solid fa-people-group"
    identity = "kruzhok"
    form_actions = archive_actions(Kruzhok)
    can_create = False
    can_delete = False
    column_list: ClassVar[list[Any]] = [Kruzhok.title, Kruzhok.owner, Kruzhok.timezone, Kruzhok.is_active,
                                        Kruzhok.created_at]
    column_searchable_list: ClassVar[list[Any]] = [Kruzhok.title]
    column_sortable_list: ClassVar[list[Any]] = [Kruzhok.title, Kruzhok.created_at]
    column_default_sort: ClassVar[list[Any]] = [(Kruzhok.created_at, True)]
    column_details_list: ClassVar[list[Any]] = [Kruzhok.id, Kruzhok.title, Kruzhok.description, Kruzhok.owner,
                                                Kruzhok.timezone, Kruzhok.is_active, Kruzhok.created_at,
                                                Kruzhok.classes]
    form_columns: ClassVar[list[Any]] = [Kruzhok.title, Kruzhok.description, Kruzhok.timezone, Kruzhok.is_active]
    column_labels: ClassVar[dict[Any, str]] = {
        Kruzhok.title: "Название", Kruzhok.owner: "Руководитель", Kruzhok.timezone: "Часовой пояс",
        Kruzhok.is_active: "Активен", Kruzhok.created_at: "Создан", Kruzhok.description: "Описание",
        Kruzhok.classes: "Классы",
    }

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        return await run_service(request, lambda s, actor: clubs.admin_edit_club(s, actor=actor, kruzhok_id=pk,
                                                                                 values=data, now=utcnow()))


class ClubClassAdmin(S7ModelView, model=ClubClass):
    name = "Класс"
    name_plural = "Классы"
    icon = "fa-solid fa-chalkboard-user"
    identity = "club-class"
    form_actions = archive_actions(ClubClass)
    can_create = False
    can_delete = False
    column_list: ClassVar[list[Any]] = [ClubClass.name, ClubClass.kruzhok, ClubClass.join_code, ClubClass.is_active,
                                        ClubClass.created_at]
    column_searchable_list: ClassVar[list[Any]] = [ClubClass.name, ClubClass.join_code]
    column_sortable_list: ClassVar[list[Any]] = [ClubClass.name, ClubClass.created_at]
    column_default_sort: ClassVar[list[Any]] = [(ClubClass.created_at, True)]
    form_columns: ClassVar[list[Any]] = [ClubClass.name, ClubClass.is_active]
    column_labels: ClassVar[dict[Any, str]] = {
        ClubClass.name: "Название", ClubClass.kruzhok: "Кружок", ClubClass.join_code: "Код вступления",
        ClubClass.is_active: "Активен", ClubClass.created_at: "Создан",
    }

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        return await run_service(request, lambda s, actor: classes.admin_edit_class(s, actor=actor, class_id=pk,
                                                                                    values=data, now=utcnow()))
