"""The schedule (SPEC §9) through real HTTP: create/edit/cancel in the club's timezone, list, today."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.clock import utcnow
from core.models import AuditEvent, LessonSession, Program, ProgramLesson
from tests.factories import token_for
from tests.factories_clubs import make_class


def _setup(make, tz: str = "Asia/Almaty"):
    owner = make.mentor_user()
    club = make.club(owner, timezone=tz)
    klass = make_class(make.session, club)
    return owner, club, klass


def _tomorrow_local(tz: str, hour: int = 14) -> datetime:
    now_local = utcnow().astimezone(ZoneInfo(tz))
    return (now_local + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0, tzinfo=None)


def _program_lesson(make, title: str = "Введение в робототехнику - Урок 3") -> ProgramLesson:
    program = Program(title="Введение в робототехнику", created_at=utcnow())
    make.session.add(program)
    make.session.flush()
    lesson = ProgramLesson(program_id=program.id, title=title, order_index=3, xp_reward=0, created_at=utcnow())
    make.session.add(lesson)
    make.session.flush()
    return lesson


def test_create_reads_naive_date_in_club_timezone_and_lists_it(app, client, make):
    owner, club, klass = _setup(make, "Asia/Almaty")
    lesson = _program_lesson(make)
    local = _tomorrow_local("Asia/Almaty")
    r = client.post(f"/api/kruzhok/{club.id}/schedule", headers=token_for(app, owner),
                    json={"classId": klass.id, "scheduledDate": local.isoformat(), "duration": 90,
                          "location": "Каб. 12", "programLessonId": lesson.id, "mentorNotes": "Взять наборы"})
    assert r.status_code == 201, r.text
    body = r.json()
    expected = local.replace(tzinfo=ZoneInfo("Asia/Almaty"))
    assert datetime.fromisoformat(body["startsAt"]) == expected
    assert body["timeRange"] == "14:00 - 15:30" and body["className"] == klass.name
    assert body["lessonTitle"] == lesson.title and body["status"] == "SCHEDULED" and body["autoSendQuiz"] is True
    row = make.session.get(LessonSession, body["id"])
    assert row.created_by_id == owner.id and row.duration_min == 90
    assert make.session.scalar(select(AuditEvent).where(AuditEvent.entity_id == body["id"],
                                                        AuditEvent.action == "session.create")) is not None
    # An explicit offset is taken as is.
    r = client.post(f"/api/kruzhok/{club.id}/schedule", headers=token_for(app, owner),
                    json={"classId": klass.id, "scheduledDate": local.isoformat() + "+00:00", "duration": 30})
    assert r.status_code == 201 and r.json()["timeRange"] == "19:00 - 19:30"
    day = local.date().isoformat()
    r = client.get(f"/api/kruzhok/{club.id}/schedule?from={day}&to={day}&classId={klass.id}",
                   headers=token_for(app, owner))
    assert r.status_code == 200
    assert [i["timeRange"] for i in r.json()["items"]] == ["14:00 - 15:30", "19:00 - 19:30"]


@pytest.mark.parametrize("payload, field, message", [
    ({"duration": 29}, "duration", "Длительность занятия должна быть от 30 до 180 минут"),
    ({"duration": 181}, "duration", "Длительность занятия должна быть от 30 до 180 минут"),
    ({"scheduledDate": "past"}, "scheduledDate", "Нельзя запланировать занятие на прошедшую дату"),
    ({"classId": "other"}, "classId", "Класс не найден в этом кружке"),
    ({"programLessonId": "nope"}, "programLessonId", "Урок программы не найден"),
])
def test_create_refuses_bad_input_in_russian_and_saves_nothing(app, client, make, payload, field, message):
    owner, club, klass = _setup(make)
    other_class = make_class(make.session, make.club(make.mentor_user()))
    data = {"classId": klass.id, "scheduledDate": _tomorrow_local(club.timezone).isoformat(), "duration": 60}
    data.update(payload)
    if data["scheduledDate"] == "past":
        data["scheduledDate"] = (_tomorrow_local(club.timezone) - timedelta(days=2)).isoformat()
    if data["classId"] == "other":
        data["classId"] = other_class.id
    before = make.session.scalar(select(LessonSession.id).where(LessonSession.class_id == klass.id))
    r = client.post(f"/api/kruzhok/{club.id}/schedule", headers=token_for(app, owner), json=data)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    assert {"field": field, "message": message} in error["details"]["fields"]
    assert before is None
    assert make.session.scalar(select(LessonSession.id).where(LessonSession.class_id.in_(
        [klass.id, other_class.id]))) is None


def test_today_counts_in_club_timezone(app, client, make):
    """Earlier today (still running) and later today both show, the running one first; tomorrow does not."""
    owner, club, klass = _setup(make)
    now = utcnow()
    tz = ZoneInfo(club.timezone)
    local_midnight = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    running = make.lesson_session(klass, starts_at=max(local_midnight, now - timedelta(minutes=10)),
                                  duration_min=180)
    tomorrow = make.lesson_session(klass, starts_at=local_midnight + timedelta(days=1, hours=10))
    later = None
    if (local_midnight + timedelta(days=1) - now) > timedelta(minutes=30):
        later = make.lesson_session(klass, starts_at=now + timedelta(minutes=20))
    other_club_session = make.lesson_session(make_class(make.session, make.club(make.mentor_user())))
    for url in (f"/api/kruzhok/{club.id}/schedule/today", "/api/mentor/today"):
        r = client.get(url, headers=token_for(app, owner))
        assert r.status_code == 200, r.text
        ids = [i["id"] for i in r.json()["items"]]
        assert ids[0] == running.id and r.json()["items"][0]["inProgress"] is True
        assert tomorrow.id not in ids and other_club_session.id not in ids
        assert (later is None) or ids == [running.id, later.id]
    mentor = make.mentor(club).user
    assert [i["id"] for i in client.get("/api/mentor/today", headers=token_for(app, mentor)).json()["items"]][0] \
        == running.id
    assert client.get("/api/mentor/today", headers=token_for(app, make.student())).json() == {"items": []}


def test_update_and_cancel(app, client, make):
    owner, club, klass = _setup(make)
    headers = token_for(app, owner)
    created = client.post(f"/api/kruzhok/{club.id}/schedule", headers=headers,
                          json={"classId": klass.id, "scheduledDate": _tomorrow_local(club.timezone).isoformat(),
                                "duration": 60}).json()
    r = client.put(f"/api/kruzhok/schedule/{created['id']}", headers=headers,
                   json={"duration": 120, "location": "Онлайн: https://meet.example/abc"})
    assert r.status_code == 200 and r.json()["duration"] == 120 and r.json()["timeRange"] == "14:00 - 16:00"
    assert r.json()["location"].startswith("Онлайн")
    r = client.put(f"/api/kruzhok/schedule/{created['id']}", headers=headers, json={"duration": 10})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "duration"
    r = client.put(f"/api/kruzhok/schedule/{created['id']}", headers=headers, json={"duration": None})
    assert r.status_code == 422
    r = client.post(f"/api/kruzhok/schedule/{created['id']}/cancel", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "CANCELLED"
    r = client.post(f"/api/kruzhok/schedule/{created['id']}/cancel", headers=headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "session_not_editable"
    assert r.json()["error"]["message"] == "Занятие отменено: его нельзя изменить"
    r = client.put(f"/api/kruzhok/schedule/{created['id']}", headers=headers, json={"duration": 60})
    assert r.status_code == 409
    # Never deleted: still listed as cancelled.
    day = _tomorrow_local(club.timezone).date().isoformat()
    items = client.get(f"/api/kruzhok/{club.id}/schedule?from={day}&to={day}", headers=headers).json()["items"]
    assert [(i["id"], i["status"]) for i in items] == [(created["id"], "CANCELLED")]


def test_list_range_is_bounded_and_students_see_only_their_class_without_notes(app, client, make):
    owner, club, klass = _setup(make)
    other = make_class(make.session, club)
    student = make.student()
    make.enrollment(klass, student)
    start = utcnow() + timedelta(days=1)
    mine = make.lesson_session(klass, starts_at=start, mentor_notes="Секрет ментора")
    make.lesson_session(other, starts_at=start)
    r = client.get(f"/api/kruzhok/{club.id}/schedule", headers=token_for(app, student))
    assert r.status_code == 200
    assert [(i["id"], i["mentorNotes"]) for i in r.json()["items"]] == [(mine.id, None)]
    assert len(client.get(f"/api/kruzhok/{club.id}/schedule", headers=token_for(app, owner)).json()["items"]) == 2
    r = client.get(f"/api/kruzhok/{club.id}/schedule?from=2026-01-01&to=2027-06-01", headers=token_for(app, owner))
    assert r.status_code == 422 and "366" in r.json()["error"]["message"]
    r = client.get(f"/api/kruzhok/{club.id}/schedule?from=2026-02-01&to=2026-01-01", headers=token_for(app, owner))
    assert r.status_code == 422 and r.json()["error"]["message"] == "Дата окончания раньше даты начала"
    r = client.get(f"/api/kruzhok/{club.id}/schedule?from=вчера", headers=token_for(app, owner))
    assert r.status_code == 422


WHO = ("anonymous", "stranger", "student", "other_mentor", "club_mentor", "owner", "support", "admin")
MATRIX: dict[str, tuple[int, ...]] = {
    "create":     (401, 403, 403, 403, 201, 201, 403, 403),
    "list":       (401, 403, 200, 403, 200, 200, 403, 403),
    "today":      (401, 403, 200, 403, 200, 200, 403, 403),
    "update":     (401, 404, 403, 404, 200, 200, 404, 404),
    "cancel":     (401, 404, 403, 404, 200, 200, 404, 404),
    "attendance": (401, 403, 403, 403, 200, 200, 403, 403),
    "lesson":     (401, 404, 403, 404, 200, 200, 404, 404),
    "matrix":     (401, 403, 403, 403, 200, 200, 403, 403),
}
CASES = [(route, who, MATRIX[route][i]) for route in MATRIX for i, who in enumerate(WHO)]


@pytest.mark.parametrize("route, who, expected", CASES, ids=[f"{r}-{w}" for r, w, _ in CASES])
def test_schedule_permission_matrix(app, client, make, route, who, expected):
    owner, club, klass = _setup(make)
    enrolled = make.student()
    make.enrollment(klass, enrolled)
    users = {"stranger": make.student, "student": lambda: enrolled, "other_mentor": make.mentor_user,
             "club_mentor": lambda: make.mentor(club).user, "owner": lambda: owner,
             "support": make.support, "admin": make.admin}
    headers = token_for(app, users[who]()) if who != "anonymous" else {}
    future = make.lesson_session(klass, starts_at=utcnow() + timedelta(days=2))
    past = make.lesson_session(klass)
    calls = {
        "create": lambda: client.post(f"/api/kruzhok/{club.id}/schedule", headers=headers, json={
            "classId": klass.id, "scheduledDate": _tomorrow_local(club.timezone).isoformat(), "duration": 45}),
        "list": lambda: client.get(f"/api/kruzhok/{club.id}/schedule", headers=headers),
        "today": lambda: client.get(f"/api/kruzhok/{club.id}/schedule/today", headers=headers),
        "update": lambda: client.put(f"/api/kruzhok/schedule/{future.id}", headers=headers, json={"duration": 45}),
        "cancel": lambda: client.post(f"/api/kruzhok/schedule/{future.id}/cancel", headers=headers),
        "attendance": lambda: client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=headers, json={
            "records": [{"studentId": enrolled.id, "sessionId": past.id, "status": "present"}]}),
        "lesson": lambda: client.get(f"/api/kruzhok/lesson/{past.id}", headers=headers),
        "matrix": lambda: client.get(f"/api/kruzhok/{club.id}/attendance?classId={klass.id}", headers=headers),
    }
    r = calls[route]()
    assert r.status_code == expected, r.text
    if expected >= 400:
        assert set(r.json()["error"]) == {"code", "message", "details"}
        assert any("а" <= ch <= "я" for ch in r.json()["error"]["message"].lower())


def test_lesson_page_shows_materials_students_marks_and_quiz(app, client, make):
    owner, club, klass = _setup(make)
    lesson = make.lesson_quiz(title="Урок 3. Датчики")
    lesson.scenario_key = "scenario-key"
    make.session.flush()
    anna, boris = make.student(full_name="Анна"), make.student(full_name="Борис")
    make.enrollment(klass, anna)
    make.enrollment(klass, boris)
    row = make.lesson_session(klass, program_lesson_id=lesson.id)
    headers = token_for(app, owner)
    page = client.get(f"/api/kruzhok/lesson/{row.id}", headers=headers).json()
    assert page["quizTitle"] == "Тест: Урок 3. Датчики" and page["quizSent"] is False
    r = client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=headers,
                    json={"records": [{"studentId": anna.id, "sessionId": row.id, "status": "late"}]})
    assert r.status_code == 200
    r = client.get(f"/api/kruzhok/lesson/{row.id}", headers=headers)
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["session"]["lessonTitle"] == lesson.title and page["session"]["status"] == "COMPLETED"
    assert page["hasScenario"] is True and page["hasPresentation"] is False
    assert [(s["fullName"], s["status"]) for s in page["students"]] == [("Анна", "late"), ("Борис", None)]
    # The save sent the lesson's quiz to the late student (auto_send_quiz is on by default).
    assert page["quizSent"] is True and page["quizAssignedCount"] == 1
    assert client.get(f"/api/kruzhok/lesson/{row.id}", headers=token_for(app, anna)).status_code == 403
    r = client.get(f"/api/kruzhok/lesson/{row.id}", headers=token_for(app, make.mentor_user()))
    assert r.status_code == 404 and r.json()["error"]["message"] == "Занятие не найдено"


def test_ics_feed_with_per_user_token_and_tzid(app, client, make):
    from urllib.parse import urlparse

    from icalendar import Calendar

    owner, club, klass = _setup(make, "Asia/Almaty")
    other = make_class(make.session, club)
    student = make.student()
    make.enrollment(klass, student)
    local = _tomorrow_local(club.timezone, hour=9)
    start = local.replace(tzinfo=ZoneInfo(club.timezone))
    lesson = _program_lesson(make, "Урок 1: Моторы")
    mine = make.lesson_session(klass, starts_at=start, duration_min=90, location="Каб. 5", program_lesson_id=lesson.id)
    cancelled = make.lesson_session(klass, starts_at=start + timedelta(days=1), status="CANCELLED")
    not_mine = make.lesson_session(other, starts_at=start)
    r = client.get(f"/api/kruzhok/{club.id}/schedule/calendar-link", headers=token_for(app, student))
    assert r.status_code == 200
    url = urlparse(r.json()["url"])
    assert url.path == f"/api/kruzhok/{club.id}/schedule.ics"
    r = client.get(f"{url.path}?{url.query}")  # no Authorization header, like a calendar app
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"{mine.id}@s7robotics", f"{cancelled.id}@s7robotics"}
    event = events[f"{mine.id}@s7robotics"]
    assert event["dtstart"].params["TZID"] == "Asia/Almaty"
    assert event.decoded("dtstart") == start and event.decoded("dtend") == start + timedelta(minutes=90)
    assert str(event["summary"]) == f"Урок 1: Моторы — {klass.name}" and str(event["location"]) == "Каб. 5"
    assert str(events[f"{cancelled.id}@s7robotics"]["status"]) == "CANCELLED"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Almaty"]
    assert not_mine.id not in r.text
    # The owner's own link sees every class; a token is bound to its club and to its user's sessions.
    owner_link = urlparse(client.get(f"/api/kruzhok/{club.id}/schedule/calendar-link",
                                     headers=token_for(app, owner)).json()["url"])
    assert not_mine.id in client.get(f"{owner_link.path}?{owner_link.query}").text
    other_club = make.club(make.mentor_user())
    r = client.get(f"/api/kruzhok/{other_club.id}/schedule.ics?{url.query}")
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    assert client.get(f"{url.path}?token=forged.token").status_code == 401
    assert client.get(url.path).status_code == 422
    # Logging out everywhere ends the link.
    assert client.post("/api/auth/logout-all", headers=token_for(app, student)).status_code in (200, 204)
    assert client.get(f"{url.path}?{url.query}").status_code == 401
    assert client.get(f"/api/kruzhok/{club.id}/schedule/calendar-link",
                      headers=token_for(app, make.student())).status_code == 403


@pytest.mark.parametrize("query", ["from=0001-01-01", "from=9999-12-31", "to=9999-12-31&from=9999-12-01",
                                   "from=1999-12-31&to=2000-01-02"])
def test_extreme_dates_are_a_clear_422(app, client, make, query):
    owner, club, klass = _setup(make)
    headers = token_for(app, owner)
    r = client.get(f"/api/kruzhok/{club.id}/schedule?{query}", headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = client.get(f"/api/kruzhok/{club.id}/attendance?classId={klass.id}&{query}", headers=headers)
    assert r.status_code == 422


@pytest.mark.parametrize("value", ["0001-01-01T01:00:00", "9999-12-31T23:00:00-12:00", "+2100"])
def test_far_dates_and_control_characters_refused_on_create(app, client, make, value):
    owner, club, klass = _setup(make)
    if value == "+2100":
        value = (_tomorrow_local(club.timezone) + timedelta(days=800)).isoformat()
    r = client.post(f"/api/kruzhok/{club.id}/schedule", headers=token_for(app, owner),
                    json={"classId": klass.id, "scheduledDate": value, "duration": 60})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["fields"][0]["field"] == "scheduledDate"
    r = client.post(f"/api/kruzhok/{club.id}/schedule", headers=token_for(app, owner),
                    json={"classId": klass.id, "scheduledDate": _tomorrow_local(club.timezone).isoformat(),
                          "duration": 60, "location": "Каб.\x075"})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "location"
