"""Course purchases over HTTP: the 403 payment_required link leads to a working purchase route, the
admin queue, approve (→ enrolment, notification, email), reject, and Russian errors for bad input."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from core.models import Purchase
from tests.factories import token_for


def _code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def test_payment_required_link_leads_to_the_purchase_and_approval_opens_the_course(app, client, make, session):
    admin = token_for(app, make.admin())
    course = make.course(title="Python для роботов", is_free=False, price=12000)
    student_user = make.student(full_name="Асель Бекова")
    student = token_for(app, student_user)

    r = client.post(f"/api/courses/{course.id}/enroll", headers=student)
    assert r.status_code == 403 and r.json()["error"]["code"] == "payment_required"
    link = r.json()["error"]["details"]["purchaseUrl"]
    code = _code()
    r = client.post(link, headers=student, json={"senderCode": code, "payerFullName": "Бекова Асель",
                                                 "amount": 1})
    assert r.status_code == 422  # the client never sends the amount
    r = client.post(link, headers=student, json={"senderCode": code, "payerFullName": "Бекова Асель"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["success"] is True and body["message"] == "Заявка отправлена. Ожидайте проверки."
    assert {k: body["purchase"][k] for k in ("status", "amount", "currency", "courseTitle", "senderCode")} == {
        "status": "PENDING", "amount": 12000, "currency": "KZT", "courseTitle": "Python для роботов",
        "senderCode": code}
    purchase_id = body["purchaseId"]
    assert client.get("/api/purchases/my", headers=student).json()["items"][0]["id"] == purchase_id

    queue = client.get("/api/admin/purchases/pending?limit=100", headers=admin).json()
    [item] = [i for i in queue["items"] if i["id"] == purchase_id]
    assert item["user"]["fullName"] == "Асель Бекова" and item["amount"] == 12000
    r = client.post(f"/api/purchases/{purchase_id}/approve", headers=admin)
    assert r.status_code == 200 and r.json()["success"] is True and r.json()["purchase"]["status"] == "APPROVED"
    assert client.post(f"/api/purchases/{purchase_id}/approve", headers=admin).json()["error"]["code"] == "not_pending"
    assert client.get(f"/api/courses/{course.id}", headers=student).json()["isEnrolled"] is True
    note = client.get("/api/notifications", headers=student).json()["items"][0]
    assert note["type"] == "PURCHASE_APPROVED" and "«Python для роботов» открыт" in note["message"]


def test_reject_needs_a_reason_and_tells_the_user(app, client, make):
    admin = token_for(app, make.admin())
    course = make.course(is_free=False, price=3000)
    student = token_for(app, make.student())
    pid = client.post(f"/api/courses/{course.id}/purchase", headers=student,
                      json={"senderCode": _code()}).json()["purchaseId"]
    r = client.post(f"/api/purchases/{pid}/reject", headers=admin, json={})
    assert r.status_code == 422
    r = client.post(f"/api/purchases/{pid}/reject", headers=admin, json={"reason": "   "})
    assert r.status_code == 422 and r.json()["error"]["message"] == "Укажите причину отклонения"
    r = client.post(f"/api/purchases/{pid}/reject", headers=admin, json={"reason": "Перевод не найден"})
    assert r.status_code == 200 and r.json()["purchase"]["rejectionReason"] == "Перевод не найден"
    note = client.get("/api/notifications", headers=student).json()["items"][0]
    assert note["message"] == "Оплата не подтверждена. Причина: Перевод не найден. Свяжитесь с поддержкой."


def test_bad_purchase_input_is_a_russian_error_and_nothing_is_created(app, client, make, session):
    student_user = make.student()
    student = token_for(app, student_user)
    paid = make.course(is_free=False, price=3000)
    free = make.course()
    cases = [
        (f"/api/courses/{free.id}/purchase", {"senderCode": _code()}, 409, "course_is_free"),
        ("/api/courses/nope/purchase", {"senderCode": _code()}, 404, "not_found"),
        (f"/api/courses/{paid.id}/purchase", {"senderCode": "12ab"}, 422, "validation_error"),
        (f"/api/courses/{paid.id}/purchase", {"senderCode": 123456}, 422, "validation_error"),
        (f"/api/courses/{paid.id}/purchase", {}, 422, "validation_error"),
        (f"/api/courses/{paid.id}/purchase", {"senderCode": _code(), "payerFullName": "я" * 401}, 422,
         "validation_error"),
    ]
    for url, body, status, code in cases:
        r = client.post(url, headers=student, json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (url, body, r.text)
        assert r.json()["error"]["message"]
    assert session.scalar(select(func.count()).select_from(Purchase)
                          .where(Purchase.user_id == student_user.id)) == 0


def test_purchase_doors(app, client, make):
    course = make.course(is_free=False, price=3000)
    assert client.post(f"/api/courses/{course.id}/purchase", json={"senderCode": _code()}).status_code == 401
    for who in (make.student(), make.support()):
        headers = token_for(app, who)
        assert client.get("/api/admin/purchases/pending", headers=headers).status_code == 403
        assert client.post("/api/purchases/nope/approve", headers=headers).status_code == 403
        assert client.post("/api/purchases/nope/reject", headers=headers, json={"reason": "x"}).status_code == 403
    admin = token_for(app, make.admin())
    assert client.post("/api/purchases/nope/approve", headers=admin).status_code == 404


def test_plans_and_course_purchase_info_carry_the_payment_instructions(app, client, make, settings):
    settings.kaspi_phone = "+7 701 234 56 78"
    settings.kaspi_recipient = "ТОО S7 Robotics"
    plans = client.get("/api/plans").json()["items"]
    onetime = next(p for p in plans if p["code"] == "ONETIME_PURCHASE")
    assert onetime["payment"]["title"] == "Открытие кружка"
    assert onetime["payment"]["description"] == (
        f"Для открытия кружка оплатите {onetime['price']}₸. Переведите сумму на указанный номер.")
    assert onetime["payment"]["transferText"] == f"Переведите {onetime['price']}₸ на номер: +7 701 234 56 78"
    assert onetime["payment"]["commentNote"] == "В комментарии к платежу укажите ваш email"
    assert onetime["payment"]["recipientName"] == "ТОО S7 Robotics"

    course = make.course(title="ЧПУ", is_free=False, price=9000)
    info = client.get(f"/api/courses/{course.id}/purchase").json()
    assert info["payment"]["description"] == (
        "Для доступа к курсу «ЧПУ» оплатите 9000₸. Переведите сумму на указанный номер.")
    assert info["purchaseUrl"] == f"/api/courses/{course.id}/purchase" and info["isEnrolled"] is False
    student = token_for(app, make.student())
    client.post(f"/api/courses/{course.id}/purchase", headers=student, json={"senderCode": _code()})
    assert client.get(f"/api/courses/{course.id}/purchase", headers=student).json()["pendingPurchase"]["amount"] == 9000
    assert client.get(f"/api/courses/{make.course().id}/purchase").json()["payment"] is None
    assert client.get("/api/courses/nope/purchase").status_code == 404
