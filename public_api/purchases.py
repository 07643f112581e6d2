"""Course purchases («Платежи»): request, my purchases, the admin queue, approve, reject."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from core.models import Purchase
from core.services import payment_requests, purchases
from core.services.pagination import Page
from public_api.http import Ctx, api
from public_api.validation import ApiModel, OneLine, OutModel, PageQuery, RequiredMultiLine, declared


class PurchaseIn(ApiModel):
    sender_code: Annotated[str, declared(pattern=payment_requests.CODE_PATTERN)] = Field(max_length=64)
    payer_full_name: OneLine | None = Field(default=None, max_length=purchases.MAX_PAYER_NAME)
    payment_proof_url: str | None = Field(default=None, max_length=2000)


class PurchaseRejectIn(ApiModel):
    reason: RequiredMultiLine = Field(max_length=payment_requests.MAX_REASON)


class PurchaseOut(OutModel):
    id: str
    course_id: str
    course_title: str
    status: str
    amount: int
    currency: str
    sender_code: str
    payer_full_name: str | None
    payment_proof_url: str | None
    created_at: datetime
    reviewed_at: datetime | None
    rejection_reason: str | None


class PurchaseRequestOut(OutModel):
    success: bool = True
    purchase_id: str
    message: str
    purchase: PurchaseOut


class PurchaseDecisionOut(OutModel):
    success: bool = True
    message: str
    purchase: PurchaseOut


class PaymentInstructionsOut(OutModel):
    method: str
    title: str
    amount: int
    currency: str
    recipient_phone: str | None
    recipient_name: str
    description: str
    transfer_text: str
    comment_note: str
    sender_code_label: str
    sender_code_help: str
    confirm_label: str
    submit_label: str


class PurchaseInfoOut(OutModel):
    course_id: str
    title: str
    is_free: bool
    price: int
    currency: str
    is_enrolled: bool
    purchase_url: str
    pending_purchase: PurchaseOut | None
    payment: PaymentInstructionsOut | None


def payment_instructions(ctx: Ctx, *, amount: int, currency: str, purpose: str,
                         course_title: str | None = None) -> dict[str, Any]:
    s = ctx.settings
    found = payment_requests.instructions(amount=amount, currency=currency, purpose=purpose, phone=s.kaspi_phone,
                                          recipient=s.kaspi_recipient, comment_note=s.kaspi_comment_note,
                                          course_title=course_title)
    return PaymentInstructionsOut.model_validate(found).model_dump(by_alias=True)


class PurchaseListOut(OutModel):
    items: list[PurchaseOut]


class BuyerOut(OutModel):
    id: str
    full_name: str
    email: str
    registered_at: datetime


class PurchaseQueueItemOut(PurchaseOut):
    user: BuyerOut


class PurchaseQueueOut(OutModel):
    items: list[PurchaseQueueItemOut]
    total: int
    limit: int
    offset: int


def purchase_out(p: Purchase) -> dict:
    return {"id": p.id, "courseId": p.course_id, "courseTitle": p.course.title, "status": p.status,
            "amount": p.amount, "currency": p.currency, "senderCode": p.sender_code,
            "payerFullName": p.payer_full_name, "paymentProofUrl": p.payment_proof_url,
            "createdAt": p.created_at, "reviewedAt": p.reviewed_at,
            "rejectionReason": p.rejection_reason}


@api("/api/courses/{course_id}/purchase", "POST", body=PurchaseIn, response=PurchaseRequestOut, status=201,
     tag="purchases")
def request_purchase(ctx: Ctx, body: PurchaseIn, course_id: str) -> dict:
    """Request access to a paid course after a Kaspi transfer (the amount comes from the course)."""
    p = purchases.request_purchase(ctx.session, actor=ctx.actor, course_id=course_id, sender_code=body.sender_code,
                                   payer_full_name=body.payer_full_name, payment_proof_url=body.payment_proof_url,
                                   now=ctx.now)
    return {"success": True, "purchaseId": p.id, "message": purchases.MSG_SENT, "purchase": purchase_out(p)}


@api("/api/courses/{course_id}/purchase", "GET", response=PurchaseInfoOut, auth_mode="optional", tag="purchases")
def purchase_info(ctx: Ctx, course_id: str) -> dict:
    """A course's price and the payment instructions (Kaspi recipient and texts from settings), with the
    caller's enrolment and pending purchase when signed in."""
    course, enrolled, pending_purchase = purchases.purchase_info(ctx.session, actor=ctx.actor, course_id=course_id)
    payment = None if course.is_free else payment_instructions(ctx, amount=course.price, currency=course.currency,
                                                               purpose="course", course_title=course.title)
    return {"courseId": course.id, "title": course.title, "isFree": course.is_free, "price": course.price,
            "currency": course.currency, "isEnrolled": enrolled, "purchaseUrl": f"/api/courses/{course.id}/purchase",
            "pendingPurchase": purchase_out(pending_purchase) if pending_purchase else None, "payment": payment}


@api("/api/purchases/my", "GET", response=PurchaseListOut, tag="purchases")
def my_purchases(ctx: Ctx) -> dict:
    """The caller's course purchases, newest first."""
    return {"items": [purchase_out(p) for p in purchases.my_purchases(ctx.session, actor=ctx.actor)]}


@api("/api/admin/purchases/pending", "GET", query=PageQuery, response=PurchaseQueueOut, tag="purchases",
     auth_mode="admin")
def pending_purchases(ctx: Ctx, query: PageQuery) -> dict:
    """Admin: PENDING purchases, oldest first, with the buyer."""
    page = Page.of(query.limit, query.offset)
    rows, total = purchases.list_pending(ctx.session, actor=ctx.actor, page=page)
    items = [{**purchase_out(p), "user": {"id": p.user.id, "fullName": p.user.full_name, "email": p.user.email,
                                          "registeredAt": p.user.created_at}} for p in rows]
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@api("/api/purchases/{purchase_id}/approve", "POST", response=PurchaseDecisionOut, tag="purchases", auth_mode="admin")
def approve_purchase(ctx: Ctx, purchase_id: str) -> dict:
    """Admin: approve a PENDING purchase (the buyer is enrolled); 409 if not pending."""
    p = purchases.approve_purchase(ctx.session, actor=ctx.actor, purchase_id=purchase_id, now=ctx.now)
    return {"success": True, "message": purchases.approved_text(p.course.title), "purchase": purchase_out(p)}


@api("/api/purchases/{purchase_id}/reject", "POST", body=PurchaseRejectIn, response=PurchaseDecisionOut,
     tag="purchases", auth_mode="admin")
def reject_purchase(ctx: Ctx, body: PurchaseRejectIn, purchase_id: str) -> dict:
    """Admin: reject a PENDING purchase with a reason; 409 if not pending."""
    p = purchases.reject_purchase(ctx.session, actor=ctx.actor, purchase_id=purchase_id, reason=body.reason,
                                  now=ctx.now)
    return {"success": True, "message": payment_requests.rejection_text(p.rejection_reason or ""),
            "purchase": purchase_out(p)}


routes = [request_purchase, purchase_info, my_purchases, pending_purchases, approve_purchase, reject_purchase]
