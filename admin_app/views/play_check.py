"""Back-office page «Почему не воспроизводится?» (ADMIN and SUPPORT; menu group Система): a user and a
lesson, ByteSize video or program material in; the checks and the single fix out, from
`core.services.play_diagnosis` (the API's own access rules + the media doctor's URL check)."""

from __future__ import annotations

import logging
from typing import Any

from sqladmin import BaseView, expose
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from admin_app.forms import parse_form
from admin_app.helpers import ACTION_FAILED, run_service
from admin_app.views.media_doctor import serve_media_of
from admin_app.views.video_upload import storage_of
from core.clock import utcnow
from core.errors import ServiceError
from core.models import Role
from core.services import media_check, play_diagnosis

log = logging.getLogger(__name__)


class PlayCheckView(BaseView):
    name = "Почему не воспроизводится?"
    icon = "fa-solid fa-circle-question"
    identity = "play-check"

    def is_accessible(self, request: Request) -> bool:
        return request.session.get("role") in (Role.ADMIN, Role.SUPPORT)

    @expose("/play-check", methods=["GET", "POST"], identity="play-check")
    async def page(self, request: Request) -> Response:
        if request.method == "GET":
            form = {k: str(request.query_params.get(k, ""))[:300] for k in ("user", "kind", "item")}
            return await self._render(request, form)
        posted = await parse_form(request)
        form = {k: str(posted.get(k, ""))[:300] for k in ("user", "kind", "item")}
        storage = storage_of(request)
        try:
            url = await run_service(request, lambda s, a: play_diagnosis.media_url(
                s, actor=a, kind=form["kind"], item_id=form["item"]))
            # The ranged GET runs outside any transaction: on SQLite it would wait for our write lock.
            probe = await run_in_threadpool(media_check.probe_url, serve_media_of(request), url) if url else None
            result = await run_service(request, lambda s, a: play_diagnosis.diagnose(
                s, storage, actor=a, user_ref=form["user"], kind=form["kind"], item_id=form["item"], now=utcnow(),
                probe=probe))
        except ServiceError as error:
            return await self._render(request, form, error=error.message, status=400)
        except Exception:  # a database/driver error or a bug: logged, never shown
            log.exception("play check failed")
            return await self._render(request, form, error=ACTION_FAILED, status=400)
        return await self._render(request, form, result=result)

    async def _render(self, request: Request, form: dict[str, str], *, result: Any = None, error: str = "",
                      status: int = 200) -> Response:
        context = {"form": form, "result": result, "error": error, "kinds": play_diagnosis.KIND_LABELS}
        return await self.templates.TemplateResponse(request, "s7/play_check.html", context, status_code=status)
