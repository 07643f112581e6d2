"""Подписки (pending first; Одобрить / Отклонить call the same services as the API) and Тарифы."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

from markupsafe import Markup
from sqladmin import expose
from sqlalchemy import case
from starlette.requests import Request
from starlette.responses import Response

from admin_app import decision
from admin_app.archive import archive_actions
from admin_app.badges import status_formatter
from admin_app.base_view import S7ModelView, local_datetime
from admin_app.filters import ChoiceFilter, status_filter
from admin_app.form_actions import ActionCall, Field, FormAction
from admin_app.helpers import run_service
from admin_app.payment_proof import proof_cell, serve_proof
from core.clock import utcnow
from core.models import Subscription, SubscriptionPlan, SubscriptionStatus
from core.services import plans, subscriptions, work_queue

STATUS_STYLES = {SubscriptionStatus.PENDING: ("Ожидает", "bg-yellow"),
                 SubscriptionStatus.ACTIVE: ("Активна", "bg-green"),
                 SubscriptionStatus.EXPIRED: ("Истекла", "bg-secondary"),
                 SubscriptionStatus.REJECTED: ("Отклонена", "bg-red")}
STATUS_LABELS = {status: label for status, (label, _colour) in STATUS_STYLES.items()}
LIMIT_HELP = "Пусто — как в тарифе заявки"


def _approve(call: ActionCall) -> Any:
    limits = {k: v for k, v in call.values.items() if v not in (None, "")}
    return subscriptions.approve_subscription(call.session, subscription_id=call.pk, actor=call.actor, now=call.now,
                                              limits=limits, timezone=call.settings.default_timezone)


APPROVE = FormAction(
    name="approve", label="Одобрить", title="Одобрить заявку на подписку",
    fields=(
        Field("max_kruzhoks", "Макс. кружков", kind="number", help=LIMIT_HELP),
        Field("max_classes_per_kruzhok", "Макс. классов в кружке", kind="number", help=LIMIT_HELP),
        Field("max_students_per_class", "Макс. учеников в классе", kind="number", help=LIMIT_HELP),
    ),
    submit_label="Одобрить", positive=True, success="Подписка одобрена", service=_approve,
)


def _with_plan_limits(action: FormAction, sub: Subscription) -> FormAction:
    """The approve dialog of one request states the limits its plan gives (copied onto the request)."""
    fields = tuple(replace(f, help=f"{LIMIT_HELP} (по умолчанию {getattr(sub, f.name)})") for f in action.fields)
    return replace(action, fields=fields)


REJECT = FormAction(
    name="reject", label="Отклонить", title="Отклонить заявку на подписку",
    fields=(Field("reason", "Причина отклонения", kind="textarea", required=True,
                  help="Пользователь увидит: «Оплата не подтверждена. Причина: … Свяжитесь с поддержкой.»"),),
    submit_label="Отклонить", danger=True, success="Заявка отклонена",
    service=lambda c: subscriptions.reject_subscription(c.session, subscription_id=c.pk, actor=c.actor,
                                                        reason=c.values["reason"], now=c.now),
)


def _user_card(model: Subscription, _attr: Any) -> Markup:
    user = model.user
    if user is None:
        return Markup("—")
    clubs = getattr(model, "_clubs_count", None)
    return Markup("<b>{}</b><br>{}<br><small class='text-secondary'>ID {} · зарегистрирован {} · кружков: {}"
                  "</small>").format(user.full_name, user.email, user.id, f"{user.created_at:%d.%m.%Y}",
                                     "—" if clubs is None else clubs)


class SubscriptionAdmin(S7ModelView, model=Subscription):
    name = "Подписка"
    name_plural = "Подписки"
    icon = "fa-solid fa-id-card"
    identity = "subscription"
    form_actions = (APPROVE, REJECT)
    can_create = False
    can_edit = False
    can_delete = False
    column_list: ClassVar[list[Any]] = [Subscription.status, Subscription.user, Subscription.created_at,
                                        Subscription.amount, Subscription.payment_comment, Subscription.type,
                                        Subscription.expires_at]
    column_searchable_list: ClassVar[list[Any]] = [Subscription.payment_comment]
    column_filters: ClassVar[list[Any]] = [
        status_filter(Subscription.status, STATUS_STYLES),
        ChoiceFilter("expiring", "Срок", {"7": (f"Истекают за {work_queue.EXPIRING_DAYS} дней",
                                                lambda: work_queue.expiring_where(utcnow()))}),
    ]
    column_sortable_list: ClassVar[list[Any]] = [Subscription.created_at, Subscription.status,
                                                 Subscription.expires_at]
    column_labels: ClassVar[dict[Any, str]] = {
        Subscription.status: "Статус", Subscription.user: "Пользователь", Subscription.created_at: "Заявка от",
        Subscription.amount: "Сумма", Subscription.payment_comment: "Код отправителя", Subscription.type: "Тип",
        Subscription.expires_at: "Действует до", Subscription.payment_proof_url: "Скриншот оплаты",
        Subscription.confirmed_at: "Подтверждена", Subscription.rejection_reason: "Причина отклонения",
        Subscription.max_kruzhoks: "Макс. кружков", Subscription.max_classes_per_kruzhok: "Макс. классов",
        Subscription.max_students_per_class: "Макс. учеников", Subscription.reminder_sent_at: "Напоминание",
    }
    column_formatters: ClassVar[dict[Any, Any]] = {
        Subscription.user: _user_card,
        Subscription.status: status_formatter(STATUS_STYLES),
        Subscription.type: lambda m, a: plans.PLAN_LABELS.get(m.type, m.type),
        Subscription.amount: lambda m, a: f"{m.amount} {m.currency}",
    }
    column_formatters_detail: ClassVar[dict[Any, Any]] = {**column_formatters,
                                                           Subscription.payment_proof_url: proof_cell}

    @expose("/proof/{pk}", methods=["GET"])
    async def proof(self, request: Request) -> Response:
        """The request's payment screenshot (ADMIN or its uploader)."""
        return await serve_proof(request, Subscription)

    def decision_card(self, request: Request, obj: Any) -> Markup | None:
        user = obj.user
        who = Markup("{}<br><small>{}</small>").format(user.full_name, user.email) if user else None
        pending = obj.status == SubscriptionStatus.PENDING
        return decision.card("Заявка на подписку", status_formatter(STATUS_STYLES)(obj, None), [
            ("Кто", who), ("Тариф", plans.PLAN_LABELS.get(obj.type, obj.type)),
            ("Сумма", f"{obj.amount} {obj.currency}"),
            ("Код отправителя", Markup("<b class='font-monospace'>{}</b>").format(obj.payment_comment)),
            ("Заявка от", decision.since(obj.created_at, waiting=pending)),
            ("Кружков у пользователя", str(getattr(obj, "_clubs_count", "—"))),
            ("Скриншот оплаты", proof_cell(obj, None) if obj.payment_proof_url else "нет"),
            ("Действует до", local_datetime(obj.expires_at) if obj.expires_at else None),
        ])

    def visible_form_actions(self, request: Request, obj: Any = None) -> list[FormAction]:
        """No Одобрить / Отклонить buttons on a decided request: the service would only answer 409."""
        actions = super().visible_form_actions(request, obj)
        if obj is None:
            return actions
        if not subscriptions.is_decidable(obj):
            return []
        return [_with_plan_limits(a, obj) if a.name == APPROVE.name else a for a in actions]

    def sort_query(self, stmt: Any, request: Request) -> Any:
        if request.query_params.get("sortBy"):
            return super().sort_query(stmt, request)
        # Pending first, oldest first (first come, first served, like the API queue); then the decided, newest first.
        is_pending = Subscription.status == SubscriptionStatus.PENDING
        return stmt.order_by(case((is_pending, 0), else_=1), case((is_pending, Subscription.created_at), else_=None),
                             Subscription.created_at.desc(), Subscription.id)

    async def list(self, request: Request) -> Any:
        pagination = await super().list(request)
        await self._attach_club_counts(request, pagination.rows)
        return pagination

    async def get_object_for_details(self, request: Request) -> Any:
        obj = await super().get_object_for_details(request)
        if obj is not None:
            await self._attach_club_counts(request, [obj])
        return obj

    async def _attach_club_counts(self, request: Request, rows: Sequence[Any]) -> None:
        """One grouped query for the whole page (no per-row queries), by the same service as the API."""
        if not rows:
            return
        counts = await run_service(request, lambda s, _actor: subscriptions.club_counts(
            s, (row.user_id for row in rows)))
        for row in rows:
            row._clubs_count = counts.get(row.user_id, 0)


class PlanAdmin(S7ModelView, model=SubscriptionPlan):
    name = "Тариф"
    name_plural = "Тарифы"
    icon = "fa-solid fa-tags"
    identity = "subscription-plan"
    form_actions = archive_actions(SubscriptionPlan)
    can_create = False
    can_delete = False
    column_list: ClassVar[list[Any]] = [SubscriptionPlan.code, SubscriptionPlan.title, SubscriptionPlan.price,
                                        SubscriptionPlan.currency, SubscriptionPlan.duration_days,
                                        SubscriptionPlan.max_kruzhoks, SubscriptionPlan.max_classes_per_kruzhok,
                                        SubscriptionPlan.max_students_per_class, SubscriptionPlan.is_active]
    form_columns: ClassVar[list[Any]] = [SubscriptionPlan.title, SubscriptionPlan.price,
                                         SubscriptionPlan.duration_days, SubscriptionPlan.max_kruzhoks,
                                         SubscriptionPlan.max_classes_per_kruzhok,
                                         SubscriptionPlan.max_students_per_class, SubscriptionPlan.is_active]
    column_labels: ClassVar[dict[Any, str]] = {
        SubscriptionPlan.code: "Код", SubscriptionPlan.title: "Название", SubscriptionPlan.price: "Цена",
        SubscriptionPlan.currency: "Валюта", SubscriptionPlan.duration_days: "Срок (дней)",
        SubscriptionPlan.max_kruzhoks: "Макс. кружков", SubscriptionPlan.max_classes_per_kruzhok: "Макс. классов",
        SubscriptionPlan.max_students_per_class: "Макс. учеников", SubscriptionPlan.is_active: "Активен",
    }

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        """Save through the service: validated (≥ 0), admin only, audited."""
        return await run_service(request, lambda s, actor: plans.update_plan(s, actor=actor, plan_id=pk,
                                                                             values=data, now=utcnow()))
