"""Course purchases: the second kind of the one payment-request mechanism (SPEC §4, §6)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.models import (
    AuditEvent,
    CourseEnrollment,
    EmailOutbox,
    Notification,
    PaymentCode,
    Purchase,
    PurchaseStatus,
    Subscription,
    SubscriptionStatus,
)
from core.services import payment_requests, purchases, subscriptions
from core.services.pagination import Page


def _code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


@pytest.fixture
def paid(make):
    return make.course(title="Arduino с нуля", is_free=False, price=15000)


def _buy(session, user, course, code=None, now=None, **kw):
    return purchases.request_purchase(session, actor=user, course_id=course.id, sender_code=code or _code(),
                                      now=now or utcnow(), **kw)


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_request_takes_amount_from_the_course_and_notifies_admins(session, make, paid):
    admin = make.admin()
    student = make.student(full_name="Ерлан Ахметов")
    p = _buy(session, student, paid, code="123456", payer_full_name="  Ахметов  Ерлан ")
    assert (p.status, p.amount, p.currency, p.sender_code, p.payer_full_name) == (
        "PENDING", 15000, "KZT", "123456", "Ахметов Ерлан")
    [note] = session.scalars(select(Notification).where(Notification.user_id == admin.id,
                                                        Notification.type == "PURCHASE_REQUEST")).all()
    who = f"Пользователь Ерлан Ахметов ({student.email})"
    assert note.message == f"{who} оплатил курс «Arduino с нуля» на сумму 15000 ₸. Код отправителя: 123456."
    assert note.meta == {"purchaseId": p.id, "userId": student.id, "courseId": paid.id}
    assert session.scalar(select(PaymentCode.kind).where(PaymentCode.code == "123456")) == "PURCHASE"


@pytest.mark.parametrize("kind_first", ["subscription", "purchase"])
def test_a_sender_code_is_unique_across_both_kinds(session, make, paid, kind_first):
    code = _code()

    def subscribe():
        return subscriptions.request_subscription(session, actor=make.student(), type="ONETIME_PURCHASE",
                                                  payment_comment=code, now=utcnow())

    def buy():
        return _buy(session, make.student(), paid, code=code)

    first, second = (subscribe, buy) if kind_first == "subscription" else (buy, subscribe)
    first()
    with pytest.raises(Conflict) as err:
        second()
    assert err.value.code == "duplicate_payment_code"
    assert err.value.message == "Заявка с таким кодом отправителя уже существует. Проверьте код платежа."
    assert _count(session, Purchase, Purchase.sender_code == code) + \
        _count(session, Subscription, Subscription.payment_comment == code) == 1


def test_bad_requests_are_refused_in_russian_and_change_nothing(session, make, paid):
    student = make.student()
    free = make.course(is_free=True)
    hidden = make.course(is_free=False, price=100, is_published=False)
    cases = [
        (dict(course=free), Conflict, "course_is_free", "Курс бесплатный"),
        (dict(course=hidden), NotFound, "not_found", "Курс не найден"),
        (dict(code="12a4"), Invalid, "validation_error", "4–8 цифр"),
        (dict(code="123"), Invalid, "validation_error", "4–8 цифр"),
        (dict(code="123456789"), Invalid, "validation_error", "4–8 цифр"),
        (dict(payer_full_name="я" * 201), Invalid, "validation_error", "не длиннее 200"),
    ]
    for kw, error, code, text in cases:
        course = kw.pop("course", paid)
        with pytest.raises(error) as err:
            _buy(session, student, course, code=kw.pop("code", None), **kw)
        assert err.value.code == code and text in err.value.message
    with pytest.raises(NotFound):
        purchases.request_purchase(session, actor=student, course_id="nope", sender_code=_code(), now=utcnow())
    assert _count(session, Purchase, Purchase.user_id == student.id) == 0
    assert _count(session, PaymentCode, PaymentCode.kind == "PURCHASE", PaymentCode.request_id.in_(
        select(Purchase.id).where(Purchase.user_id == student.id))) == 0


def test_second_pending_purchase_and_an_enrolled_buyer_are_conflicts(session, make, paid):
    student = make.student()
    _buy(session, student, paid)
    with pytest.raises(Conflict) as err:
        _buy(session, student, paid)
    assert err.value.code == "purchase_pending"
    enrolled = make.student()
    make.course_enrollment(paid, enrolled)
    with pytest.raises(Conflict) as err:
        _buy(session, enrolled, paid)
    assert err.value.code == "already_enrolled"


def test_approve_enrols_notifies_emails_and_audits(session, make, paid):
    admin = make.admin()
    student = make.student()
    p = _buy(session, student, paid)
    purchases.approve_purchase(session, actor=admin, purchase_id=p.id, now=utcnow())
    assert (p.status, p.reviewed_by_id) == ("APPROVED", admin.id)
    assert _count(session, CourseEnrollment, CourseEnrollment.user_id == student.id,
                  CourseEnrollment.course_id == paid.id) == 1
    [note] = session.scalars(select(Notification).where(Notification.user_id == student.id)).all()
    assert (note.type, note.message) == ("PURCHASE_APPROVED",
                                         "Оплата подтверждена. Курс «Arduino с нуля» открыт — приятного обучения!")
    [mail] = session.scalars(select(EmailOutbox).where(EmailOutbox.to_addr == student.email)).all()
    assert "Курс «Arduino с нуля» открыт" in mail.body_text
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.entity_id == p.id,
                                                          AuditEvent.actor_id == admin.id)) == "purchase.approve"


@pytest.mark.parametrize("reason,text", [
    ("Сумма не совпадает", "Оплата не подтверждена. Причина: Сумма не совпадает. Свяжитесь с поддержкой."),
    ("Платёж не найден!", "Оплата не подтверждена. Причина: Платёж не найден! Свяжитесь с поддержкой."),
    ("Неверный код.", "Оплата не подтверждена. Причина: Неверный код. Свяжитесь с поддержкой."),
])
def test_reject_tells_the_reason_once(session, make, paid, reason, text):
    student = make.student()
    p = _buy(session, student, paid)
    purchases.reject_purchase(session, actor=make.admin(), purchase_id=p.id, reason=reason, now=utcnow())
    assert (p.status, p.rejection_reason) == ("REJECTED", reason)
    assert session.scalar(select(Notification.message).where(Notification.user_id == student.id)) == text
    assert _count(session, CourseEnrollment, CourseEnrollment.user_id == student.id) == 0


# status × action: only PENDING can be decided; everything else is 409 and leaves the row as it was.
STATES = [("purchase", s) for s in PurchaseStatus] + [("subscription", s) for s in SubscriptionStatus]


@pytest.mark.parametrize(("kind", "status"), STATES)
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_state_machine(session, make, paid, kind, status, action):
    admin = make.admin()
    if kind == "purchase":
        row = _buy(session, make.student(), paid)
        decide = {"approve": lambda: purchases.approve_purchase(session, actor=admin, purchase_id=row.id,
                                                                now=utcnow()),
                  "reject": lambda: purchases.reject_purchase(session, actor=admin, purchase_id=row.id,
                                                              reason="Нет платежа", now=utcnow())}[action]
    else:
        row = subscriptions.request_subscription(session, actor=make.student(), type="ONETIME_PURCHASE",
                                                 payment_comment=_code(), now=utcnow())
        decide = {"approve": lambda: subscriptions.approve_subscription(session, subscription_id=row.id,
                                                                        timezone="Asia/Almaty",
                                                                        actor=admin, now=utcnow()),
                  "reject": lambda: subscriptions.reject_subscription(session, subscription_id=row.id, actor=admin,
                                                                      reason="Нет платежа", now=utcnow())}[action]
    row.status = status
    session.flush()
    if status == "PENDING":
        decide()
        expected = {("purchase", "approve"): "APPROVED", ("subscription", "approve"): "ACTIVE"}.get(
            (kind, action), "REJECTED")
        assert row.status == expected
    else:
        with pytest.raises(Conflict) as err:
            decide()
        assert (err.value.code, err.value.details) == ("not_pending", {"status": status})
        assert row.status == status


def test_only_admins_decide_and_unknown_ids_are_404(session, make, paid):
    p = _buy(session, make.student(), paid)
    for actor in (make.student(), make.support()):
        with pytest.raises(Forbidden):
            purchases.approve_purchase(session, actor=actor, purchase_id=p.id, now=utcnow())
        with pytest.raises(Forbidden):
            purchases.list_pending(session, actor=actor, page=Page.of(20, 0))
    with pytest.raises(NotFound, match="Заявка на покупку не найдена"):
        purchases.approve_purchase(session, actor=make.admin(), purchase_id="nope", now=utcnow())
    with pytest.raises(Invalid, match="Укажите причину"):
        purchases.reject_purchase(session, actor=make.admin(), purchase_id=p.id, reason=" ", now=utcnow())
    assert p.status == "PENDING"


def test_pending_queue_is_oldest_first(session, make, paid):
    now = utcnow()
    later = _buy(session, make.student(), paid, now=now + timedelta(minutes=5))
    earlier = _buy(session, make.student(), paid, now=now)
    rows, total = purchases.list_pending(session, actor=make.admin(), page=Page.of(100, 0))
    ids = [r.id for r in rows]
    assert ids.index(earlier.id) < ids.index(later.id) and total >= 2


def test_rejection_text_never_doubles_punctuation():
    text = payment_requests.rejection_text("Ошибка?")
    assert text == "Оплата не подтверждена. Причина: Ошибка? Свяжитесь с поддержкой."
