"""Платежи: course purchases, pending first; Одобрить / Отклонить call the same services as the API."""

from __future__ import annotations

from typing import Any, ClassVar

from markupsafe import Markup
from sqladmin import expose
from sqlalchemy import case
from starlette.requests import Request
from starlette.responses import Response

from admin_app import decision
from admin_app.badges import status_formatter
from admin_app.base_view import S7ModelView
from admin_app.filters import status_filter
from admin_app.form_actions import Field, FormAction
from admin_app.payment_proof import proof_cell, serve_proof
from core.models import Purchase, PurchaseStatus
from core.services import purchases

STATUS_STYLES = {PurchaseStatus.PENDING: ("Ожидает", "bg-yellow"), PurchaseStatus.APPROVED: ("Одобрена", "bg-green"),
                 PurchaseStatus.REJECTED: ("Отклонена", "bg-red")}
STATUS_LABELS = {status: label for status, (label, _colour) in STATUS_STYLES.items()}

APPROVE = FormAction(
    name="approve", label="Одобрить", title="Одобрить оплату курса", fields=(),
    submit_label="Одобрить", positive=True, success="Оплата одобрена: ученик записан на курс",
    service=lambda c: purchases.approve_purchase(c.session, actor=c.actor, purchase_id=c.pk, now=c.now),
)
REJECT = FormAction(
    name="reject", label="Отклонить", title="Отклонить оплату курса",
    fields=(Field("reason", "Причина отклонения", kind="textarea", required=True,
                  help="Пользователь увидит: «Оплата не подтверждена. Причина: … Свяжитесь с поддержкой.»"),),
    submit_label="Отклонить", danger=True, success="Заявка отклонена",
    service=lambda c: purchases.reject_purchase(c.session, actor=c.actor, purchase_id=c.pk,
                                                reason=c.values["reason"], now=c.now),
)


def _buyer(model: Purchase, _attr: Any) -> Markup:
    user = model.user
    if user is None:
        return Markup("—")
    return Markup("<b>{}</b><br>{}<br><small class='text-secondary'>ID {} · зарегистрирован {}</small>").format(
        user.full_name, user.email, user.id, f"{user.created_at:%d.%m.%Y}")


class PurchaseAdmin(S7ModelView, model=Purchase):
    name = "Платёж"
    name_plural = "Оплаты курсов"
    icon = "fa-solid fa-money-bill"
    identity = "purchase"
    form_actions = (APPROVE, REJECT)
    can_create = False
    can_edit = False
    can_delete = False
    column_list: ClassVar[list[Any]] = [Purchase.status, Purchase.user, Purchase.course, Purchase.created_at,
                                        Purchase.amount, Purchase.sender_code, Purchase.payer_full_name]
    column_searchable_list: ClassVar[list[Any]] = [Purchase.sender_code]
    column_filters: ClassVar[list[Any]] = [status_filter(Purchase.status, STATUS_STYLES)]
    column_sortable_list: ClassVar[list[Any]] = [Purchase.created_at, Purchase.status]
    column_labels: ClassVar[dict[Any, str]] = {
        Purchase.status: "Статус", Purchase.user: "Покупатель", Purchase.course: "Курс",
        Purchase.created_at: "Заявка от", Purchase.amount: "Сумма", Purchase.sender_code: "Код отправителя",
        Purchase.payer_full_name: "Плательщик", Purchase.reviewed_at: "Рассмотрена",
        Purchase.rejection_reason: "Причина отклонения", Purchase.currency: "Валюта",
        Purchase.payment_proof_url: "Скриншот оплаты",
    }
    column_formatters: ClassVar[dict[Any, Any]] = {
        Purchase.user: _buyer,
        Purchase.status: status_formatter(STATUS_STYLES),
        Purchase.amount: lambda m, a: f"{m.amount} {m.currency}",
    }
    column_formatters_detail: ClassVar[dict[Any, Any]] = {**column_formatters, Purchase.payment_proof_url: proof_cell}

    @expose("/proof/{pk}", methods=["GET"])
    async def proof(self, request: Request) -> Response:
        """The purchase's payment screenshot (ADMIN or its uploader)."""
        return await serve_proof(request, Purchase)

    def decision_card(self, request: Request, obj: Any) -> Markup | None:
        user = obj.user
        who = Markup("{}<br><small>{}</small>").format(user.full_name, user.email) if user else None
        return decision.card("Оплата курса", status_formatter(STATUS_STYLES)(obj, None), [
            ("Кто", who), ("Курс", obj.course.title if obj.course else None),
            ("Сумма", f"{obj.amount} {obj.currency}"),
            ("Код отправителя", Markup("<b class='font-monospace'>{}</b>").format(obj.sender_code)),
            ("Плательщик", obj.payer_full_name),
            ("Заявка от", decision.since(obj.created_at, waiting=obj.status == PurchaseStatus.PENDING)),
            ("Скриншот оплаты", proof_cell(obj, None) if obj.payment_proof_url else "нет"),
        ])

    def visible_form_actions(self, request: Request, obj: Any = None) -> list[FormAction]:
        """No Одобрить / Отклонить buttons on a decided purchase: the service would only answer 409."""
        actions = super().visible_form_actions(request, obj)
        return actions if obj is None or purchases.is_decidable(obj) else []

    def sort_query(self, stmt: Any, request: Request) -> Any:
        if request.query_params.get("sortBy"):
            return super().sort_query(stmt, request)
        # Pending first, oldest first (first come, first served, like the API queue); then the decided, newest first.
        is_pending = Purchase.status == PurchaseStatus.PENDING
        return stmt.order_by(case((is_pending, 0), else_=1), case((is_pending, Purchase.created_at), else_=None),
                             Purchase.created_at.desc(), Purchase.id)
