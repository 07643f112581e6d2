"""The base of every back-office model view: Russian defaults and form actions (modal dialogs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqladmin import Flash, ModelView, action, expose
from sqladmin.authorization import custom_action
from sqladmin.formatters import BASE_FORMATTERS
from sqlalchemy import Select, func, select
from sqlalchemy.sql.selectable import Subquery
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from wtforms import Form

from admin_app import form_actions
from admin_app.export import export_csv
from admin_app.form_actions import FormAction
from admin_app.helpers import guard_save, run_service
from admin_app.labels import DEFAULT_LABELS
from core.clock import utcnow
from core.errors import Forbidden, ServiceError
from core.services import deletion
from core.settings import get_settings


def zone_label(moment: datetime) -> str:
    """The UTC offset of a local time as staff read it: "UTC+5", "UTC+5:30", "UTC"."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    if minutes == 0:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "−"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def local_datetime(value: datetime, timezone: str | None = None) -> Markup:
    """Timestamps in the platform's (or the given club's) time zone, with the zone shown (UTC in the tooltip)."""
    zone = ZoneInfo(timezone or get_settings().default_timezone)
    local = value.astimezone(zone)
    return Markup('<span title="{} UTC">{} <small class="text-secondary">{}</small></span>').format(
        f"{value:%Y-%m-%d %H:%M:%S}", f"{local:%d.%m.%Y %H:%M}", zone_label(local))


TECHNICAL_FIELDS = frozenset({"id", "token_version", "password_hash", "revision"})
DATE_FORMATTERS = {**BASE_FORMATTERS, datetime: local_datetime}


class RussianForm(Form):
    """Base of every back-office form: WTForms' own messages ("This field is required", "Not a valid
    integer value") in Russian, from the translations WTForms ships."""

    class Meta:
        locales = ("ru_RU", "ru")


def _list_action(form_action: FormAction) -> Any:
    async def page(self: S7ModelView, request: Request) -> Response:
        return await self.form_action_page(request, form_action.name)

    return action(form_action.name, form_action.label, add_in_detail=False)(page)


class S7ModelView(ModelView):
    form_actions: ClassVar[tuple[FormAction, ...]] = ()
    form_base_class = RussianForm
    column_type_formatters: ClassVar[dict[Any, Any]] = DATE_FORMATTERS
    column_type_formatters_detail: ClassVar[dict[Any, Any]] = DATE_FORMATTERS
    details_template = "s7/details.html"
    page_size = 50
    page_size_options: ClassVar[list[int]] = [25, 50, 100]
    can_export = True

    def decision_card(self, request: Request, obj: Any) -> Markup | None:
        """The summary a decision needs (who, what, how much, since when), shown at the top of the details
        page next to the actions. None: the page shows the row's title instead."""
        return None

    def row_title(self, obj: Any) -> str:
        return str(obj)

    @staticmethod
    def split_details(names: list[str]) -> tuple[list[str], list[str]]:
        """The details fields, and the technical ones (ids, keys) that the page collapses."""
        tech = [n for n in names if n in TECHNICAL_FIELDS or n.endswith(("_id", "_key"))]
        return [n for n in names if n not in tech], tech

    def __init__(self) -> None:
        super().__init__()
        # Every column gets a Russian label: the view's own, else the shared one (admin_app/labels.py).
        for name in self._prop_names:
            if name not in self._column_labels and name in DEFAULT_LABELS:
                self._column_labels[name] = DEFAULT_LABELS[name]
        # A foreign key the view labels through its relationship: "Урок программы (ID)".
        for name in self._prop_names:
            related = name.removesuffix("_id")
            if name not in self._column_labels and name != related and related in self._column_labels:
                self._column_labels[name] = f"{self._column_labels[related]} (ID)"
        self._column_labels_value_by_key = {v: k for k, v in self._column_labels.items()}

    async def export_data(self, data: list[Any], export_type: str = "csv",
                          request: Request | None = None) -> StreamingResponse:
        """CSV cells that a spreadsheet would run as formulas are neutralised (core/csv_export.py)."""
        if export_type == "csv":
            return export_csv(self, data, request)
        return await super().export_data(data, export_type, request)

    async def count(self, request: Request, stmt: Select | None = None) -> int:
        # SQLAdmin counts `SELECT count(*) FROM (<the sorted list query>)`: the ORDER BY inside makes
        # the database sort (or walk an index over) every row just to count them — 30 ms per page
        # at 100 000 rows on SQLite. Counting does not need an order.
        if stmt is not None:
            froms = stmt.get_final_froms()
            if len(froms) == 1 and isinstance(froms[0], Subquery) and isinstance(froms[0].element, Select):
                stmt = select(func.count()).select_from(froms[0].element.order_by(None).subquery())
        return await super().count(request, stmt)

    async def insert_model(self, request: Request, data: dict) -> Any:
        """No generic save path: an editable view saves through its domain's service (it overrides this)."""
        raise Forbidden("Создание записей этого вида недоступно")

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        """No generic save path: an editable view saves through its domain's service (it overrides this)."""
        raise Forbidden("Изменение записей этого вида недоступно")

    async def delete_model(self, request: Request, pk: Any) -> None:
        """Every back-office delete goes through the deletion service (audited in its transaction): a
        row with history below it is refused with the service's Russian message, never a DB error."""
        try:
            await run_service(request, lambda s, actor: deletion.delete_row(
                s, actor=actor, model=self.model, pk=str(pk), now=utcnow()))
        except ServiceError as error:
            Flash.error(request, error.message)
        else:
            Flash.success(request, "Запись удалена")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Each form action also appears in the list's action menu: a GET that only shows its dialog.
        Every save/delete a view defines gets the database-error guard (`guard_save`)."""
        super().__init_subclass__(**kwargs)
        _guard_saves(cls)
        for form_action in cls.__dict__.get("form_actions", ()):
            setattr(cls, f"form_action_page_{form_action.name}", _list_action(form_action))

    def _form_action(self, name: str) -> FormAction | None:
        return next((a for a in self.form_actions if a.name == name), None)

    def visible_form_actions(self, request: Request, obj: Any = None) -> list[FormAction]:
        return [a for a in self.form_actions if self.has_permission(request, custom_action(a.name))]

    def form_action_url(self, request: Request, action: FormAction) -> str:
        return form_actions.post_url(self, request, action)

    async def form_action_page(self, request: Request, name: str) -> Response:
        action = self._form_action(name)
        assert action is not None
        from admin_app.helpers import pks_of

        return await form_actions.render_page(self, request, action, pks_of(request))

    @expose("/form-action/{name}", methods=["POST"])
    async def form_action_submit(self, request: Request) -> Response:
        action = self._form_action(request.path_params["name"])
        if action is None or not self.has_permission(request, custom_action(action.name)):
            from starlette.exceptions import HTTPException

            raise HTTPException(status_code=403)
        return await form_actions.submit(self, request, action)


def _guard_saves(cls: type) -> None:
    for name in ("insert_model", "update_model", "delete_model"):
        method = cls.__dict__.get(name)
        if method is not None and not getattr(method, "is_guarded", False):
            setattr(cls, name, guard_save(method))


_guard_saves(S7ModelView)


class ReadOnlyView(S7ModelView):
    """History and logs: browse, search, export — no create, edit or delete route works for anyone."""

    can_create = False
    can_edit = False
    can_delete = False
