"""Back-office Подписки / Тарифы / Кружки / Классы: pending first with the card data, Одобрить and
Отклонить through the same services (CSRF), SUPPORT read-only, plan edits validated and audited."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select

from core.clock import utcnow
from core.models import AuditEvent, ClubClass, Kruzhok, Notification, Subscription
from core.services import subscriptions
from core.services.pagination import Page
from tests.admin.helpers import ORIGIN, csrf_of, login
from tests.factories_clubs import default_plan, make_class


def _request(session, user, now=None):
    return subscriptions.request_subscription(session, actor=user, type="ONETIME_PURCHASE",
                                              payment_comment=f"{secrets.randbelow(10**8):08d}",
                                              now=now or utcnow())


def _post(client, url, data):
    token = csrf_of(client)
    return client.post(url, data={"csrf_token": token, **data}, headers=ORIGIN, follow_redirects=True)


def _notes(session, user_id, type_):
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user_id, Notification.type == type_))


def test_list_shows_pending_first_with_the_card_data(client, make, session):
    admin = make.admin()
    owner = make.mentor_user(full_name="Айдана Сапарова")
    make.club(owner)
    done = make.subscription(make.student(), created_at=utcnow() + timedelta(hours=1))
    pending = _request(session, owner)
    older = _request(session, make.student(), now=utcnow() - timedelta(hours=2))
    login(client, admin)
    page = client.get("/admin/subscription/list").text
    # pending first, oldest first (first come, first served — the API queue's order)
    assert page.index(older.payment_comment) < page.index(pending.payment_comment) < page.index(done.payment_comment)
    api_order = [s.id for s, _ in subscriptions.list_pending(session, actor=admin, page=Page.of(100, 0))[0]]
    assert api_order.index(older.id) < api_order.index(pending.id)
    for text in ("Айдана Сапарова", owner.email, "2000 KZT", "Разовая покупка", "кружков: 1", "Ожидает",
                 owner.created_at.strftime("%d.%m.%Y")):
        assert text in page, text


def test_list_runs_a_bounded_number_of_queries(client, make, session, count_queries):
    login(client, make.admin())
    _request(session, make.student())
    with count_queries() as few:
        client.get("/admin/subscription/list")
    for _ in range(6):
        _request(session, make.student())
    with count_queries() as many:
        client.get("/admin/subscription/list")
    assert many() == few()


def test_approve_action_calls_the_service_once(client, make, session):
    user = make.student()
    sub = _request(session, user)
    login(client, make.admin())
    url = "/admin/subscription/form-action/approve"
    r = _post(client, url, {"pks": sub.id, "max_kruzhoks": "", "max_classes_per_kruzhok": "",
                            "max_students_per_class": "40"})
    assert r.status_code == 200 and "Подписка одобрена" in r.text
    session.expire_all()
    sub = session.get(Subscription, sub.id)
    assert sub.status == "ACTIVE" and sub.max_students_per_class == 40 and sub.max_kruzhoks == 1
    r = _post(client, url, {"pks": sub.id})
    assert "Заявка уже обработана" in r.text
    assert _notes(session, user.id, "SUBSCRIPTION_APPROVED") == 1
    assert session.scalar(select(AuditEvent).where(AuditEvent.entity_id == sub.id,
                                                   AuditEvent.action == "subscription.approve"))


def test_reject_needs_a_reason(client, make, session):
    user = make.student()
    sub = _request(session, user)
    login(client, make.admin())
    url = "/admin/subscription/form-action/reject"
    r = _post(client, url, {"pks": sub.id, "reason": "  "})
    assert "Причина отклонения" in r.text
    session.expire_all()
    assert session.get(Subscription, sub.id).status == "PENDING"
    r = _post(client, url, {"pks": sub.id, "reason": "Платёж не найден"})
    assert "Заявка отклонена" in r.text
    session.expire_all()
    assert session.get(Subscription, sub.id).status == "REJECTED"


def test_negative_override_is_refused(client, make, session):
    sub = _request(session, make.student())
    login(client, make.admin())
    r = _post(client, "/admin/subscription/form-action/approve", {"pks": sub.id, "max_students_per_class": "-5"})
    assert "от 0 до 100000" in r.text
    session.expire_all()
    assert session.get(Subscription, sub.id).status == "PENDING"


def test_support_sees_the_list_read_only(client, make, session):
    sub = _request(session, make.student())
    login(client, make.support())
    assert client.get("/admin/subscription/list").status_code == 200
    assert client.get(f"/admin/subscription/details/{sub.id}").status_code == 200
    token = csrf_of(client)
    r = client.post("/admin/subscription/form-action/approve", data={"csrf_token": token, "pks": sub.id},
                    headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/admin/subscription-plan/list").status_code == 200
    session.expire_all()
    assert session.get(Subscription, sub.id).status == "PENDING"


def test_details_page_has_both_modals(client, make, session):
    sub = _request(session, make.student())
    login(client, make.admin())
    page = client.get(f"/admin/subscription/details/{sub.id}").text
    assert "modal-approve" in page and "modal-reject" in page and "кружков: 0" in page


def _plan_form(plan, **changes):
    data = {"title": plan.title, "price": str(plan.price), "duration_days": str(plan.duration_days),
            "max_kruzhoks": str(plan.max_kruzhoks), "max_classes_per_kruzhok": str(plan.max_classes_per_kruzhok),
            "max_students_per_class": str(plan.max_students_per_class), "is_active": "y", "save": "Save"}
    data.update(changes)
    return data


def test_plan_edit_is_validated_and_audited(client, make, session):
    plan = default_plan(session, "MONTHLY_SUBSCRIPTION")
    login(client, make.admin())
    url = f"/admin/subscription-plan/edit/{plan.id}"
    r = _post(client, url, _plan_form(plan, price="-1"))
    assert r.status_code == 400 and "не меньше" in r.text
    r = _post(client, url, _plan_form(plan, price="1500", max_students_per_class="25"))
    assert r.status_code == 200, r.text[:500]
    session.expire_all()
    plan = default_plan(session, "MONTHLY_SUBSCRIPTION")
    assert (plan.price, plan.max_students_per_class) == (1500, 25)
    assert session.scalar(select(AuditEvent).where(AuditEvent.entity_id == plan.id, AuditEvent.action == "plan.update"))


def test_club_and_class_views_show_codes_and_edit_through_services(client, make, session):
    club = make.club(title="Кружок Альфа")
    klass = make_class(session, club, name="Группа Альфа")
    login(client, make.admin())
    assert "Кружок Альфа" in client.get("/admin/kruzhok/list").text
    assert klass.join_code in client.get("/admin/club-class/list").text
    r = _post(client, f"/admin/club-class/edit/{klass.id}", {"name": "Группа Бета", "is_active": "y", "save": "Save"})
    assert r.status_code == 200
    r = _post(client, f"/admin/kruzhok/edit/{club.id}", {"title": "", "description": "", "timezone": "Asia/Almaty",
                                                          "is_active": "y"})
    assert r.status_code == 400
    session.expire_all()
    assert session.get(ClubClass, klass.id).name == "Группа Бета"
    assert session.get(Kruzhok, club.id).title == "Кружок Альфа"  # the refused edit changed nothing
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == klass.id,
                                                       AuditEvent.action == "class.admin_edit")).all()
    assert "Группа Бета" in str(event.data)
    assert session.scalar(select(AuditEvent).where(AuditEvent.entity_id == club.id)) is None
