"""Subscriptions through real HTTP: request, status, admin queue, approve/reject and the permission matrix."""

import re
import secrets

import pytest

from tests.factories import token_for


def _code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def _request(client, headers, code=None, type_="ONETIME_PURCHASE"):
    return client.post("/api/subscriptions/request", headers=headers,
                       json={"type": type_, "paymentComment": code or _code()})


def test_plans_are_public(client):
    body = client.get("/api/plans").json()
    onetime = next(p for p in body["items"] if p["code"] == "ONETIME_PURCHASE")
    assert onetime["price"] == 2000 and onetime["currency"] == "KZT" and onetime["durationDays"] == 365
    assert onetime["limits"] == {"maxKruzhoks": 1, "maxClassesPerKruzhok": 2, "maxStudentsPerClass": 30}


def test_request_then_status_then_queue_then_approve(app, client, make):
    user, admin = make.student(), make.admin()
    headers = token_for(app, user)
    r = _request(client, headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["success"] and body["message"] == "Заявка отправлена. Ожидайте проверки."
    assert body["subscription"]["amount"] == 2000 and body["subscription"]["status"] == "PENDING"
    status = client.get("/api/subscriptions/my", headers=headers).json()
    assert status["active"] is False and status["pending"][0]["id"] == body["subscriptionId"]
    queue = client.get("/api/admin/subscriptions/pending?limit=100", headers=token_for(app, admin)).json()
    item = next(i for i in queue["items"] if i["id"] == body["subscriptionId"])
    assert item["user"]["email"] == user.email and item["user"]["clubsCount"] == 0 and item["amount"] == 2000
    r = client.post(f"/api/subscriptions/{body['subscriptionId']}/approve", headers=token_for(app, admin))
    assert r.status_code == 200 and r.json()["status"] == "ACTIVE"
    assert r.json()["success"] is True  # answered like the request
    assert r.json()["message"] == "Подписка активирована. Теперь вы можете создавать кружки!"
    again = client.post(f"/api/subscriptions/{body['subscriptionId']}/approve", headers=token_for(app, admin))
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_pending"
    status = client.get("/api/subscriptions/my", headers=headers).json()
    assert status["active"] is True and status["limits"]["maxKruzhoks"] == 1 and status["pending"] == []


def test_client_cannot_send_the_amount(app, client, make):
    r = client.post("/api/subscriptions/request", headers=token_for(app, make.student()),
                    json={"type": "ONETIME_PURCHASE", "paymentComment": _code(), "amount": 1})
    assert r.status_code == 422


@pytest.mark.parametrize("payload", [
    {"type": "ONETIME_PURCHASE", "paymentComment": "12"},
    {"type": "ONETIME_PURCHASE", "paymentComment": 12345},
    {"type": "GOLD", "paymentComment": "12345"},
    {"paymentComment": "12345"},
    {"type": "ONETIME_PURCHASE", "paymentComment": "12345", "paymentProofUrl": "javascript:alert(1)"},
])
def test_bad_requests_are_422_in_russian(app, client, make, payload):
    r = client.post("/api/subscriptions/request", headers=token_for(app, make.student()), json=payload)
    assert r.status_code == 422
    error = r.json()["error"]
    texts = [error["message"], *(f["message"] for f in error["details"].get("fields", []))]
    assert error["details"]["fields"], error
    for text in texts:  # Russian, and no pydantic English leaking through
        assert re.search("[а-яё]", text, re.IGNORECASE), text
        assert not re.search(r"\b(field|required|input|should|value)\b", text, re.IGNORECASE), text


def test_duplicate_code_409_and_rate_limit_429(app, client, make):
    code = _code()
    assert _request(client, token_for(app, make.student()), code).status_code == 201
    r = _request(client, token_for(app, make.student()), code)
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_payment_code"
    headers = token_for(app, make.student())
    for _ in range(3):
        assert _request(client, headers).status_code == 201
    r = _request(client, headers)
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_reject_needs_a_reason(app, client, make):
    admin = token_for(app, make.admin())
    sub_id = _request(client, token_for(app, make.student())).json()["subscriptionId"]
    assert client.post(f"/api/subscriptions/{sub_id}/reject", headers=admin, json={}).status_code == 422
    assert client.post(f"/api/subscriptions/{sub_id}/reject", headers=admin,
                       json={"reason": "  "}).status_code == 422
    r = client.post(f"/api/subscriptions/{sub_id}/reject", headers=admin, json={"reason": "Нет платежа"})
    assert r.status_code == 200 and r.json()["status"] == "REJECTED"
    r = client.post(f"/api/subscriptions/{sub_id}/reject", headers=admin, json={"reason": "Снова"})
    assert r.status_code == 409


def test_approve_with_overrides(app, client, make):
    admin = token_for(app, make.admin())
    sub_id = _request(client, token_for(app, make.student())).json()["subscriptionId"]
    for value in (-1, 100_001, True, 1.5, "40"):  # JSON booleans are not numbers (pydantic would say 1)
        bad = client.post(f"/api/subscriptions/{sub_id}/approve", headers=admin, json={"maxStudentsPerClass": value})
        assert bad.status_code == 422, (value, bad.text)
        field = bad.json()["error"]["details"]["fields"][0]
        assert field["field"] == "maxStudentsPerClass" and field["message"].startswith(("Ожидается", "Значение"))
    assert client.get("/api/admin/subscriptions/pending", headers=admin).json()["total"] >= 1  # still pending
    r = client.post(f"/api/subscriptions/{sub_id}/approve", headers=admin, json={"maxStudentsPerClass": 45})
    assert r.json()["limits"]["maxStudentsPerClass"] == 45


@pytest.mark.parametrize("who, expected", [
    ("anonymous", 401), ("student", 403), ("mentor", 403), ("support", 403), ("admin", 200),
])
def test_admin_endpoints_matrix(app, client, make, who, expected):
    sub_id = _request(client, token_for(app, make.student())).json()["subscriptionId"]
    users = {"student": make.student, "mentor": make.mentor_user, "support": make.support, "admin": make.admin}
    headers = token_for(app, users[who]()) if who != "anonymous" else {}
    assert client.get("/api/admin/subscriptions/pending", headers=headers).status_code == expected
    r = client.post(f"/api/subscriptions/{sub_id}/approve", headers=headers)
    assert r.status_code == expected
    assert client.get("/api/subscriptions/my", headers=headers).status_code == (401 if who == "anonymous" else 200)
