"""Back-office page «Диагностика медиа»: the media doctor for SUPPORT and ADMIN (SPEC §3)."""

from __future__ import annotations

from typing import Any

from sqladmin import BaseView, expose
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from admin_app.forms import parse_form
from admin_app.helpers import run_and_flash, run_service
from admin_app.views.video_upload import storage_of
from core.clock import utcnow
from core.errors import ServiceError
from core.models import Role
from core.services import media_check, media_doctor, media_scan_log

MAX_ROWS_SHOWN = 500
PAGE = "/admin/media-doctor"


def serve_media_of(request: Request) -> media_check.Serve:
    """The in-process GET of a media URL that the composition root (s7/app.py) hands to the admin."""
    serve: media_check.Serve = request.app.state.serve_media
    return serve


class MediaDoctorView(BaseView):
    name = "Диагностика медиа"
    icon = "fa-solid fa-stethoscope"
    identity = "media-doctor"

    def is_accessible(self, request: Request) -> bool:
        return request.session.get("role") in (Role.ADMIN, Role.SUPPORT)

    async def _render(self, request: Request, check: media_check.UrlCheck | None = None,
                      status: int = 200, prefill: str = "") -> Response:
        storage = storage_of(request)

        def load(session: Any, actor: Any) -> dict[str, Any]:
            report = media_doctor.scan(session, storage, actor=actor)
            media_scan_log.record_scan(session, report, actor=actor, now=utcnow())  # the home page reads it
            orphans = media_doctor.find_orphans(session, storage, actor=actor, now=utcnow())
            return {"report": report, "orphans": orphans}

        try:
            data = await run_service(request, load)
        except ServiceError as error:
            data = {"error": error.message}
        problems = data["report"].problems() if "report" in data else []
        context = {**data, "problems": problems[:MAX_ROWS_SHOWN], "problem_total": len(problems),
                   "labels": LABELS, "check": check, "prefill": prefill,
                   "is_admin": request.session.get("role") == Role.ADMIN}
        return await self.templates.TemplateResponse(request, "s7/media_doctor.html", context, status_code=status)

    # SQLAdmin gives a BaseView one identity and names its route after it, so the page and its three
    # POST operations share one route and an `op` form field.
    @expose("/media-doctor", methods=["GET", "POST"], identity="media-doctor")
    async def page(self, request: Request) -> Response:
        if request.method == "GET":  # ?url=… (from the header search) fills the check's field; POST runs it
            return await self._render(request, prefill=request.query_params.get("url", "").strip()[:2000])
        form = await parse_form(request)
        op = str(form.get("op", ""))
        storage = storage_of(request)
        if op == "check":
            url = str(form.get("url", "")).strip()[:2000]
            if not url:
                empty = media_check.UrlCheck(input="", verdict="Вставьте ссылку для проверки.")
                return await self._render(request, empty, 400)
            # The ranged GET runs before our transaction: on SQLite it would wait for our write lock.
            probe = await run_in_threadpool(media_check.probe_url, serve_media_of(request), url)
            try:
                result = await run_service(request, lambda s, a: media_check.check_url(
                    s, storage, url, actor=a, probe=probe))
            except ServiceError as error:
                result = media_check.UrlCheck(input=url, verdict=error.message)
            return await self._render(request, result)
        if op == "fix":
            return await run_and_flash(
                request, lambda s, a: media_doctor.fix_non_canonical(s, actor=a, now=utcnow()),
                success="Ссылки приведены к каноническому виду.", back=PAGE)
        if op == "purge":  # purge_orphans itself allows ADMIN only; its error is flashed
            return await run_and_flash(
                request, lambda s, a: media_doctor.purge_orphans(s, storage, actor=a, now=utcnow()),
                success="Файлы без ссылок удалены.", back=PAGE)
        return await self._render(request, media_check.UrlCheck(input="", verdict="Неизвестное действие."), 400)


LABELS = {"ok": "В порядке", "non_canonical": "Старый формат ссылки (исправимо)",
          "missing_object": "Файла нет в хранилище", "wrong_type": "Неверный тип файла",
          "empty": "Опубликовано без видео", "external": "Внешняя ссылка"}
