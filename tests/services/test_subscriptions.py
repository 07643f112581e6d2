"""Subscription requests, the admin's approve/reject, status; amounts always from the plan."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import utcnow
from core.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited, Unauthorized
from core.models import AuditEvent, EmailOutbox, Notification
from core.services import subscriptions as subs
from core.services.pagination import Page

TZ = "Asia/Almaty"  # what DEFAULT_TIMEZONE holds in production


def _code() -> str:
    import secrets

    return f"{secrets.randbelow(10**8):08d}"


def _notes(session, user, type_):
    return session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                      Notification.type == type_)).all()


def test_request_copies_amount_and_limits_from_the_plan_and_notifies_admins(session, make):
    admin, user = make.admin(full_name="Админ А"), make.student(full_name="Асель Нурланова")
    now = utcnow()
    sub = subs.request_subscription(session, actor=user, type="ONETIME_PURCHASE", payment_comment=_code(), now=now)
    assert (sub.status, sub.amount, sub.currency, sub.max_kruzhoks, sub.max_classes_per_kruzhok,
            sub.max_students_per_class) == ("PENDING", 2000, "KZT", 1, 2, 30)
    [note] = _notes(session, admin, "SUBSCRIPTION_REQUEST")
    assert "Асель Нурланова" in note.message and "2000" in note.message
    assert session.scalar(select(AuditEvent).where(AuditEvent.entity_id == sub.id,
                                                   AuditEvent.action == "subscription.request"))


@pytest.mark.parametrize("code", ["123", "123456789", "12a4", "", "12 34", "１２３４"])
def test_payment_comment_must_be_4_to_8_digits(session, make, code):
    with pytest.raises(Invalid) as err:
        subs.request_subscription(session, actor=make.student(), type="ONETIME_PURCHASE", payment_comment=code,
                                  now=utcnow())
    assert err.value.details["fields"][0]["field"] == "paymentComment"
    assert "4–8 цифр" in err.value.message


def test_unknown_or_inactive_plan_is_422(session, make):
    plan = make.plan(is_active=False)
    for type_ in ("GOLD", plan.code):
        with pytest.raises(Invalid):
            subs.request_subscription(session, actor=make.student(), type=type_, payment_comment=_code(),
                                      now=utcnow())


def test_anonymous_cannot_request(session):
    with pytest.raises(Unauthorized):
        subs.request_subscription(session, actor=None, type="ONETIME_PURCHASE", payment_comment="1234", now=utcnow())


def test_reused_payment_code_is_409(session, make):
    code = _code()
    subs.request_subscription(session, actor=make.student(), type="ONETIME_PURCHASE", payment_comment=code,
                              now=utcnow())
    with pytest.raises(Conflict) as err:
        subs.request_subscription(session, actor=make.student(), type="MONTHLY_SUBSCRIPTION", payment_comment=code,
                                  now=utcnow())
    assert err.value.code == "duplicate_payment_code"


def test_three_requests_a_day_then_429(session, make):
    user, now = make.student(), utcnow()
    for i in range(3):
        subs.request_subscription(session, actor=user, type="ONETIME_PURCHASE", payment_comment=_code(),
                                  now=now + timedelta(minutes=i))
    with pytest.raises(RateLimited):
        subs.request_subscription(session, actor=user, type="ONETIME_PURCHASE", payment_comment=_code(),
                                  now=now + timedelta(hours=1))
    subs.request_subscription(session, actor=user, type="ONETIME_PURCHASE", payment_comment=_code(),
                              now=now + timedelta(days=1, minutes=1))


def test_approve_activates_for_plan_days_notifies_and_emails(session, make):
    admin, user, now = make.admin(), make.student(), utcnow()
    sub = subs.request_subscription(session, actor=user, type="ONETIME_PURCHASE", payment_comment=_code(), now=now)
    subs.approve_subscription(session, subscription_id=sub.id, actor=admin, now=now, timezone=TZ)
    assert sub.status == "ACTIVE" and sub.confirmed_by_id == admin.id and sub.confirmed_at == now
    assert sub.expires_at == now + timedelta(days=365)
    [note] = _notes(session, user, "SUBSCRIPTION_APPROVED")
    assert note.message == "Подписка активирована. Теперь вы можете создавать кружки!"
    assert session.scalar(select(EmailOutbox).where(EmailOutbox.to_addr == user.email))
    status = subs.my_subscription_status(session, actor=user, now=now)
    assert status.active is True and status.status == "ACTIVE"
    got = status.limits
    assert (got.max_kruzhoks, got.max_classes_per_kruzhok, got.max_students_per_class) == (1, 2, 30)


def test_second_approve_is_a_conflict_and_notifies_once(session, make):
    admin, user, now = make.admin(), make.student(), utcnow()
    sub = subs.request_subscription(session, actor=user, type="ONETIME_PURCHASE", payment_comment=_code(), now=now)
    subs.approve_subscription(session, subscription_id=sub.id, actor=admin, now=now, timezone=TZ)
    with pytest.raises(Conflict) as err:
        subs.approve_subscription(session, subscription_id=sub.id, actor=admin, now=now, timezone=TZ)
    assert err.value.code == "not_pending"
    with pytest.raises(Conflict):
        subs.reject_subscription(session, subscription_id=sub.id, actor=admin, reason="нет", now=now)
    assert len(_notes(session, user, "SUBSCRIPTION_APPROVED")) == 1


def test_renewal_extends_from_the_current_expiry(session, make):
    admin, user, now = make.admin(), make.student(), utcnow()
    current = make.subscription(user, expires_at=now + timedelta(days=10))
    sub = subs.request_subscription(session, actor=user, type="MONTHLY_SUBSCRIPTION", payment_comment=_code(),
                                    now=now)
    subs.approve_subscription(session, subscription_id=sub.id, actor=admin, now=now, timezone=TZ)
    assert sub.expires_at == current.expires_at + timedelta(days=30)


def test_approve_with_limit_overrides_validated(session, make):
    admin, user, now = make.admin(), make.student(), utcnow()
    sub = subs.request_subscription(session, actor=user, type="ONETIME_PURCHASE", payment_comment=_code(), now=now)
    for bad in (-1, 100_001, True, 2.5, "2.5", "abc"):
        with pytest.raises(Invalid):
            subs.approve_subscription(session, subscription_id=sub.id, actor=admin, now=now, timezone=TZ,
                                      limits={"max_students_per_class": bad})
    assert sub.status == "PENDING"
    subs.approve_subscription(session, subscription_id=sub.id, actor=admin, now=now, timezone=TZ,
                              limits={"max_kruzhoks": 3, "max_students_per_class": "40"})
    assert (sub.max_kruzhoks, sub.max_classes_per_kruzhok, sub.max_students_per_class) == (3, 2, 40)


def test_reject_requires_a_reason_and_notifies_with_it(session, make):
    admin, user, now = make.admin(), make.student(), utcnow()
    sub = subs.request_subscription(session, actor=user, type="ONETIME_PURCHASE", payment_comment=_code(), now=now)
    with pytest.raises(Invalid):
        subs.reject_subscription(session, subscription_id=sub.id, actor=admin, reason="  ", now=now)
    subs.reject_subscription(session, subscription_id=sub.id, actor=admin, reason="Платёж не найден", now=now)
    assert sub.status == "REJECTED" and sub.rejection_reason == "Платёж не найден"
    [note] = _notes(session, user, "SUBSCRIPTION_REJECTED")
    assert note.message == "Оплата не подтверждена. Причина: Платёж не найден. Свяжитесь с поддержкой."
    assert subs.my_subscription_status(session, actor=user, now=now).status == "REJECTED"


def test_only_admins_approve_reject_and_list(session, make):
    user, now = make.student(), utcnow()
    sub = subs.request_subscription(session, actor=user, type="ONETIME_PURCHASE", payment_comment=_code(), now=now)
    for actor in (user, make.support(), make.mentor_user()):
        with pytest.raises(Forbidden):
            subs.approve_subscription(session, subscription_id=sub.id, actor=actor, now=now, timezone=TZ)
        with pytest.raises(Forbidden):
            subs.reject_subscription(session, subscription_id=sub.id, actor=actor, reason="x", now=now)
        with pytest.raises(Forbidden):
            subs.list_pending(session, actor=actor, page=Page())
    with pytest.raises(NotFound):
        subs.approve_subscription(session, subscription_id="nope", actor=make.admin(), now=now, timezone=TZ)


def test_pending_list_oldest_first_with_club_count(session, make):
    admin, now = make.admin(), utcnow()
    owner = make.mentor_user()
    make.club(owner)
    first = subs.request_subscription(session, actor=owner, type="ONETIME_PURCHASE", payment_comment=_code(),
                                      now=now - timedelta(hours=2))
    second = subs.request_subscription(session, actor=make.student(), type="ONETIME_PURCHASE",
                                       payment_comment=_code(), now=now - timedelta(hours=1))
    items, total = subs.list_pending(session, actor=admin, page=Page(100, 0))
    ids = [s.id for s, _ in items]
    assert ids.index(first.id) < ids.index(second.id) and total >= 2
    assert dict((s.id, c) for s, c in items)[first.id] == 1


def test_status_expired_at_once_without_the_job(session, make):
    user, now = make.student(), utcnow()
    make.subscription(user, expires_at=now - timedelta(seconds=1))
    status = subs.my_subscription_status(session, actor=user, now=now)
    assert status.active is False and status.status == "EXPIRED"
    assert status.limits.max_kruzhoks == 0


def test_status_of_a_new_user(session, make):
    user = make.student()
    code = _code()
    subs.request_subscription(session, actor=user, type="ONETIME_PURCHASE", payment_comment=code, now=utcnow())
    status = subs.my_subscription_status(session, actor=user, now=utcnow())
    assert status.active is False and status.status is None
    assert status.pending[0].payment_comment == code
    assert status.usage == subs.Usage(kruzhoks=0, classes_per_kruzhok={})


def test_approval_email_shows_the_local_expiry_date(session, make):
    """Expires 29.02.2032 20:00 UTC (365 days, a leap year) = 01.03.2032 01:00 in Almaty (UTC+5)."""
    from datetime import UTC, datetime
    admin, user = make.admin(), make.student()
    now = datetime(2031, 3, 1, 20, 0, tzinfo=UTC)
    sub = subs.request_subscription(session, actor=user, type="ONETIME_PURCHASE", payment_comment=_code(), now=now)
    subs.approve_subscription(session, subscription_id=sub.id, actor=admin, now=now, timezone=TZ)
    mail = session.scalar(select(EmailOutbox).where(EmailOutbox.to_addr == user.email))
    assert "Подписка действует до 01.03.2032." in mail.body_text


def test_editing_the_plan_never_changes_what_a_pending_request_grants(session, make):
    from core.services import plans
    from tests.factories_clubs import default_plan

    admin = make.admin()
    plan = default_plan(session)
    now = utcnow()
    sub = subs.request_subscription(session, actor=make.student(), type=plan.code,
                                    payment_comment=_code(), now=now)
    assert (sub.amount, sub.duration_days) == (plan.price, plan.duration_days)
    plans.update_plan(session, actor=admin, plan_id=plan.id,
                      values={"duration_days": plan.duration_days + 100, "price": plan.price + 500,
                              "max_students_per_class": 99}, now=now)
    subs.approve_subscription(session, subscription_id=sub.id, actor=admin, now=now, timezone=TZ)
    assert sub.expires_at == now + timedelta(days=365)
    assert (sub.amount, sub.max_students_per_class) == (2000, 30)
