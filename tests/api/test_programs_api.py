"""GET /api/programs and /api/programs/{id}: admins and mentors only; unpublished ones for admins only."""

from __future__ import annotations

import pytest

from core.clock import utcnow
from core.errors import Invalid
from core.models import AuditEvent, Program
from core.services import programs, quizzes
from tests.factories import token_for


@pytest.fixture
def program(session, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    now = utcnow()
    program = programs.create_program(session, actor=admin, fields={"title": "Робототехника: старт"}, now=now)
    quiz = quizzes.create_quiz(session, actor=admin, fields={"title": "Тест по датчикам"}, now=now)
    quizzes.create_question(session, actor=admin, quiz_id=quiz.id, now=now, fields={
        "type": "single", "text": "Что измеряет ультразвуковой датчик?", "options": ["Расстояние", "Цвет"],
        "correct": ["Расстояние"]})
    programs.create_program_lesson(session, actor=admin, program_id=program.id, now=now,
                                   fields={"title": "Датчики", "quiz_id": quiz.id, "xp_reward": 100, "order_index": 2})
    programs.create_program_lesson(session, actor=admin, program_id=program.id, now=now,
                                   fields={"title": "Моторы", "order_index": 1})
    hidden = programs.create_program(session, actor=admin, fields={"title": "Черновик", "is_published": False},
                                     now=now)
    session.flush()
    return program, hidden


WHO = ("anonymous", "student", "mentor", "club_mentor", "owner", "support", "admin")
EXPECTED = (401, 403, 200, 200, 200, 403, 200)


@pytest.mark.parametrize("who, expected", list(zip(WHO, EXPECTED, strict=True)))
def test_who_reads_programs(app, client, make, program, who, expected):  # type: ignore[no-untyped-def]
    owner = make.student()
    make.subscription(owner)
    club = make.club(owner)
    users = {"student": make.student, "mentor": make.mentor_user, "club_mentor": lambda: make.mentor(club).user,
             "owner": lambda: owner, "support": make.support, "admin": make.admin}
    headers = token_for(app, users[who]()) if who != "anonymous" else {}
    listing = client.get("/api/programs", headers=headers)
    detail = client.get(f"/api/programs/{program[0].id}", headers=headers)
    assert (listing.status_code, detail.status_code) == (expected, expected), listing.text
    if expected == 200:
        titles = [p["title"] for p in listing.json()["items"]]
        assert "Робототехника: старт" in titles
        assert ("Черновик" in titles) == (who == "admin")
        hidden = client.get(f"/api/programs/{program[1].id}", headers=headers)
        assert hidden.status_code == (200 if who == "admin" else 404)


def test_program_detail_shape(app, client, make, program):  # type: ignore[no-untyped-def]
    body = client.get(f"/api/programs/{program[0].id}", headers=token_for(app, make.mentor_user())).json()
    assert [x["title"] for x in body["lessons"]] == ["Моторы", "Датчики"]
    sensors = body["lessons"][1]
    assert sensors["xpReward"] == 100
    assert sensors["quiz"]["passPercent"] == 60 and sensors["quiz"]["questionsCount"] == 1
    assert sensors["materials"] == {"scenario": None, "presentation": None}
    assert "correct" not in str(body)
    listing = client.get("/api/programs", headers=token_for(app, make.admin())).json()
    assert {p["title"]: p["lessonsCount"] for p in listing["items"]}["Робототехника: старт"] == 2
    assert client.get("/api/programs?limit=0", headers=token_for(app, make.admin())).status_code == 422
    assert client.get("/api/programs/x" * 10, headers=token_for(app, make.admin())).status_code == 404


def test_routes_are_documented(client):  # type: ignore[no-untyped-def]
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "get" in paths["/api/programs"] and "get" in paths["/api/programs/{program_id}"]


@pytest.mark.parametrize("fields, field", [
    ({"type": "single", "text": "?", "options": ["А", "Б"], "correct": ["А", "Б"]}, "correct"),
    ({"type": "single", "text": "?", "options": ["А"], "correct": ["А"]}, "options"),
    ({"type": "multiple", "text": "?", "options": ["А", "Б"], "correct": []}, "correct"),
    ({"type": "multiple", "text": "?", "options": ["А", "Б"], "correct": ["В"]}, "correct"),
    ({"type": "multiple", "text": "?", "options": ["А", "А"], "correct": ["А"]}, "options"),
    ({"type": "text", "text": "?", "options": ["А"], "correct": ["А"]}, "options"),
    ({"type": "text", "text": "?", "options": [], "correct": []}, "correct"),
    ({"type": "essay", "text": "?", "options": [], "correct": ["А"]}, "type"),
    ({"type": "text", "text": "  ", "options": [], "correct": ["А"]}, "text"),
    ({"type": "text", "text": "?", "options": [], "correct": "А"}, "correct"),
])
def test_inconsistent_questions_are_refused_in_russian(session, make, fields, field):  # type: ignore[no-untyped-def]
    admin = make.admin()
    quiz = quizzes.create_quiz(session, actor=admin, fields={"title": "Т"}, now=utcnow())
    with pytest.raises(Invalid) as caught:
        quizzes.create_question(session, actor=admin, quiz_id=quiz.id, fields=fields, now=utcnow())
    assert caught.value.details["fields"][0]["field"] == field
    assert any("а" <= ch <= "я" for ch in caught.value.message.lower())
    assert quiz.questions == []


@pytest.mark.parametrize("fields", [{"xp_reward": -1}, {"xp_reward": 1001}, {"xp_reward": "много"},
                                    {"title": ""}, {"title": "x" * 201}, {"order_index": -1},
                                    {"quiz_id": "нет-такого"}, {"colour": "red"}])
def test_bad_lesson_fields_change_nothing(session, make, program, fields):  # type: ignore[no-untyped-def]
    admin = make.admin()
    lesson = program[0].lessons[0]
    before = (lesson.title, lesson.xp_reward, lesson.order_index, lesson.quiz_id)
    with pytest.raises(Invalid):
        programs.update_program_lesson(session, actor=admin, lesson_id=lesson.id, fields=fields, now=utcnow())
    again = session.get(Program, program[0].id).lessons[0]
    assert (again.title, again.xp_reward, again.order_index, again.quiz_id) == before


@pytest.mark.parametrize("value", [0, 101, "abc"])
def test_pass_percent_is_bounded(session, make, value):  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid):
        quizzes.create_quiz(session, actor=make.admin(), fields={"title": "Т", "pass_percent": value}, now=utcnow())


def test_only_admins_edit_and_every_change_is_audited(session, make):  # type: ignore[no-untyped-def]
    from core.errors import Forbidden

    with pytest.raises(Forbidden):
        programs.create_program(session, actor=make.mentor_user(), fields={"title": "П"}, now=utcnow())
    admin = make.admin()
    program = programs.create_program(session, actor=admin, fields={"title": "П"}, now=utcnow())
    programs.update_program(session, actor=admin, program_id=program.id, fields={"title": "П2"}, now=utcnow())
    actions = [e.action for e in session.query(AuditEvent).filter_by(entity_id=program.id)]
    assert sorted(actions) == ["program.create", "program.update"]
