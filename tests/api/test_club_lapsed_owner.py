"""What happens to a club when its owner's subscription lapses or shrinks (documented behaviour):
nothing existing is deleted or hidden — classes, codes and enrolled students stay; only growth stops.
Expiry counts at once (no job has run)."""

from __future__ import annotations

from datetime import timedelta

from core.clock import utcnow
from tests.factories import token_for
from tests.factories_clubs import make_class


def _error(r):
    return r.status_code, r.json()["error"]["code"]


def test_lapsed_then_smaller_subscription_keeps_everything_and_stops_growth(app, client, make):
    owner = make.student()
    sub = make.subscription(owner, max_classes_per_kruzhok=2, max_students_per_class=2)
    club = make.club(owner)
    full, empty = make_class(make.session, club), make_class(make.session, club)
    members = [make.student(), make.student()]
    for student in members:
        make.enrollment(full, student)
    headers = token_for(app, owner)
    newcomer = make.student()
    r = client.post(f"/api/kruzhok/classes/{empty.id}/students", headers=headers, json={"email": newcomer.email})
    assert r.status_code == 202  # invited while the subscription was active
    early_invitation = r.json()["id"]

    sub.expires_at = utcnow() - timedelta(seconds=1)  # still ACTIVE in the table: the job has not run
    make.session.flush()
    status = client.get("/api/subscriptions/my", headers=headers).json()
    assert (status["active"], status["status"]) == (False, "EXPIRED")
    assert status["limits"] == {"maxKruzhoks": 0, "maxClassesPerKruzhok": 0, "maxStudentsPerClass": 0}
    mine = client.get("/api/kruzhok/my", headers=headers).json()["owned"][0]
    assert [c["studentCount"] for c in mine["classes"]] == [2, 0]
    assert any(i["id"] == club.id for i in client.get("/api/clubs?limit=100").json()["items"])
    assert _error(client.post(f"/api/kruzhok/{club.id}/classes", headers=headers, json={"name": "Ещё"})) == (
        403, "subscription_required")
    assert _error(client.post("/api/kruzhok", headers=headers, json={"title": "Второй"})) == (
        403, "subscription_required")
    r = client.post("/api/clubs/join", headers=token_for(app, newcomer), json={"code": empty.join_code})
    assert _error(r) == (409, "club_inactive") and "подписка руководителя неактивна" in r.json()["error"]["message"]
    r = client.post(f"/api/kruzhok/classes/{empty.id}/students", headers=headers, json={"email": newcomer.email})
    assert _error(r) == (403, "subscription_required")  # the owner is told at once
    assert r.json()["error"]["details"]["upgrade"]["plans"]
    r = client.post(f"/api/invitations/{early_invitation}/accept", headers=token_for(app, newcomer))
    assert _error(r) == (409, "club_inactive")  # an earlier invitation meets the student's seat rule
    student_view = client.get("/api/kruzhok/my", headers=token_for(app, members[0])).json()
    assert student_view["enrolled"][0]["id"] == club.id  # members keep their club

    make.subscription(owner, max_classes_per_kruzhok=1, max_students_per_class=1)  # renewed, smaller
    r = client.post(f"/api/kruzhok/{club.id}/classes", headers=headers, json={"name": "Ещё"})
    assert _error(r) == (403, "limit_exceeded") and r.json()["error"]["details"]["current"] == 2
    r = client.post("/api/clubs/join", headers=token_for(app, newcomer), json={"code": full.join_code})
    assert _error(r) == (409, "class_full") and r.json()["error"]["details"] == {"current": 2, "max": 1}
    assert client.post("/api/clubs/join", headers=token_for(app, newcomer),
                       json={"code": empty.join_code}).status_code == 201
    mine = client.get("/api/kruzhok/my", headers=headers).json()["owned"][0]
    assert [(c["studentCount"], c["maxStudents"]) for c in mine["classes"]] == [(2, 1), (1, 1)]
