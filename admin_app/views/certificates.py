"""Сертификаты (the seed's Tab 2): pending first with the student's card; Выдать (upload / URL /
«Сгенерировать», notes, «Отправить на email»), Отклонить and Отозвать with a reason, Перевыпустить —
all through the same services as the API. SUPPORT sees the list read-only."""

from __future__ import annotations

from typing import Any, ClassVar

from markupsafe import Markup
from sqladmin import expose
from sqlalchemy import case
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from admin_app import decision
from admin_app.base_view import S7ModelView
from admin_app.filters import status_filter
from admin_app.form_actions import ActionCall, Field, FormAction
from admin_app.helpers import run_service
from core.clock import utcnow
from core.errors import ServiceError
from core.models import CertificateRequest, CertificateStatus
from core.services import certificate_queries as queries
from core.services import certificates

STATUS_LABELS = {CertificateStatus.PENDING: "Ожидает", CertificateStatus.SENT: "Выдан",
                 CertificateStatus.DENIED: "Отклонён", CertificateStatus.REVOKED: "Отозван"}
STATUS_BADGES = {CertificateStatus.PENDING: "bg-yellow", CertificateStatus.SENT: "bg-green",
                 CertificateStatus.DENIED: "bg-red", CertificateStatus.REVOKED: "bg-secondary"}


def _site(call: ActionCall) -> certificates.Site:
    return certificates.Site(base_url=call.settings.public_base_url, timezone=call.settings.default_timezone)


def _document(call: ActionCall) -> certificates.CertificateDocument:
    upload = call.values.get("file")
    pdf, name = None, None
    if upload is not None:
        upload.file.seek(0)  # the same upload serves every selected row
        pdf, name = upload.file.read(certificates.MAX_PDF_BYTES + 1), upload.filename
    return certificates.CertificateDocument(pdf=pdf, filename=name, url=call.values.get("certificate_url") or None,
                                            generate=bool(call.values.get("generate")),
                                            notes=call.values.get("notes") or None,
                                            send_email=bool(call.values.get("send_email")))


def _issue(call: ActionCall) -> Any:
    return certificates.issue_certificate(call.session, call.storage, request_id=call.pk, actor=call.actor,
                                          document=_document(call), now=call.now, site=_site(call))


def _reissue(call: ActionCall) -> Any:
    return certificates.reissue_certificate(call.session, call.storage, request_id=call.pk, actor=call.actor,
                                            document=_document(call), now=call.now, site=_site(call))


DOCUMENT_FIELDS = (
    Field("generate", "Сгенерировать сертификат автоматически (PDF с QR-кодом)", kind="checkbox"),
    Field("file", "…или загрузить PDF", kind="file", accept="application/pdf,.pdf", help="До 10 МБ"),
    Field("certificate_url", "…или ссылка на сертификат", help="https://… (если файл лежит в другом месте)"),
    Field("notes", "Заметка администратора", kind="textarea"),
    Field("send_email", "Отправить на email", kind="checkbox", default="on"),
)
PREVIEW = ("preview", "Предпросмотр сгенерированного сертификата (PDF)")
ISSUE = FormAction(name="issue", label="Выдать", title="Выдать сертификат", fields=DOCUMENT_FIELDS,
                   submit_label="Выдать", success="Сертификат отправлен", service=_issue,
                   extra={"link": PREVIEW})
DENY = FormAction(
    name="deny", label="Отклонить", title="Отклонить запрос на сертификат",
    fields=(Field("reason", "Причина отклонения", kind="textarea", required=True,
                  help="Ученик увидит: «Запрос на сертификат отклонен. Причина: …»"),),
    submit_label="Отклонить", danger=True, success="Запрос отклонён",
    service=lambda c: certificates.deny_certificate(c.session, request_id=c.pk, actor=c.actor,
                                                    reason=c.values["reason"], now=c.now))
REVOKE = FormAction(
    name="revoke", label="Отозвать", title="Отозвать сертификат",
    fields=(Field("reason", "Причина отзыва", kind="textarea", required=True,
                  help="Проверка по QR-коду будет показывать, что сертификат отозван"),),
    submit_label="Отозвать", danger=True, success="Сертификат отозван",
    service=lambda c: certificates.revoke_certificate(c.session, request_id=c.pk, actor=c.actor,
                                                      reason=c.values["reason"], now=c.now))
REISSUE = FormAction(name="reissue", label="Перевыпустить", title="Перевыпустить сертификат",
                     fields=DOCUMENT_FIELDS, submit_label="Перевыпустить", service=_reissue,
                     success="Сертификат перевыпущен, прежний отозван", extra={"link": PREVIEW})
BY_STATUS = {CertificateStatus.PENDING: ("issue", "deny"), CertificateStatus.SENT: ("revoke", "reissue"),
             CertificateStatus.REVOKED: ("reissue",), CertificateStatus.DENIED: ()}


def _student(model: CertificateRequest, _attr: Any) -> Markup:
    user = model.user
    if user is None:
        return Markup("—")
    return Markup("<b>{}</b><br>{}<br><small class='text-secondary'>XP сейчас: {}</small>").format(
        user.full_name, user.email, user.experience_points)


def _status(model: CertificateRequest, _attr: Any) -> Markup:
    return Markup("<span class='badge {} text-white'>{}</span>").format(
        STATUS_BADGES.get(CertificateStatus(model.status), "bg-secondary"),
        STATUS_LABELS.get(CertificateStatus(model.status), model.status))


class CertificateRequestAdmin(S7ModelView, model=CertificateRequest):
    name = "Сертификат"
    name_plural = "Заявки на сертификат"
    icon = "fa-solid fa-award"
    identity = "certificate-request"
    form_actions = (ISSUE, DENY, REVOKE, REISSUE)
    can_create = False
    can_edit = False
    can_delete = False
    column_list: ClassVar[list[Any]] = [CertificateRequest.status, CertificateRequest.user,
                                        CertificateRequest.total_xp, CertificateRequest.kruzhok,
                                        CertificateRequest.task_description, CertificateRequest.created_at,
                                        CertificateRequest.issued_at]
    column_details_list: ClassVar[list[Any]] = [*column_list, CertificateRequest.threshold_xp,
                                                CertificateRequest.certificate_url, CertificateRequest.notes,
                                                CertificateRequest.denial_reason]
    column_sortable_list: ClassVar[list[Any]] = [CertificateRequest.created_at, CertificateRequest.status,
                                                 CertificateRequest.total_xp]
    column_filters: ClassVar[list[Any]] = [status_filter(CertificateRequest.status, {
        status: (label, STATUS_BADGES[status]) for status, label in STATUS_LABELS.items()})]
    column_labels: ClassVar[dict[Any, str]] = {
        CertificateRequest.status: "Статус", CertificateRequest.user: "Ученик", CertificateRequest.total_xp: "XP",
        CertificateRequest.kruzhok: "Кружок / курс", CertificateRequest.task_description: "Что выполнено",
        CertificateRequest.created_at: "Запрос от", CertificateRequest.issued_at: "Выдан",
        CertificateRequest.threshold_xp: "Порог XP", CertificateRequest.certificate_url: "Сертификат",
        CertificateRequest.notes: "Заметка", CertificateRequest.denial_reason: "Причина отклонения",
    }
    column_formatters: ClassVar[dict[Any, Any]] = {
        CertificateRequest.user: _student,
        CertificateRequest.status: _status,
        CertificateRequest.kruzhok: lambda m, a: m.kruzhok.title if m.kruzhok is not None else "—",
    }
    column_formatters_detail: ClassVar[dict[Any, Any]] = {
        **column_formatters,
        CertificateRequest.certificate_url: lambda m, a: Markup(
            "<a href='/admin/certificate-request/file/{}' target='_blank' rel='noopener'>Открыть</a>"
        ).format(m.id) if m.certificate_url else "—",
    }

    def decision_card(self, request: Request, obj: Any) -> Markup | None:
        user = obj.user
        who = Markup("{}<br><small>{}</small>").format(user.full_name, user.email) if user else None
        return decision.card("Заявка на сертификат", _status(obj, None), [
            ("Кто", who), ("XP", f"{obj.total_xp} (порог {obj.threshold_xp})"),
            ("Кружок", obj.kruzhok.title if obj.kruzhok is not None else None),
            ("Что выполнено", obj.task_description),
            ("Запрос от", decision.since(obj.created_at, waiting=obj.status == CertificateStatus.PENDING)),
        ])

    def visible_form_actions(self, request: Request, obj: Any = None) -> list[FormAction]:
        """Only the actions the request's status allows (the service would answer 409 to the others)."""
        actions = super().visible_form_actions(request, obj)
        if obj is None:
            return actions
        allowed = BY_STATUS.get(obj.status, ())
        return [a for a in actions if a.name in allowed]

    def form_action_link(self, request: Request, action: FormAction, pk: str) -> str:
        path, _label = action.extra["link"]
        return str(request.url_for("admin:index")).rstrip("/") + f"/{self.identity}/{path}/{pk}"

    def sort_query(self, stmt: Any, request: Request) -> Any:
        if request.query_params.get("sortBy"):
            return super().sort_query(stmt, request)
        pending_first = case((CertificateRequest.status == CertificateStatus.PENDING, 0), else_=1)
        return stmt.order_by(pending_first, CertificateRequest.created_at.desc(), CertificateRequest.id)

    @expose("/preview/{pk}", methods=["GET"])
    async def preview(self, request: Request) -> Response:
        """The PDF «Сгенерировать» would issue, marked as a sample (admins only; nothing stored)."""
        pk = request.path_params["pk"]

        def render(session: Any, actor: Any) -> bytes:
            settings = request.app.state.settings
            site = certificates.Site(base_url=settings.public_base_url, timezone=settings.default_timezone)
            return queries.preview_certificate(session, actor=actor, request_id=pk, now=utcnow(), site=site)

        try:
            data = await run_service(request, render)
        except ServiceError as error:
            return PlainTextResponse(error.message, status_code=error.http_status)
        return Response(data, media_type="application/pdf", headers={
            "Content-Disposition": 'inline; filename="certificate-preview.pdf"', "Cache-Control": "no-store"})

    @expose("/file/{pk}", methods=["GET"])
    async def file(self, request: Request) -> Response:
        """The request's current certificate (admins only)."""
        pk = request.path_params["pk"]
        try:
            found = await run_service(request, lambda s, actor: queries.certificate_file(s, actor=actor,
                                                                                          request_id=pk))
        except ServiceError as error:
            return PlainTextResponse(error.message, status_code=error.http_status)
        if found.key is None:
            from starlette.responses import RedirectResponse

            return RedirectResponse(str(found.url), status_code=302)
        data = await run_in_threadpool(request.app.state.storage.read_bytes, found.key, private=True)
        return Response(data, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="{found.filename}"', "Cache-Control": "no-store"})
