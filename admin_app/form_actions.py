"""The back-office pattern for an action that needs a form (a reason, a file, options).

A view declares `FormAction`s. Each is shown as a modal dialog (closes on ×, Escape and a backdrop
click, clearing its inputs) — on the detail page as a button, and from the list's action menu as a
page with the dialog open. The dialog POSTs (with the CSRF token) to the view's handler, which
validates the fields and calls a core service; errors come back as flash messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.forms import parse_form
from admin_app.helpers import run_and_flash, safe_back
from core.clock import utcnow
from core.errors import field_error
from core.models import User
from core.settings import Settings
from core.storage import Storage
from core.wiring import settings_of, storage_of


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | textarea | file | checkbox | select | number
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    accept: str = ""
    default: str = ""


@dataclass(frozen=True)
class ActionCall:
    """What a form action's service gets: the open session, the admin, the row, the form values."""

    session: Session
    actor: User
    pk: str
    values: dict[str, Any]
    storage: Storage
    now: datetime
    settings: Settings


@dataclass(frozen=True)
class FormAction:
    name: str
    label: str
    title: str
    fields: tuple[Field, ...]
    submit_label: str
    # service(call) -> object; call.values holds str, bool or UploadFile (or None)
    service: Callable[[ActionCall], Any]
    success: str = "Готово"
    danger: bool = False
    positive: bool = False  # a green (btn-success) button, e.g. Одобрить
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def button_class(self) -> str:
        return "btn-danger" if self.danger else "btn-success" if self.positive else "btn-primary"

    @property
    def has_file(self) -> bool:
        return any(f.kind == "file" for f in self.fields)


def post_url(view: Any, request: Request, action: FormAction) -> str:
    return str(request.url_for("admin:index")).rstrip("/") + f"/{view.identity}/form-action/{action.name}"


async def parse_values(request: Request, action: FormAction) -> tuple[list[str], dict[str, Any]]:
    form = await parse_form(request, max_part_size=10 * 1024 * 1024)
    pks = [pk for pk in str(form.get("pks", "")).split(",") if pk][:500]
    values: dict[str, Any] = {}
    for f in action.fields:
        raw = form.get(f.name)
        if f.kind == "checkbox":
            values[f.name] = raw in ("on", "true", "1", "y")
            continue
        if f.kind == "file":
            has_file = isinstance(raw, UploadFile) and bool(raw.filename)
            values[f.name] = raw if has_file else None
            if f.required and not has_file:
                raise field_error(f.name, f"Выберите файл: «{f.label}»")
            continue
        text = str(raw or "").strip()
        if f.required and not text:
            raise field_error(f.name, f"Заполните поле «{f.label}»")
        if f.kind == "select" and text and text not in {v for v, _ in f.choices}:
            raise field_error(f.name, f"Недопустимое значение поля «{f.label}»")
        values[f.name] = text
    return pks, values


async def submit(view: Any, request: Request, action: FormAction) -> Response:
    """POST handler body: validate, call the service for each selected row, flash, redirect."""
    fallback = str(request.url_for("admin:list", identity=view.identity))
    back = safe_back(request, fallback)
    from sqladmin import Flash

    from core.errors import ServiceError

    try:
        pks, values = await parse_values(request, action)
        if not pks:
            raise field_error("pks", "Не выбрано ни одной записи")
    except ServiceError as error:
        Flash.error(request, error.message)
        return RedirectResponse(back, status_code=303)

    storage, settings = storage_of(request.app.state), settings_of(request.app.state)

    def call(session: Session, actor: User) -> None:
        now = utcnow()
        for pk in pks:
            action.service(ActionCall(session, actor, pk, values, storage, now, settings))

    return await run_and_flash(request, call, success=action.success, back=back)


async def render_page(view: Any, request: Request, action: FormAction, pks: list[str]) -> Response:
    """GET of the list action: a page with the dialog open; closing it returns to the list."""
    back = str(request.url_for("admin:list", identity=view.identity))
    return await view.templates.TemplateResponse(request, "s7/action_page.html", {
        "model_view": view, "action": action, "pks": pks, "post_url": post_url(view, request, action),
        "back_url": back, "title": action.title,
    })
