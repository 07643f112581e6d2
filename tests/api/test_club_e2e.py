"""The design document's Test 3 end to end over real HTTP: register → request → admin approves →
notification → club and two classes → third class refused with the upgrade offer → 30 students join
by code → the 31st gets class_full."""

import secrets

from core.clock import utcnow
from tests.factories import token_for


def test_club_creation_flow(app, client, make):
    admin = make.admin()
    admin_headers = token_for(app, admin)

    r = client.post("/api/auth/register", json={"email": f"m{secrets.token_hex(4)}@example.kz",
                                                "password": "secret-pass-1", "fullName": "Ментор Новый"})
    assert r.status_code == 201
    mentor = {"Authorization": f"Bearer {r.json()['token']}"}

    code = f"{secrets.randbelow(10**8):08d}"
    r = client.post("/api/subscriptions/request", headers=mentor,
                    json={"type": "ONETIME_PURCHASE", "paymentComment": code})
    assert r.status_code == 201 and r.json()["message"] == "Заявка отправлена. Ожидайте проверки."
    sub_id = r.json()["subscriptionId"]
    admin_notes = client.get("/api/notifications", headers=admin_headers).json()["items"]
    assert any(n["type"] == "SUBSCRIPTION_REQUEST" and "Ментор Новый" in n["message"] for n in admin_notes)

    queue = client.get("/api/admin/subscriptions/pending?limit=100", headers=admin_headers).json()
    assert any(i["id"] == sub_id and i["paymentComment"] == code for i in queue["items"])
    assert client.post(f"/api/subscriptions/{sub_id}/approve", headers=admin_headers).status_code == 200

    notes = client.get("/api/notifications", headers=mentor).json()
    assert notes["items"][0]["message"] == "Подписка активирована. Теперь вы можете создавать кружки!"
    assert client.get("/api/subscriptions/my", headers=mentor).json()["active"] is True

    r = client.post("/api/kruzhok", headers=mentor, json={"title": "Кружок робототехники", "description": "Суббота"})
    assert r.status_code == 201
    club_id = r.json()["id"]
    codes = []
    for name in ("Группа А", "Группа Б"):
        r = client.post(f"/api/kruzhok/{club_id}/classes", headers=mentor, json={"name": name})
        assert r.status_code == 201
        codes.append(r.json()["joinCode"])
    r = client.post(f"/api/kruzhok/{club_id}/classes", headers=mentor, json={"name": "Группа В"})
    assert r.status_code == 403
    error = r.json()["error"]
    assert error["code"] == "limit_exceeded"
    assert error["message"] == "Вы достигли лимита классов. Обновите подписку для увеличения лимита."
    assert error["details"]["current"] == 2 and error["details"]["max"] == 2
    assert {p["code"] for p in error["details"]["upgrade"]["plans"]} >= {"ONETIME_PURCHASE", "MONTHLY_SUBSCRIPTION"}

    students = [make.student(created_at=utcnow()) for _ in range(31)]
    for student in students[:30]:
        r = client.post("/api/clubs/join", headers=token_for(app, student), json={"code": codes[0]})
        assert r.status_code == 201, r.text
    r = client.post("/api/clubs/join", headers=token_for(app, students[30]), json={"code": codes[0]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "class_full"
    r = client.post("/api/clubs/join", headers=token_for(app, students[30]), json={"code": codes[1]})
    assert r.status_code == 201

    directory = client.get("/api/clubs?limit=100").json()["items"]
    assert next(c for c in directory if c["id"] == club_id)["memberCount"] == 31
