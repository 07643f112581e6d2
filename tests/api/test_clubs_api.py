"""Clubs through real HTTP: directory, create, classes, join, students, mentors, permissions."""

from tests.factories import token_for
from tests.factories_clubs import make_class


def _owner_club_class(make):
    owner = make.mentor_user()
    club = make.club(owner)
    return owner, club, make_class(make.session, club)


def test_directory_is_public_and_never_shows_codes(client, make):
    _, club, klass = _owner_club_class(make)
    r = client.get("/api/clubs?limit=100")
    assert r.status_code == 200
    assert klass.join_code not in r.text
    item = next(i for i in r.json()["items"] if i["id"] == club.id)
    assert set(item) == {"id", "title", "description", "timezone", "ownerName", "memberCount", "nextSessionAt"}


def test_create_club_needs_subscription(app, client, make):
    r = client.post("/api/kruzhok", headers=token_for(app, make.student()), json={"title": "Мой кружок"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "subscription_required"
    owner = token_for(app, make.mentor_user())
    r = client.post("/api/kruzhok", headers=owner, json={"title": "Мой кружок", "timezone": "Asia/Aqtobe"})
    assert r.status_code == 201 and r.json()["timezone"] == "Asia/Aqtobe"
    r = client.post("/api/kruzhok", headers=owner, json={"title": "Второй"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "limit_exceeded"
    assert client.post("/api/kruzhok", json={"title": "x"}).status_code == 401
    r = client.post("/api/kruzhok", headers=token_for(app, make.mentor_user()), json={"title": "x", "timezone": "X/Y"})
    assert r.status_code == 422


def test_join_flow_over_http(app, client, make):
    owner, club, klass = _owner_club_class(make)
    student = token_for(app, make.student())
    assert client.post("/api/clubs/join", headers=student, json={"code": "12ab56"}).status_code == 422
    r = client.post("/api/clubs/join", headers=student, json={"code": "000000" if klass.join_code != "000000"
                                                                else "000001"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "invalid_code"
    r = client.post("/api/clubs/join", headers=student, json={"code": klass.join_code})
    assert r.status_code == 201 and r.json()["kruzhokId"] == club.id
    r = client.post("/api/clubs/join", headers=student, json={"code": klass.join_code})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_member"
    mine = client.get("/api/kruzhok/my", headers=student).json()
    assert mine["enrolled"][0]["id"] == club.id and klass.join_code not in str(mine)
    owner_view = client.get("/api/kruzhok/my", headers=token_for(app, owner)).json()
    assert owner_view["owned"][0]["classes"][0]["joinCode"] == klass.join_code


def test_failed_codes_are_counted_even_though_the_request_fails(app, client, make):
    student = token_for(app, make.student())
    codes = [f"{i:06d}" for i in range(900000, 900010)]
    for code in codes:
        assert client.post("/api/clubs/join", headers=student, json={"code": code}).status_code == 404
    r = client.post("/api/clubs/join", headers=student, json={"code": "900011"})
    assert r.status_code == 429 and r.headers["Retry-After"]


def test_owner_manages_classes_students_and_mentors(app, client, make):
    owner, club, klass = _owner_club_class(make)
    headers = token_for(app, owner)
    r = client.post(f"/api/kruzhok/{club.id}/classes", headers=headers, json={"name": "Группа Б"})
    assert r.status_code == 201 and len(r.json()["joinCode"]) == 6
    r = client.post(f"/api/kruzhok/{club.id}/classes", headers=headers, json={"name": "Группа В"})
    assert r.status_code == 403 and r.json()["error"]["details"]["upgrade"]["plans"]
    old = klass.join_code
    r = client.post(f"/api/kruzhok/classes/{klass.id}/regenerate-code", headers=headers)
    assert r.status_code == 200 and r.json()["joinCode"] != old
    student = make.student()
    r = client.post(f"/api/kruzhok/classes/{klass.id}/students", headers=headers, json={"email": student.email})
    assert r.status_code == 202 and r.json()["status"] == "PENDING"
    r = client.post(f"/api/invitations/{r.json()['id']}/accept", headers=token_for(app, student))
    assert r.status_code == 200 and r.json()["status"] == "ACCEPTED"
    r = client.post(f"/api/kruzhok/classes/{klass.id}/students", headers=headers, json={"email": "no@x.kz"})
    assert r.status_code == 202 and r.json()["status"] == "PENDING"
    r = client.delete(f"/api/kruzhok/classes/{klass.id}/students/{student.id}", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "REMOVED" and r.json()["removedAt"]
    mentor = make.student()
    r = client.post(f"/api/kruzhok/{club.id}/mentors", headers=headers, json={"email": mentor.email})
    assert r.status_code == 202
    assert client.post(f"/api/invitations/{r.json()['id']}/accept", headers=token_for(app, mentor)).status_code == 200
    mine = client.get("/api/kruzhok/my", headers=token_for(app, mentor)).json()
    assert mine["mentored"][0]["id"] == club.id


def _count(session, model, *where):
    from sqlalchemy import func, select
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_bad_input_creates_nothing(app, client, make):
    from core.models import AuditEvent, ClubClass, Kruzhok
    owner = make.mentor_user()
    headers = token_for(app, owner)
    for body in ({"title": "Кружок", "timezone": "Mars/Olympus"}, {"title": "  "},
                 {"title": "Кружок", "description": "x" * 5001}, {"title": "Кружок", "ownerId": owner.id}):
        r = client.post("/api/kruzhok", headers=headers, json=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["fields"][0]["message"]
    assert _count(make.session, Kruzhok, Kruzhok.owner_id == owner.id) == 0
    assert _count(make.session, AuditEvent, AuditEvent.actor_id == owner.id) == 0

    club = make.club(owner)
    r = client.post(f"/api/kruzhok/{club.id}/classes", headers=headers, json={"name": ""})
    assert r.status_code == 422 and _count(make.session, ClubClass, ClubClass.kruzhok_id == club.id) == 0


def test_add_by_email_respects_max_students_and_leaves_no_enrolment(app, client, make):
    from core.models import ClassEnrollment, Notification
    owner = make.student()
    make.subscription(owner, max_students_per_class=1)
    klass = make_class(make.session, make.club(owner))
    make.enrollment(klass)
    newcomer = make.student()
    r = client.post(f"/api/kruzhok/classes/{klass.id}/students", headers=token_for(app, owner),
                    json={"email": newcomer.email})
    # the owner is told at once: the plan's limit, with the upgrade offer (SPEC §6)
    assert r.status_code == 403 and r.json()["error"]["code"] == "limit_exceeded"
    assert r.json()["error"]["details"]["current"] == 1 and r.json()["error"]["details"]["max"] == 1
    assert _count(make.session, ClassEnrollment, ClassEnrollment.student_id == newcomer.id) == 0
    assert _count(make.session, Notification, Notification.user_id == newcomer.id) == 0
    # the student by code: the seat rule's 409
    r = client.post("/api/clubs/join", headers=token_for(app, newcomer), json={"code": klass.join_code})
    assert r.status_code == 409 and r.json()["error"]["code"] == "class_full"
    assert r.json()["error"]["message"] == "В классе нет свободных мест"
    assert r.json()["error"]["details"] == {"current": 1, "max": 1}
    assert _count(make.session, ClassEnrollment, ClassEnrollment.student_id == newcomer.id) == 0


def test_regenerated_code_invalidates_the_old_one_over_http(app, client, make):
    owner, _, klass = _owner_club_class(make)
    old = klass.join_code
    r = client.post(f"/api/kruzhok/classes/{klass.id}/regenerate-code", headers=token_for(app, owner))
    new = r.json()["joinCode"]
    assert new != old and len(new) == 6 and new.isdigit()
    student = token_for(app, make.student())
    r = client.post("/api/clubs/join", headers=student, json={"code": old})
    assert r.status_code == 404 and r.json()["error"]["code"] == "invalid_code"
    assert client.post("/api/clubs/join", headers=student, json={"code": new}).status_code == 201


def test_removed_student_keeps_history_and_rejoins_the_same_row(app, client, make):
    owner, _, klass = _owner_club_class(make)
    student = make.student()
    headers = token_for(app, student)
    first = client.post("/api/clubs/join", headers=headers, json={"code": klass.join_code}).json()
    removed = client.delete(f"/api/kruzhok/classes/{klass.id}/students/{student.id}", headers=token_for(app, owner))
    assert removed.json()["id"] == first["id"] and removed.json()["status"] == "REMOVED"
    assert client.get("/api/kruzhok/my", headers=headers).json()["enrolled"] == []
    again = client.post("/api/clubs/join", headers=headers, json={"code": klass.join_code})
    assert again.status_code == 201
    body = again.json()
    assert (body["id"], body["status"], body["removedAt"]) == (first["id"], "ACTIVE", None)


def test_directory_raw_json_has_no_code_for_anyone(app, client, make):
    codes = [make_class(make.session, make.club()).join_code for _ in range(3)]
    for headers in ({}, token_for(app, make.student()), token_for(app, make.admin())):
        text = client.get("/api/clubs?limit=100", headers=headers).text
        assert "joinCode" not in text and "join_code" not in text
        assert not [c for c in codes if f'"{c}"' in text]
