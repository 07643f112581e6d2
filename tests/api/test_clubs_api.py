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
    assert r.status_code == 201 and r.json()["status"] == "ACTIVE"
    r = client.post(f"/api/kruzhok/classes/{klass.id}/students", headers=headers, json={"email": "no@x.kz"})
    assert r.status_code == 404
    r = client.delete(f"/api/kruzhok/classes/{klass.id}/students/{student.id}", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "REMOVED" and r.json()["removedAt"]
    mentor = make.student()
    r = client.post(f"/api/kruzhok/{club.id}/mentors", headers=headers, json={"email": mentor.email})
    assert r.status_code == 201
    mine = client.get("/api/kruzhok/my", headers=token_for(app, mentor)).json()
    assert mine["mentored"][0]["id"] == club.id
