"""Self check-in through real HTTP: the mentor's rotating code, one mark (and +100 XP) per student through
the attendance save, wrong/expired codes refused and rate-limited, closed or not-running sessions refused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.clock import utcnow
from core.models import Attendance, LessonSession, Notification, RateLimitHit, SessionCheckin, User, XpEvent
from core.services.checkin_codes import code_for, window_of
from tests.factories import token_for
from tests.factories_clubs import make_class


def _world(make, n: int = 2):  # type: ignore[no-untyped-def]
    owner = make.mentor_user()
    club = make.club(owner)
    klass = make_class(make.session, club)
    students = [make.student() for _ in range(n)]
    for s in students:
        make.enrollment(klass, s)
    lesson = make.lesson_session(klass)  # started an hour ago, 90 minutes: running
    return owner, club, klass, students, lesson


def _open(app, client, owner, lesson):  # type: ignore[no-untyped-def]
    r = client.post(f"/api/kruzhok/lesson/{lesson.id}/checkin/open", headers=token_for(app, owner))
    assert r.status_code == 200, r.text
    return r.json()


def _check_in(app, client, student, lesson, code: str):  # type: ignore[no-untyped-def]
    return client.post(f"/api/kruzhok/lesson/{lesson.id}/checkin", headers=token_for(app, student),
                       json={"code": code})


def _xp(make, user) -> int:  # type: ignore[no-untyped-def]
    make.session.expire_all()
    return make.session.get(User, user.id).experience_points


def test_student_checks_in_once_through_the_attendance_save(app, client, make, settings):
    owner, club, _, (anna, boris), lesson = _world(make)
    state = _open(app, client, owner, lesson)
    assert state["isOpen"] is True and len(state["code"]) == 6 and state["code"].isdigit()
    assert state["rotationSeconds"] == 30 and state["codeExpiresAt"] <= state["closesAt"]
    page = client.get(f"/api/kruzhok/lesson/{lesson.id}", headers=token_for(app, owner)).json()
    assert page["checkin"]["isOpen"] is True and page["checkin"]["code"] in (state["code"], _current(make, lesson,
                                                                                                     settings))
    assert _open(app, client, owner, lesson)["openedAt"] == state["openedAt"]  # opening again keeps it open

    r = _check_in(app, client, anna, lesson, _current(make, lesson, settings))
    assert r.status_code == 200, r.text
    assert r.json() == {"sessionId": lesson.id, "status": "present", "marked": True, "xpDelta": 100}
    assert _xp(make, anna) == 100
    assert make.session.get(LessonSession, lesson.id).status == "COMPLETED"
    note = make.session.scalars(select(Notification).where(Notification.user_id == anna.id)).one()
    assert note.title == "Посещаемость отмечена" and "+100 XP" in note.message
    # A second try keeps the mark and awards nothing.
    r = _check_in(app, client, anna, lesson, _current(make, lesson, settings))
    assert r.status_code == 200 and r.json()["marked"] is False and r.json()["xpDelta"] == 0
    assert _xp(make, anna) == 100
    assert make.session.scalar(select(func.count()).select_from(XpEvent).where(XpEvent.user_id == anna.id)) == 1

    r = client.post(f"/api/kruzhok/lesson/{lesson.id}/checkin/close", headers=token_for(app, owner))
    assert r.status_code == 200 and r.json()["isOpen"] is False and r.json()["code"] is None
    page = client.get(f"/api/kruzhok/lesson/{lesson.id}", headers=token_for(app, owner)).json()
    assert page["checkin"]["isOpen"] is False and page["checkin"]["code"] is None
    r = _check_in(app, client, boris, lesson, state["code"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "checkin_closed"
    assert r.json()["error"]["message"].startswith("Самоотметка на этом занятии сейчас закрыта")


def _current(make, lesson, settings, shift: int = 0) -> str:  # type: ignore[no-untyped-def]
    make.session.expire_all()
    row = make.session.scalars(select(SessionCheckin).where(SessionCheckin.session_id == lesson.id)).one()
    return code_for(settings.secret_key, session_id=lesson.id, opened_at=row.opened_at,
                    window=window_of(utcnow()) + shift)


def test_wrong_and_expired_codes_are_refused_then_rate_limited(app, client, make, settings):
    owner, _, _, (anna, boris), lesson = _world(make)
    _open(app, client, owner, lesson)
    good = _current(make, lesson, settings)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    r = _check_in(app, client, anna, lesson, wrong)
    assert r.status_code == 422 and r.json()["error"]["code"] == "wrong_checkin_code"
    r = _check_in(app, client, anna, lesson, _current(make, lesson, settings, shift=-2))  # a minute old: expired
    assert r.status_code == 422 and r.json()["error"]["code"] == "wrong_checkin_code"
    r = _check_in(app, client, anna, lesson, "12ab56")
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    # The previous window's code still counts (typed just before it rotated).
    r = _check_in(app, client, boris, lesson, _current(make, lesson, settings, shift=-1))
    assert r.status_code == 200 and r.json()["marked"] is True
    for _ in range(3):  # 5 wrong codes in all
        assert _check_in(app, client, anna, lesson, wrong).status_code == 422
    r = _check_in(app, client, anna, lesson, _current(make, lesson, settings))
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited" and "Retry-After" in r.headers
    make.session.expire_all()
    assert make.session.scalar(select(Attendance.id).where(Attendance.student_id == anna.id)) is None
    assert _xp(make, anna) == 0


def test_wrong_codes_are_limited_per_client_ip(app, client, make, settings):
    owner, _, _, (anna, boris), lesson = _world(make)
    _open(app, client, owner, lesson)
    now = utcnow()
    # 59 wrong codes from this address (other students, minutes ago) are already counted.
    make.session.add_all([RateLimitHit(bucket="checkin_fail_ip:testclient", at=now - timedelta(minutes=5))
                          for _ in range(59)])
    make.session.flush()
    good = _current(make, lesson, settings)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    assert _check_in(app, client, anna, lesson, wrong).status_code == 422  # the 60th
    r = _check_in(app, client, boris, lesson, _current(make, lesson, settings))
    assert r.status_code == 429
    assert r.json()["error"]["message"] == "Слишком много неверных кодов. Попробуйте через 10 минут."


def test_only_students_of_the_class_of_a_running_open_session(app, client, make, settings):
    owner, club, _, (anna,), lesson = _world(make, n=1)
    other_class = make_class(make.session, club)
    neighbour, outsider = make.student(), make.student()
    make.enrollment(other_class, neighbour)
    r = client.post(f"/api/kruzhok/lesson/{lesson.id}/checkin/open", headers=token_for(app, anna))
    assert r.status_code == 403
    r = _check_in(app, client, anna, lesson, "123456")
    assert r.status_code == 409 and r.json()["error"]["code"] == "checkin_closed"  # never opened
    _open(app, client, owner, lesson)
    code = _current(make, lesson, settings)
    assert _check_in(app, client, neighbour, lesson, code).status_code == 403
    assert _check_in(app, client, outsider, lesson, code).status_code == 404
    assert _check_in(app, client, owner, lesson, code).status_code == 403
    assert client.post("/api/kruzhok/lesson/nope/checkin", headers=token_for(app, anna),
                       json={"code": code}).status_code == 404

    later = make.lesson_session(lesson.club_class, starts_at=utcnow() + timedelta(hours=3))
    r = client.post(f"/api/kruzhok/lesson/{later.id}/checkin/open", headers=token_for(app, owner))
    assert r.status_code == 409 and r.json()["error"]["code"] == "session_not_running"
    assert r.json()["error"]["message"].startswith("Занятие сейчас не идёт")
    r = _check_in(app, client, anna, later, code)
    assert r.status_code == 409 and r.json()["error"]["code"] == "session_not_running"
    assert make.session.scalar(select(func.count()).select_from(Attendance)
                               .where(Attendance.student_id.in_([neighbour.id, outsider.id]))) == 0


def test_a_student_marked_by_the_mentor_keeps_the_mark(app, client, make, settings):
    owner, club, _, (anna,), lesson = _world(make, n=1)
    r = client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=token_for(app, owner),
                    json={"records": [{"studentId": anna.id, "sessionId": lesson.id, "status": "late"}]})
    assert r.status_code == 200
    _open(app, client, owner, lesson)
    r = _check_in(app, client, anna, lesson, _current(make, lesson, settings))
    assert r.status_code == 200 and r.json() == {"sessionId": lesson.id, "status": "late", "marked": False,
                                                 "xpDelta": 0}
    assert _xp(make, anna) == 50


def test_check_in_sends_the_lessons_quiz_like_the_mentors_save(app, client, make, settings):
    """The check-in is the attendance save: a lesson with a quiz and auto-send gives the student one
    assignment and the seed's notification."""
    from core.models import ClubQuizAssignment

    owner = make.mentor_user()
    club = make.club(owner)
    klass = make_class(make.session, club)
    anna = make.student()
    make.enrollment(klass, anna)
    lesson = make.lesson_session(klass, program_lesson_id=make.lesson_quiz().id)
    _open(app, client, owner, lesson)
    r = _check_in(app, client, anna, lesson, _current(make, lesson, settings))
    assert r.status_code == 200 and r.json()["marked"] is True
    make.session.expire_all()
    [assignment] = make.session.scalars(select(ClubQuizAssignment).where(ClubQuizAssignment.session_id == lesson.id))
    assert assignment.student_id == anna.id
    assert make.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == anna.id, Notification.type == "QUIZ_ASSIGNED")) == 1
