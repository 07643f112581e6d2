"""Course purchases («Платежи»): the second kind of the payment-request mechanism (`payment_requests`).

    request_purchase  → PENDING, amount and currency from the course (never from the client), admins notified
    approve_purchase  → APPROVED + enrolment, the user notified and emailed
    reject_purchase   → REJECTED with a reason, the user notified and emailed
Same rules as subscriptions: the sender code is unique across both kinds, only a PENDING request can
be decided (409 `not_pending`), the row is locked first, every decision is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from core.errors import Conflict, ErrorCode, NotFound
from core.models import AuditAction, Course, NotificationType, PaymentKind, Purchase, PurchaseStatus, User, new_id
from core.services import audit, clean, courses, notifications, payment_proofs, payment_requests, ratelimit
from core.services.pagination import Page
from core.services.permissions import require_admin, require_user
from core.texts import money

MSG_SENT = "Заявка отправлена. Ожидайте проверки."
MSG_PENDING = "Заявка на покупку этого курса уже отправлена и ожидает проверки"


def approved_text(course_title: str) -> str:
    return f"Оплата подтверждена. Курс «{course_title}» открыт — приятного обучения!"


MAX_PAYER_NAME = 200


def _clean_payer(value: Any) -> str | None:
    name = clean.clean_text(value, field="payerFullName", label="Имя плательщика", max_length=MAX_PAYER_NAME,
                            required=False)
    return " ".join(name.split()) if name else None


def _has_pending(session: Session, user_id: str, course_id: str) -> bool:
    return session.scalar(select(Purchase.id).where(Purchase.user_id == user_id, Purchase.course_id == course_id,
                                                    Purchase.status == PurchaseStatus.PENDING)) is not None


def request_purchase(session: Session, *, actor: User | None, course_id: str, sender_code: Any,
                     payer_full_name: Any = None, payment_proof_url: Any = None, now: datetime) -> Purchase:
    """A PENDING purchase of a paid published course. 404 unknown/unpublished; 409 `course_is_free`,
    `already_enrolled`, `purchase_pending`, `duplicate_payment_code`; 422 bad code, 422
    `invalid_payment_proof` (not the caller's uploaded screenshot); 429 over 3 a day."""
    actor = require_user(actor)
    course = clean.get_row(session, Course, course_id)
    if course is None or not course.is_published:
        raise NotFound("Курс не найден")
    if course.is_free:
        raise Conflict("Курс бесплатный: запишитесь на него без оплаты", code=ErrorCode.COURSE_IS_FREE)
    code = payment_requests.clean_code(sender_code, field="senderCode")
    payer = _clean_payer(payer_full_name)
    proof = payment_proofs.clean_proof_url(session, actor=actor, value=payment_proof_url)
    if courses.is_enrolled(session, user_id=actor.id, course_id=course.id):
        raise Conflict("Вы уже записаны на этот курс", code=ErrorCode.ALREADY_ENROLLED)
    if _has_pending(session, actor.id, course.id):
        raise Conflict(MSG_PENDING, code=ErrorCode.PURCHASE_PENDING)
    ratelimit.hit(session, "subscription_request", actor.id, now=now)
    purchase = Purchase(id=new_id(), course_id=course.id, user_id=actor.id, amount=course.price,
                        currency=course.currency, sender_code=code, payer_full_name=payer,
                        payment_proof_url=proof, status=PurchaseStatus.PENDING,
                        created_at=now)
    payment_requests.claim_code(session, code=code, kind=PaymentKind.PURCHASE, request_id=purchase.id, now=now)
    try:
        with session.begin_nested():  # the partial unique index: one PENDING purchase per user and course
            session.add(purchase)
            session.flush()
    except IntegrityError:
        raise Conflict(MSG_PENDING, code=ErrorCode.PURCHASE_PENDING) from None
    amount = money(course.price, course.currency)
    notifications.notify_admins(
        session, type=NotificationType.PURCHASE_REQUEST, title="Новая заявка на покупку курса",
        message=(f"Пользователь {actor.full_name} ({actor.email}) оплатил курс «{course.title}» на сумму {amount}. "
                 f"Код отправителя: {code}."),
        link=f"/admin/purchase/details/{purchase.id}",
        meta={"purchaseId": purchase.id, "userId": actor.id, "courseId": course.id}, now=now)
    audit.record(session, actor=actor, action=AuditAction.PURCHASE_REQUEST, entity="purchase", entity_id=purchase.id,
                 now=now, data={"courseId": course.id, "amount": course.price, "senderCode": code})
    return purchase


def purchase_info(session: Session, *, actor: User | None, course_id: str) -> tuple[Course, bool, Purchase | None]:
    """A published course's price with the caller's state: (course, enrolled, latest pending purchase)."""
    course = clean.get_row(session, Course, course_id)
    if course is None or not course.is_published:
        raise NotFound("Курс не найден")
    if actor is None:
        return course, False, None
    pending = session.scalar(select(Purchase).where(Purchase.user_id == actor.id, Purchase.course_id == course.id,
                                                    Purchase.status == PurchaseStatus.PENDING))
    return course, courses.is_enrolled(session, user_id=actor.id, course_id=course.id), pending


def is_decidable(purchase: Purchase) -> bool:
    return purchase.status == PurchaseStatus.PENDING


def list_pending(session: Session, *, actor: User | None, page: Page) -> tuple[list[Purchase], int]:
    """Admin queue of PENDING purchases, oldest first (first come, first served), with user and course."""
    require_admin(actor)
    rows = session.scalars(
        select(Purchase).options(joinedload(Purchase.user), joinedload(Purchase.course))
        .where(Purchase.status == PurchaseStatus.PENDING)
        .order_by(Purchase.created_at, Purchase.id).limit(page.limit).offset(page.offset)).all()
    total = session.scalar(select(func.count()).select_from(Purchase)
                           .where(Purchase.status == PurchaseStatus.PENDING))
    return list(rows), int(total or 0)


def _locked_pending(session: Session, purchase_id: str) -> Purchase:
    return payment_requests.lock_pending(session, Purchase, purchase_id, not_found="Заявка на покупку не найдена")


def approve_purchase(session: Session, *, actor: User | None, purchase_id: str, now: datetime) -> Purchase:
    """PENDING → APPROVED: the user is enrolled in the course, notified and emailed; audited."""
    actor = require_admin(actor)
    purchase = _locked_pending(session, purchase_id)
    purchase.status, purchase.reviewed_at, purchase.reviewed_by_id = PurchaseStatus.APPROVED, now, actor.id
    enrollment, created = courses.grant_enrollment(session, user_id=purchase.user_id, course_id=purchase.course_id,
                                                   now=now)
    course = purchase.course
    payment_requests.tell_user(session, user=purchase.user, type=NotificationType.PURCHASE_APPROVED,
                               title="Оплата подтверждена",
                               message=approved_text(course.title), link=f"/courses/{course.id}",
                               subject="оплата курса подтверждена", now=now,
                               meta={"purchaseId": purchase.id, "courseId": course.id})
    audit.record(session, actor=actor, action=AuditAction.PURCHASE_APPROVE, entity="purchase", entity_id=purchase.id,
                 now=now,
                 data={"courseId": course.id, "userId": purchase.user_id, "enrollmentId": enrollment.id,
                       "alreadyEnrolled": not created})
    return purchase


def reject_purchase(session: Session, *, actor: User | None, purchase_id: str, reason: Any,
                    now: datetime) -> Purchase:
    """PENDING → REJECTED with a required reason; the user is notified and emailed; audited."""
    actor = require_admin(actor)
    text = payment_requests.clean_reason(reason)
    purchase = _locked_pending(session, purchase_id)
    purchase.status, purchase.reviewed_at, purchase.reviewed_by_id = PurchaseStatus.REJECTED, now, actor.id
    purchase.rejection_reason = text
    payment_requests.tell_user(session, user=purchase.user, type=NotificationType.PURCHASE_REJECTED,
                               title="Оплата не подтверждена",
                               message=payment_requests.rejection_text(text), link=f"/courses/{purchase.course_id}",
                               subject="оплата не подтверждена", now=now,
                               meta={"purchaseId": purchase.id, "courseId": purchase.course_id})
    audit.record(session, actor=actor, action=AuditAction.PURCHASE_REJECT, entity="purchase", entity_id=purchase.id,
                 now=now,
                 data={"reason": text})
    return purchase


def my_purchases(session: Session, *, actor: User | None) -> list[Purchase]:
    """The caller's purchases, newest first (bounded: one per course and status change)."""
    actor = require_user(actor)
    return list(session.scalars(select(Purchase).options(joinedload(Purchase.course))
                                .where(Purchase.user_id == actor.id)
                                .order_by(Purchase.created_at.desc(), Purchase.id.desc()).limit(100)))

