"""Back-office page «Отчёты»: the three club reports across all clubs (SPEC §12, §13), with exports.

One route (SQLAdmin names a BaseView's route after its identity): GET shows the page (or, with
`lookup`, the JSON choices of a filter select); POST downloads the CSV/PDF export of the same report.
ADMIN only (SPEC §12: reports across clubs are the admins'; SUPPORT gets 403); the filters, the reports and the
exports are the core services the club API uses. A bad filter is shown on the page (400), never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqladmin import BaseView, expose
from sqladmin.flash import Flash
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from admin_app.forms import parse_form
from admin_app.helpers import run_service, settings_of
from core.clock import local_date, utcnow
from core.errors import ServiceError
from core.models import Role
from core.services import report_options, reports
from core.services.report_filters import FILTER_KEYS, ReportView, parse_view

PAGE = "/admin/reports"
PER_PAGE = 50
DEFAULT_DAYS = 30
MAX_OFFSET = 1_000_000
VIEW_LABELS = {ReportView.LESSONS: "История занятий", ReportView.STUDENTS: "Прогресс учеников",
               ReportView.QUIZZES: "Аналитика тестов"}
STATUS_RU = {"present": "Присутствовал", "late": "Опоздал", "absent": "Отсутствовал", "excused": "Уважительная"}


def _raw_filters(params: Mapping[str, Any]) -> dict[str, str]:
    """The report filters present in the request (empty ones dropped), as the services read them."""
    return {key: str(params[key]) for key in FILTER_KEYS if params.get(key)}


def _page_filters(params: Mapping[str, Any], tz: str) -> dict[str, str]:
    """The page's filters; opened without any date field (the menu link), it shows the last
    DEFAULT_DAYS days: the whole history of every club is a deliberate choice (clear the dates),
    not the first screen (seconds at a million marks, bench/RESULTS.md)."""
    raw = _raw_filters(params)
    if "from" not in params and "to" not in params:
        today = local_date(utcnow(), tz)
        raw = {"from": (today - timedelta(days=DEFAULT_DAYS)).isoformat(), "to": today.isoformat(), **raw}
    return raw


def _club(params: Mapping[str, Any]) -> str | None:
    value = params.get("kruzhokId")
    return str(value) if value else None


def _with_club(raw: Mapping[str, str], club_id: str | None) -> dict[str, str]:
    return {**raw, "kruzhokId": club_id} if club_id else dict(raw)


def _offset(params: Mapping[str, Any]) -> int:
    try:
        return max(0, min(int(str(params.get("offset", "0"))), MAX_OFFSET))
    except ValueError:
        return 0


def query_of(view: str, club_id: str | None, raw: Mapping[str, str], **extra: Any) -> str:
    """A link to the page with these filters (the dates always present, empty when cleared)."""
    params = {"view": view, "from": raw.get("from", ""), "to": raw.get("to", ""),
              **({"kruzhokId": club_id} if club_id else {}), **raw, **extra}
    return f"{PAGE}?{urlencode(params)}"


class ReportsView(BaseView):
    name = "Отчёты по кружкам"
    category = "Отчёты"
    category_icon = "fa-solid fa-chart-column"
    icon = "fa-solid fa-table-list"
    identity = "reports"
    admin_only = True  # the cross-club reports are the admins' (SPEC §12): 403 for SUPPORT, not in their menu

    def is_accessible(self, request: Request) -> bool:
        # Reports across clubs are the admins' (SPEC §12): SUPPORT does not see the page (403).
        return request.session.get("role") == Role.ADMIN

    @expose("/reports", methods=["GET", "POST"], identity="reports")
    async def page(self, request: Request) -> Response:
        if request.method == "POST":
            return await self._export(request)
        if "lookup" in request.query_params:
            return await self._lookup(request)
        return await self._render(request)

    async def _lookup(self, request: Request) -> Response:
        params = request.query_params
        try:
            options = await run_service(request, lambda s, a: report_options.search_options(
                s, actor=a, kind=params.get("lookup"), query=params.get("q", ""), club_id=_club(params)))
        except ServiceError as error:
            return JSONResponse({"error": {"code": error.code, "message": error.message}}, status_code=400)
        return JSONResponse({"results": [{"id": o.id, "text": o.label} for o in options]})

    async def _render(self, request: Request) -> Response:
        params = request.query_params
        tz = settings_of(request).default_timezone
        raw, club_id, offset = _page_filters(params, tz), _club(params), _offset(params)
        view_value = params.get("view") or ReportView.LESSONS.value

        def load(session: Any, actor: Any) -> dict[str, Any]:
            view = parse_view(view_value)
            chosen = report_options.chosen_labels(session, club_id=club_id, raw=raw)
            table = reports.admin_report(session, actor=actor, view=view, raw=_with_club(raw, club_id),
                                         default_timezone=tz, limit=PER_PAGE, offset=offset)
            return {"view": view.value, "table": table, "chosen": chosen}

        status, context = 200, {}
        try:
            context = await run_service(request, load)
        except ServiceError as error:
            status = 400
            fields = (error.details or {}).get("fields") or []
            context = {"error": error.message, "error_fields": [f.get("message", "") for f in fields]}
            try:
                context["chosen"] = await run_service(request, lambda s, a: report_options.chosen_labels(
                    s, club_id=club_id, raw=raw))
            except ServiceError:
                context["chosen"] = {}
        view = context.get("view", view_value if view_value in VIEW_LABELS else ReportView.LESSONS.value)
        context.update({"view": view, "views": VIEW_LABELS, "raw": raw, "club_id": club_id, "offset": offset,
                        "per_page": PER_PAGE, "status_ru": STATUS_RU, "page_url": PAGE,
                        "tab_url": lambda v: query_of(v, club_id, raw),
                        "page_link": lambda o: query_of(view, club_id, raw, offset=o)})
        return await self.templates.TemplateResponse(request, "s7/reports.html", context, status_code=status)

    async def _export(self, request: Request) -> Response:
        form = await parse_form(request)
        raw, club_id = _raw_filters(form), _club(form)
        view_value, format_value = str(form.get("view", "")), str(form.get("format", ""))
        tz = settings_of(request).default_timezone

        def build(session: Any, actor: Any) -> reports.ExportFile:
            return reports.admin_export(session, actor=actor, view=view_value, fmt=format_value,
                                        raw=_with_club(raw, club_id), default_timezone=tz, now=utcnow())

        try:
            file = await run_service(request, build)
        except ServiceError as error:
            Flash.error(request, error.message)
            back = query_of(view_value if view_value in VIEW_LABELS else ReportView.LESSONS.value, club_id, raw)
            return RedirectResponse(back, status_code=303)
        return Response(file.content, media_type=file.content_type,
                        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})
