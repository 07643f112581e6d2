"""«Поиск» in the header of every back-office page (ADMIN and SUPPORT): core/services/admin_search.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqladmin import BaseView, expose
from starlette.requests import Request
from starlette.responses import Response

from admin_app.helpers import run_service
from core.models import Role
from core.services import admin_search


class SearchView(BaseView):
    name = "Поиск"
    icon = "fa-solid fa-magnifying-glass"
    identity = "search"
    category = "Система"

    def is_accessible(self, request: Request) -> bool:
        return request.session.get("role") in (Role.ADMIN, Role.SUPPORT)

    def is_visible(self, request: Request) -> bool:
        return False  # the box in the header, not a menu entry

    @expose("/search", methods=["GET"], identity="search")
    async def page(self, request: Request) -> Response:
        text = str(request.query_params.get("q", ""))[: admin_search.MAX_QUERY]
        hits = await run_service(request, lambda s, actor: admin_search.search(s, text, actor=actor))
        rows: list[dict[str, Any]] = [
            {"label": h.label,
             "url": f"/admin/media-doctor?url={quote(text)}" if h.kind == "media"
             else f"/admin/{h.identity}/details/{h.pk}"} for h in hits]
        return await self.templates.TemplateResponse(request, "s7/search.html", {"q": text, "rows": rows})
