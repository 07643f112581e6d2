"""Adding a student or mentor by email is an invitation the person accepts or declines; the owner's
answer is the same whether or not the email is registered; an unregistered email gets it on sign-up."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import ClassEnrollment, ClassMembershipPeriod, ClubMentor, Notification
from tests.factories import token_for
from tests.factories_clubs import make_class


def _owner_club_class(make):  # type: ignore[no-untyped-def]
    owner = make.student()
    make.subscription(owner)
    club = make.club(owner)
    return owner, club, make_class(make.session, club)


def _shape(r) -> tuple[int, list[str], str]:  # type: ignore[no-untyped-def]
    return r.status_code, sorted(r.json()), r.json()["status"]


def test_the_answer_does_not_tell_whether_the_email_is_registered(app, client, make):
    owner, club, klass = _owner_club_class(make)
    headers = token_for(app, owner)
    for path in (f"/api/kruzhok/classes/{klass.id}/students", f"/api/kruzhok/{club.id}/mentors"):
        known = client.post(path, headers=headers, json={"email": make.student().email})
        unknown = client.post(path, headers=headers, json={"email": "nobody-here@example.kz"})
        admin = client.post(path, headers=headers, json={"email": make.admin().email})
        assert _shape(known) == _shape(unknown) == _shape(admin) == (202, _shape(known)[1], "PENDING")


def test_nobody_is_added_without_accepting_and_declining_adds_nothing(app, client, make, session):
    owner, club, klass = _owner_club_class(make)
    student, mentor = make.student(), make.student()
    r = client.post(f"/api/kruzhok/classes/{klass.id}/students", headers=token_for(app, owner),
                    json={"email": student.email})
    seats = select(func.count()).select_from(ClassEnrollment).where(ClassEnrollment.student_id == student.id)
    assert session.scalar(seats) == 0
    notes = client.get("/api/notifications", headers=token_for(app, student)).json()["items"]
    invite = next(n for n in notes if n["type"] == "CLUB_INVITATION")
    assert invite["metadata"]["invitationId"] == r.json()["id"]
    assert invite["metadata"]["decline"] == f"/api/invitations/{r.json()['id']}/decline"
    assert client.post(f"/api/invitations/{r.json()['id']}/decline", headers=token_for(app, student)).status_code == 200
    assert session.scalar(seats) == 0
    r = client.post(f"/api/kruzhok/{club.id}/mentors", headers=token_for(app, owner), json={"email": mentor.email})
    assert session.scalar(select(func.count()).select_from(ClubMentor).where(ClubMentor.user_id == mentor.id)) == 0
    assert client.post(f"/api/invitations/{r.json()['id']}/accept", headers=token_for(app, mentor)).status_code == 200
    assert session.scalar(select(func.count()).select_from(ClubMentor).where(ClubMentor.user_id == mentor.id)) == 1
    answered = select(func.count()).select_from(Notification).where(
        Notification.user_id == owner.id, Notification.type == "INVITATION_ANSWERED")
    assert session.scalar(answered) == 2


def test_an_unregistered_email_gets_the_invitation_on_sign_up(app, client, make):
    owner, club, klass = _owner_club_class(make)
    r = client.post(f"/api/kruzhok/classes/{klass.id}/students", headers=token_for(app, owner),
                    json={"email": "Late.Comer@Example.kz"})
    assert r.status_code == 202
    r = client.post("/api/auth/register", json={"email": "late.comer@example.kz", "password": "late-secret-42",
                                                "fullName": "Поздний Ученик"})
    assert r.status_code == 201
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    notes = client.get("/api/notifications", headers=headers).json()["items"]
    assert [n["type"] for n in notes] == ["CLUB_INVITATION"]
    [invitation] = client.get("/api/invitations", headers=headers).json()["items"]
    assert client.post(f"/api/invitations/{invitation['id']}/accept", headers=headers).status_code == 200
    assert client.get("/api/kruzhok/my", headers=headers).json()["enrolled"][0]["id"] == club.id
    # Accepting opens the student's membership period (issue 13 §4).
    make.session.expire_all()
    periods = make.session.execute(
        select(ClassMembershipPeriod.left_at)
        .join(ClassEnrollment, ClassEnrollment.id == ClassMembershipPeriod.enrollment_id)
        .where(ClassEnrollment.class_id == klass.id)).all()
    assert [tuple(p) for p in periods] == [(None,)]


def test_joining_by_class_code_stays_instant(app, client, make):
    _, club, klass = _owner_club_class(make)
    student = make.student()
    r = client.post("/api/clubs/join", headers=token_for(app, student), json={"code": klass.join_code})
    assert r.status_code == 201 and r.json()["status"] == "ACTIVE"


def test_inviting_into_a_full_class_is_limit_exceeded_and_accepting_a_full_class_is_class_full(app, client, make,
                                                                                              session):
    owner = make.student()
    make.subscription(owner, max_students_per_class=2)
    klass = make_class(make.session, make.club(owner))
    headers = token_for(app, owner)
    early = make.student()
    r = client.post(f"/api/kruzhok/classes/{klass.id}/students", headers=headers, json={"email": early.email})
    assert r.status_code == 202
    early_invitation = r.json()["id"]
    for _ in range(2):
        make.enrollment(klass, make.student())
    late = make.student()
    r = client.post(f"/api/kruzhok/classes/{klass.id}/students", headers=headers, json={"email": late.email})
    assert r.status_code == 403, r.text
    error = r.json()["error"]
    assert error["code"] == "limit_exceeded"
    assert error["message"] == "Вы достигли лимита учеников. Обновите подписку для увеличения лимита."
    assert {k: error["details"][k] for k in ("limit", "current", "max")} == {
        "limit": "maxStudentsPerClass", "current": 2, "max": 2}
    plan = error["details"]["upgrade"]["plans"][0]
    assert {"code", "price", "durationDays", "limits"} <= set(plan)
    assert client.get("/api/invitations", headers=token_for(app, late)).json()["items"] == []
    r = client.post(f"/api/invitations/{early_invitation}/accept", headers=token_for(app, early))
    assert r.status_code == 409 and r.json()["error"]["code"] == "class_full"  # same as joining by code
    assert r.json()["error"]["details"] == {"current": 2, "max": 2}
    seats = select(func.count()).select_from(ClassEnrollment).where(ClassEnrollment.class_id == klass.id)
    assert session.scalar(seats) == 2
