"""Plans and club subscriptions: request, my status, the admin queue, approve, reject."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from core.models import Subscription, SubscriptionPlan
from core.services import cache_versions, payment_requests, plans, subscriptions
from core.services.pagination import Page
from core.texts import subscriptions as sub_texts
from core.texts import subscriptions as subscription_texts
from public_api.http import Ctx, api
from public_api.purchases import PaymentInstructionsOut, payment_instructions
from public_api.validation import ApiModel, OutModel, PageQuery, RequiredMultiLine, declared


class RequestIn(ApiModel):
    type: str = Field(max_length=40)
    payment_comment: Annotated[str, declared(pattern=payment_requests.CODE_PATTERN)] = Field(max_length=64)
    payment_proof_url: str | None = Field(default=None, max_length=2000)


class ApproveIn(ApiModel):
    """Optional limit overrides; strict integers (a JSON `true` is not 1, "40" is not 40)."""

    max_kruzhoks: int | None = Field(default=None, ge=0, le=100_000, strict=True)
    max_classes_per_kruzhok: int | None = Field(default=None, ge=0, le=100_000, strict=True)
    max_students_per_class: int | None = Field(default=None, ge=0, le=100_000, strict=True)


class RejectIn(ApiModel):
    reason: RequiredMultiLine = Field(max_length=payment_requests.MAX_REASON)


class LimitsOut(OutModel):
    max_kruzhoks: int
    max_classes_per_kruzhok: int
    max_students_per_class: int


class PlanOut(OutModel):
    id: str
    code: str
    title: str
    price: int
    currency: str
    duration_days: int
    limits: LimitsOut


class PlanWithPaymentOut(PlanOut):
    payment: PaymentInstructionsOut


class PlansOut(OutModel):
    items: list[PlanWithPaymentOut]


class SubscriptionOut(OutModel):
    id: str
    type: str
    status: str
    amount: int
    currency: str
    payment_comment: str
    payment_proof_url: str | None
    limits: LimitsOut
    created_at: datetime
    confirmed_at: datetime | None
    expires_at: datetime | None
    rejection_reason: str | None


class SubscriptionDecisionOut(SubscriptionOut):
    """Approve/reject answer like the request: `success` and the message the user was sent, plus the row."""

    success: bool = True
    message: str


class RequestOut(OutModel):
    success: bool = True
    subscription_id: str
    message: str
    subscription: SubscriptionOut


class PendingSubscriptionOut(OutModel):
    id: str
    type: str
    amount: int
    currency: str
    payment_comment: str
    created_at: datetime


class UsageOut(OutModel):
    kruzhoks: int
    classes_per_kruzhok: dict[str, int]


class StatusOut(OutModel):
    active: bool
    status: str | None
    expires_at: datetime | None
    limits: LimitsOut
    usage: UsageOut
    pending: list[PendingSubscriptionOut]


class RequestUserOut(OutModel):
    id: str
    full_name: str
    email: str
    registered_at: datetime
    clubs_count: int


class QueueItemOut(SubscriptionOut):
    user: RequestUserOut


class QueueOut(OutModel):
    items: list[QueueItemOut]
    total: int
    limit: int
    offset: int


def _plan_out(plan: SubscriptionPlan) -> PlanOut:
    return PlanOut(id=plan.id, code=plan.code, title=plan.title, price=plan.price, currency=plan.currency,
                   duration_days=plan.duration_days, limits=LimitsOut.model_validate(plan))


def sub_out(sub: Subscription) -> dict:
    return {"id": sub.id, "type": sub.type, "status": sub.status, "amount": sub.amount, "currency": sub.currency,
            "paymentComment": sub.payment_comment, "paymentProofUrl": sub.payment_proof_url,
            "limits": {"maxKruzhoks": sub.max_kruzhoks, "maxClassesPerKruzhok": sub.max_classes_per_kruzhok,
                       "maxStudentsPerClass": sub.max_students_per_class},
            "createdAt": sub.created_at, "confirmedAt": sub.confirmed_at, "expiresAt": sub.expires_at,
            "rejectionReason": sub.rejection_reason}


@api("/api/plans", "GET", response=PlansOut, auth_mode="none", tag="subscriptions",
     cache=cache_versions.PLANS)
def list_plans(ctx: Ctx) -> dict:
    """Active plans with price, duration, limits and the payment instructions (Kaspi recipient from settings)."""
    return {"items": [{**_plan_out(p).model_dump(by_alias=True),
                       "payment": payment_instructions(ctx, amount=p.price, currency=p.currency, purpose="club")}
                      for p in plans.list_plans(ctx.session)]}


@api("/api/subscriptions/request", "POST", body=RequestIn, response=RequestOut, status=201, tag="subscriptions")
def request_subscription(ctx: Ctx, body: RequestIn) -> dict:
    """Request a club subscription after a Kaspi transfer (amount comes from the plan)."""
    sub = subscriptions.request_subscription(ctx.session, actor=ctx.actor, type=body.type,
                                             payment_comment=body.payment_comment,
                                             payment_proof_url=body.payment_proof_url, now=ctx.now)
    return {"success": True, "subscriptionId": sub.id, "message": subscription_texts.REQUEST_SENT,
            "subscription": sub_out(sub)}


@api("/api/subscriptions/my", "GET", response=StatusOut, tag="subscriptions")
def my_status(ctx: Ctx) -> subscriptions.SubscriptionState:
    """The caller's subscription status, effective limits, usage and pending requests."""
    return subscriptions.my_subscription_status(ctx.session, actor=ctx.actor, now=ctx.now)


@api("/api/admin/subscriptions/pending", "GET", query=PageQuery, response=QueueOut,
     tag="subscriptions", auth_mode="admin")
def pending_subscriptions(ctx: Ctx, query: PageQuery) -> dict:
    """Admin: PENDING requests, oldest first, with the user's card data."""
    page = Page.of(query.limit, query.offset)
    rows, total = subscriptions.list_pending(ctx.session, actor=ctx.actor, page=page)
    items = [{**sub_out(sub), "user": {"id": sub.user.id, "fullName": sub.user.full_name, "email": sub.user.email,
                                       "registeredAt": sub.user.created_at, "clubsCount": clubs}}
             for sub, clubs in rows]
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@api("/api/subscriptions/{subscription_id}/approve", "POST", body=ApproveIn, response=SubscriptionDecisionOut,
     tag="subscriptions", auth_mode="admin")
def approve_subscription(ctx: Ctx, body: ApproveIn, subscription_id: str) -> dict:
    """Admin: approve a PENDING request (optional limit overrides); 409 if not pending."""
    overrides = body.model_dump(exclude_none=True)
    sub = subscriptions.approve_subscription(ctx.session, subscription_id=subscription_id, actor=ctx.actor,
                                             now=ctx.now, limits=overrides,
                                             timezone=ctx.settings.default_timezone)
    return {**sub_out(sub), "success": True, "message": sub_texts.APPROVED_MESSAGE}


@api("/api/subscriptions/{subscription_id}/reject", "POST", body=RejectIn, response=SubscriptionDecisionOut,
     tag="subscriptions", auth_mode="admin")
def reject_subscription(ctx: Ctx, body: RejectIn, subscription_id: str) -> dict:
    """Admin: reject a PENDING request with a reason; 409 if not pending."""
    sub = subscriptions.reject_subscription(ctx.session, subscription_id=subscription_id, actor=ctx.actor,
                                            reason=body.reason, now=ctx.now)
    return {**sub_out(sub), "success": True, "message": payment_requests.rejection_text(sub.rejection_reason or "")}


routes = [list_plans, request_subscription, my_status, pending_subscriptions, approve_subscription, reject_subscription]
