"""Back-office page «Сверка с выпиской» (ADMIN only; menu group Платежи in admin_app/menu.py):
upload → columns → results → approve all.

One route and an `op` form field, like the media doctor (SQLAdmin names a BaseView's route after its
identity). Every step calls `core.services.bank_statement`; nothing is decided here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqladmin import BaseView, Flash, expose
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.base_view import local_datetime
from admin_app.forms import parse_form
from admin_app.helpers import ACTION_FAILED, run_service, settings_of
from core.clock import utcnow
from core.errors import ServiceError
from core.models import Role, StatementLineStatus, User
from core.services import bank_statement, statement_parse

PAGE = "/admin/bank-statement"
T = TypeVar("T")
log = logging.getLogger(__name__)

SECTIONS = (  # (statuses, title, what the table shows)
    ((StatementLineStatus.MATCHED,), "Совпали: код и сумма заявки", "request"),
    ((StatementLineStatus.AMOUNT_MISMATCH,), "Код заявки, но другая сумма", "request"),
    ((StatementLineStatus.UNMATCHED, StatementLineStatus.INVALID), "Строки без совпадений", "line"),
    ((StatementLineStatus.APPROVED,), "Одобрено по выписке", "request"),
)


def _url(statement_id: str, *, columns: bool = False) -> str:
    return f"{PAGE}?statement={statement_id}" + ("&step=columns" if columns else "")


class BankStatementView(BaseView):
    name = "Сверка с выпиской"
    icon = "fa-solid fa-file-invoice-dollar"
    identity = "bank-statement"
    admin_only = True  # SUPPORT may not approve payments: the page is not theirs (403, not in the menu)

    def is_accessible(self, request: Request) -> bool:
        return request.session.get("role") == Role.ADMIN

    def is_visible(self, request: Request) -> bool:
        return self.is_accessible(request)

    @expose("/bank-statement", methods=["GET", "POST"], identity="bank-statement")
    async def page(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._render(request, request.query_params.get("statement"),
                                      columns_step=request.query_params.get("step") == "columns")
        form = await parse_form(request, max_part_size=64 * 1024)
        op = str(form.get("op", ""))
        if op == "upload":
            return await self._upload(request, form.get("file"))
        statement_id = str(form.get("statement", ""))[:64]
        if op == "match":
            columns = {c: str(form.get(c, ""))[:200] for c in bank_statement.COLUMNS}
            return await self._match(request, statement_id, columns)
        if op == "approve":
            return await self._approve(request, statement_id)
        return await self._render(request, None, error="Неизвестное действие.", status=400)

    async def _upload(self, request: Request, upload: Any) -> Response:
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._render(request, None, error="Выберите файл выписки (CSV или XLSX).", status=400)
        data = await upload.read(statement_parse.MAX_BYTES + 1)
        name = upload.filename
        result, error = await _attempt(request, lambda s, a: bank_statement.upload_statement(
            s, actor=a, file_name=name, data=data, now=utcnow()))
        if result is None:
            return await self._render(request, None, error=error, status=400)
        statement = result.statement
        if result.reused:
            Flash.info(request, f"Эта выписка уже загружалась {statement.created_at:%d.%m.%Y}: показаны её "
                                "результаты, повторно ничего не сохранено.")
        else:
            Flash.success(request, f"Выписка загружена, строк: {statement.line_count}. Выберите столбцы.")
        return RedirectResponse(_url(statement.id, columns=statement.matched_at is None), status_code=303)

    async def _match(self, request: Request, statement_id: str, columns: dict[str, str]) -> Response:
        report, error = await _attempt(request, lambda s, a: _match_and_report(s, a, statement_id, columns))
        if report is None:
            return await self._render(request, statement_id, columns_step=True, error=error, status=400,
                                      chosen=columns)
        matched, other = report.total(StatementLineStatus.MATCHED), report.total(StatementLineStatus.AMOUNT_MISMATCH)
        unmatched = report.total(StatementLineStatus.UNMATCHED, StatementLineStatus.INVALID)
        Flash.success(request, f"Сверка выполнена: совпало {matched}, другая сумма {other}, "
                               f"без совпадений {unmatched}.")
        return RedirectResponse(_url(statement_id), status_code=303)

    async def _approve(self, request: Request, statement_id: str) -> Response:
        timezone = settings_of(request).default_timezone
        result, error = await _attempt(request, lambda s, a: bank_statement.approve_matched(
            s, actor=a, statement_id=statement_id, now=utcnow(), timezone=timezone))
        if result is None:
            Flash.error(request, error)
        elif result.skipped:
            Flash.warning(request, f"Одобрено заявок: {result.approved}. Пропущено: {result.skipped} — уже "
                                   "обработаны (строки " + ", ".join(map(str, result.skipped_lines[:20])) + ").")
        else:
            Flash.success(request, f"Одобрено заявок: {result.approved}."
                          if result.approved else "Нет совпавших заявок, ожидающих одобрения: ничего не изменено.")
        return RedirectResponse(_url(statement_id) if statement_id else PAGE, status_code=303)

    async def _render(self, request: Request, statement_id: str | None, *, columns_step: bool = False,
                      error: str = "", status: int = 200, chosen: dict[str, str] | None = None) -> Response:
        def load(session: Session, actor: User) -> dict[str, Any]:
            statement = (bank_statement.get_statement(session, actor=actor, statement_id=statement_id)
                         if statement_id else bank_statement.latest_statement(session, actor=actor))
            context: dict[str, Any] = {"statement": statement,
                                       "recent": bank_statement.recent_statements(session, actor=actor)}
            if statement is None:
                return context
            context["columns"] = chosen or bank_statement.suggest_columns(session, actor=actor, statement=statement)
            if columns_step or statement.matched_at is None:
                context["preview"] = bank_statement.preview_lines(session, actor=actor, statement=statement)
            else:
                context["report"] = bank_statement.statement_report(session, actor=actor, statement_id=statement.id)
            return context

        try:
            context = await run_service(request, load)
        except ServiceError as failure:
            context, error, status = {"recent": []}, failure.message, 404
        context.update(error=error, page_url=PAGE, sections=SECTIONS,
                       column_labels=bank_statement.COLUMN_LABELS, amount_text=bank_statement.amount_text,
                       request_amount_text=bank_statement.request_amount_text, url=_url, local=local_datetime,
                       max_lines=f"{statement_parse.MAX_LINES:,}".replace(",", " "),
                       max_mb=statement_parse.MAX_BYTES // (1024 * 1024))
        return await self.templates.TemplateResponse(request, "s7/bank_statement.html", context, status_code=status)


def _match_and_report(session: Session, actor: User, statement_id: str,
                      columns: dict[str, str]) -> bank_statement.Report:
    bank_statement.match_statement(session, actor=actor, statement_id=statement_id, columns=columns, now=utcnow())
    session.flush()
    return bank_statement.statement_report(session, actor=actor, statement_id=statement_id)


async def _attempt(request: Request, call: Callable[[Session, User], T]) -> tuple[T | None, str]:
    """(the service's result, "") or (None, its Russian error); a failure below the services is logged, not shown."""
    try:
        return await run_service(request, call), ""
    except ServiceError as error:
        return None, error.message
    except Exception:
        log.exception("bank statement page: the service failed")
        return None, ACTION_FAILED
