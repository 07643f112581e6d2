"""Back-office Платежи: pending first (oldest first), Одобрить / Отклонить modals through the services."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select

from core.clock import utcnow
from core.models import CourseEnrollment, Notification
from core.services import purchases
from tests.admin.helpers import ORIGIN, csrf_of, login


def _buy(session, user, course, now=None):
    return purchases.request_purchase(session, actor=user, course_id=course.id,
                                      sender_code=f"{secrets.randbelow(10**8):08d}", now=now or utcnow())


def _post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_of(client), **data}, headers=ORIGIN, follow_redirects=True)


def test_list_shows_pending_first_oldest_first(client, make, session):
    admin = make.admin()
    course = make.course(title="Курс по ЧПУ", is_free=False, price=8000)
    now = utcnow()
    done = _buy(session, make.student(), course, now=now - timedelta(days=2))
    purchases.approve_purchase(session, actor=admin, purchase_id=done.id, now=now)
    newer = _buy(session, make.student(full_name="Новый Покупатель"), course, now=now)
    older = _buy(session, make.student(), course, now=now - timedelta(hours=1))
    login(client, admin)
    page = client.get("/admin/purchase/list").text
    assert page.index(older.sender_code) < page.index(newer.sender_code) < page.index(done.sender_code)
    for text in ("Новый Покупатель", "Курс по ЧПУ", "8000 KZT", "Ожидает", "Одобрена"):
        assert text in page, text
    detail = client.get(f"/admin/purchase/details/{newer.id}").text
    assert "Одобрить" in detail and "Отклонить" in detail
    assert "form-action/approve" not in client.get(f"/admin/purchase/details/{done.id}").text


def test_approve_and_reject_modals_call_the_services(client, make, session):
    course = make.course(is_free=False, price=8000)
    buyer, other = make.student(), make.student()
    p1, p2 = _buy(session, buyer, course), _buy(session, other, course)
    login(client, make.admin())
    assert "Оплата одобрена" in _post(client, "/admin/purchase/form-action/approve", {"pks": p1.id}).text
    assert "Заполните поле «Причина отклонения»" in _post(client, "/admin/purchase/form-action/reject",
                                                          {"pks": p2.id, "reason": ""}).text
    assert "Заявка отклонена" in _post(client, "/admin/purchase/form-action/reject",
                                       {"pks": p2.id, "reason": "Нет перевода"}).text
    again = _post(client, "/admin/purchase/form-action/approve", {"pks": p1.id}).text
    assert "Заявка уже обработана" in again
    session.expire_all()
    assert (p1.status, p2.status) == ("APPROVED", "REJECTED")
    assert session.scalar(select(func.count()).select_from(CourseEnrollment)
                          .where(CourseEnrollment.user_id == buyer.id)) == 1
    assert session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == buyer.id, Notification.type == "PURCHASE_APPROVED")) == 1


def test_approve_buttons_are_green_and_reject_red(client, make, session):
    p = _buy(session, make.student(), make.course(is_free=False, price=100))
    sub_user = make.student()
    from core.services import subscriptions
    sub = subscriptions.request_subscription(session, actor=sub_user, type="ONETIME_PURCHASE",
                                             payment_comment=f"{secrets.randbelow(10**8):08d}", now=utcnow())
    login(client, make.admin())
    for url in (f"/admin/purchase/details/{p.id}", f"/admin/subscription/details/{sub.id}"):
        page = client.get(url).text
        assert 'class="btn btn-success" data-s7-open="modal-approve"' in page, url
        assert 'class="btn btn-danger" data-s7-open="modal-reject"' in page, url


def test_list_runs_a_bounded_number_of_queries(client, make, session, count_queries):
    course = make.course(is_free=False, price=100)
    login(client, make.admin())
    _buy(session, make.student(), course)
    with count_queries() as few:
        client.get("/admin/purchase/list")
    for _ in range(6):
        _buy(session, make.student(), make.course(is_free=False, price=100))
    with count_queries() as many:
        client.get("/admin/purchase/list")
    assert many() == few()
