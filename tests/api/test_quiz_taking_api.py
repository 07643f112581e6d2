"""The student's and the mentor's side of club quizzes (SPEC §11) through real HTTP: questions without
answers, submit once, overdue refused, every bad answer listed (nothing saved), objective questions graded
at once, text answers graded by the mentor, +50 XP exactly once, only the right people see and act."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from core.clock import utcnow
from core.models import ClubQuizAnswer, ClubQuizAssignment, Notification, User, XpEvent
from tests.api.test_quiz_distribution_api import assignments, mark, world
from tests.factories import token_for
from tests.xp_ledger import assert_xp_matches_ledger


def _setup(app, client, make, **quiz):
    owner, club, klass, students, lesson, row = world(make, n=3, **quiz)
    mark(app, client, owner, club, row, {s: "present" for s in students})
    got = assignments(make, row)
    return owner, club, students, lesson, row, [got[s.id].id for s in students]


def _questions(client, app, student, assignment_id):
    r = client.get(f"/api/quizzes/assignments/{assignment_id}", headers=token_for(app, student))
    assert r.status_code == 200, r.text
    return r.json()


def _submit(client, app, student, assignment_id, answers):
    return client.post(f"/api/quizzes/assignments/{assignment_id}/submit", headers=token_for(app, student),
                       json={"answers": answers})


def _xp_events(make, user) -> list[int]:
    return list(make.session.scalars(select(XpEvent.amount).where(XpEvent.user_id == user.id,
                                                                  XpEvent.source == "CLUB_QUIZ")))


def test_questions_are_shown_without_answers_and_only_to_the_student(app, client, make):
    owner, _club, (a, b, _c), _lesson, _row, (aid, bid, _) = _setup(app, client, make, text_question=True)
    detail = _questions(client, app, a, aid)
    assert [set(q) for q in detail["questions"]] == [{"id", "type", "text", "options", "orderIndex"}] * 3
    assert [q["type"] for q in detail["questions"]] == ["single", "multiple", "text"]
    assert "correct" not in json.dumps(detail) and "конструктор" not in json.dumps(detail, ensure_ascii=False)
    assert detail["status"] == "ASSIGNED" and detail["myAnswers"] is None and detail["isOverdue"] is False
    # Someone else's assignment: not found, for a classmate and the mentor alike (they have their list).
    for user in (b, owner):
        assert client.get(f"/api/quizzes/assignments/{aid}", headers=token_for(app, user)).status_code == 404
        assert _submit(client, app, user, aid, []).status_code in (404, 422)
    r = _submit(client, app, b, aid, [{"questionId": q["id"], "answer": 0} for q in detail["questions"][:1]])
    assert r.status_code == 404
    mine = client.get("/api/quizzes/assignments/my", headers=token_for(app, a)).json()
    assert [i["id"] for i in mine["items"]] == [aid] and mine["total"] == 1
    assert client.get("/api/quizzes/assignments/my").status_code == 401


def test_objective_quiz_is_graded_at_once_and_passing_awards_50_xp_once(app, client, make):
    _owner, _club, (a, b, _c), _lesson, _row, (aid, bid, _) = _setup(app, client, make)
    single, multiple = _questions(client, app, a, aid)["questions"]
    r = _submit(client, app, a, aid, [{"questionId": single["id"], "answer": 1},
                                      {"questionId": multiple["id"], "answer": [2, 0]}])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["score"], body["passed"]) == ("GRADED", 100, True)
    assert body["myAnswers"] == {single["id"]: ["4"], multiple["id"]: ["мотор", "датчик"]}
    assert _xp_events(make, a) == [50]
    r = _submit(client, app, a, aid, [{"questionId": single["id"], "answer": 1},
                                      {"questionId": multiple["id"], "answer": [0, 2]}])
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_submitted"
    assert _xp_events(make, a) == [50]
    # Half right (the multiple needs both options): 50 % < 60 % — graded, no XP.
    r = _submit(client, app, b, bid, [{"questionId": single["id"], "answer": 1},
                                      {"questionId": multiple["id"], "answer": [0]}])
    assert (r.json()["status"], r.json()["score"], r.json()["passed"]) == ("GRADED", 50, False)
    assert _xp_events(make, b) == []
    rows = make.session.scalars(select(ClubQuizAnswer).where(ClubQuizAnswer.assignment_id == bid)).all()
    assert sorted((r.question_text, r.is_correct, r.points) for r in rows) == [
        ("Сколько колёс у робота?", True, 1), ("Что есть у робота?", False, 0)]
    assert_xp_matches_ledger(make.session, [a.id, b.id])


def test_bad_answers_are_all_listed_and_nothing_is_saved(app, client, make):
    _owner, _club, (a, *_), _lesson, _row, (aid, *_) = _setup(app, client, make, text_question=True)
    single, multiple, text = _questions(client, app, a, aid)["questions"]
    cases = [
        [{"questionId": single["id"], "answer": "1"}],  # a string, not an index
        [{"questionId": single["id"], "answer": True}],
        [{"questionId": single["id"], "answer": 3}],  # out of range
        [{"questionId": single["id"], "answer": -1}],
        [{"questionId": multiple["id"], "answer": 0}],  # not a list
        [{"questionId": multiple["id"], "answer": []}],
        [{"questionId": multiple["id"], "answer": [0, 0]}],
        [{"questionId": multiple["id"], "answer": [0, 7]}],
        [{"questionId": text["id"], "answer": 5}],
        [{"questionId": text["id"], "answer": "   "}],
        [{"questionId": text["id"], "answer": "x" * 2001}],
        [{"questionId": "unknown", "answer": 0}],
        [{"questionId": single["id"], "answer": 1}, {"questionId": single["id"], "answer": 1}],
    ]
    for bad in cases:
        good = {single["id"]: 1, multiple["id"]: [0, 2], text["id"]: "конструктор"}
        answers = bad + [{"questionId": q, "answer": v} for q, v in good.items()
                         if q not in {b["questionId"] for b in bad}]
        r = _submit(client, app, a, aid, answers)
        assert r.status_code == 422, (bad, r.text)
        error = r.json()["error"]
        assert error["code"] == "invalid_answers" and error["details"]["answers"], bad
        assert all(any("а" <= ch <= "я" for ch in item["message"].lower()) for item in error["details"]["answers"])
    # A missing question is listed too; several problems at once.
    r = _submit(client, app, a, aid, [{"questionId": single["id"], "answer": 9}])
    listed = {(i["questionId"], i["message"]) for i in r.json()["error"]["details"]["answers"]}
    assert (multiple["id"], "Ответьте на этот вопрос") in listed and (text["id"], "Ответьте на этот вопрос") in listed
    assert len(listed) == 3
    for body in ({"answers": "x"}, {"answers": [{"questionId": single["id"]}, 1]}, {"answers": [], "extra": 1}, {}):
        r = client.post(f"/api/quizzes/assignments/{aid}/submit", headers=token_for(app, a), json=body)
        assert r.status_code == 422, body
    make.session.expire_all()
    row = make.session.get(ClubQuizAssignment, aid)
    assert (row.status, row.submitted_at, row.answers) == ("ASSIGNED", None, None)
    assert make.session.scalar(select(func.count()).select_from(ClubQuizAnswer)
                               .where(ClubQuizAnswer.assignment_id == aid)) == 0


def test_overdue_submission_is_refused(app, client, make):
    _owner, _club, (a, *_), _lesson, _row, (aid, *_) = _setup(app, client, make)
    questions = _questions(client, app, a, aid)["questions"]
    make.session.get(ClubQuizAssignment, aid).due_at = utcnow() - timedelta(minutes=1)
    make.session.flush()
    assert _questions(client, app, a, aid)["isOverdue"] is True
    r = _submit(client, app, a, aid, [{"questionId": questions[0]["id"], "answer": 1},
                                      {"questionId": questions[1]["id"], "answer": [0, 2]}])
    assert r.status_code == 409 and r.json()["error"]["code"] == "overdue"
    make.session.expire_all()
    assert make.session.get(ClubQuizAssignment, aid).status == "ASSIGNED"


def test_text_answers_wait_for_the_mentor_who_grades_them(app, client, make):
    owner, club, (a, b, _c), _lesson, row, (aid, bid, _) = _setup(app, client, make, text_question=True)
    single, multiple, text = _questions(client, app, a, aid)["questions"]
    answers = [{"questionId": single["id"], "answer": 1}, {"questionId": multiple["id"], "answer": [0, 2]},
               {"questionId": text["id"], "answer": "  Конструктор "}]
    r = _submit(client, app, a, aid, answers)
    assert (r.json()["status"], r.json()["score"], r.json()["passed"]) == ("SUBMITTED", None, None)
    assert _xp_events(make, a) == []
    mentor = make.mentor(club).user
    listing = client.get(f"/api/kruzhok/lesson/{row.id}/quiz/assignments", headers=token_for(app, mentor))
    assert listing.status_code == 200, listing.text
    item = next(i for i in listing.json()["items"] if i["id"] == aid)
    assert item["status"] == "SUBMITTED" and item["fullName"] == a.full_name
    waiting = next(x for x in item["answers"] if x["questionId"] == text["id"])
    assert (waiting["answer"], waiting["isCorrect"], waiting["matchesAccepted"]) == (["Конструктор"], None, True)
    assert client.get(f"/api/kruzhok/lesson/{row.id}/quiz/assignments", headers=token_for(app, a)).status_code == 403
    url = f"/api/quizzes/assignments/{aid}/grade"
    grades = {"grades": [{"questionId": text["id"], "correct": True}]}
    assert client.post(url, headers=token_for(app, a), json=grades).status_code == 403
    assert client.post(url, headers=token_for(app, make.mentor_user()), json=grades).status_code == 404
    r = client.post(f"/api/quizzes/assignments/{bid}/grade", headers=token_for(app, mentor), json=grades)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_submitted"
    for bad in ({"grades": []}, {"grades": [{"questionId": single["id"], "correct": True}]},
                {"grades": [{"questionId": text["id"], "correct": "yes"}]},
                {"grades": [{"questionId": text["id"], "correct": True}, {"questionId": text["id"], "correct": True}]}):
        r = client.post(url, headers=token_for(app, mentor), json=bad)
        assert r.status_code == 422, (bad, r.text)
    r = client.post(url, headers=token_for(app, mentor), json=grades)
    assert r.status_code == 200, r.text
    assert r.json() == {"id": aid, "status": "GRADED", "score": 100}
    assert _xp_events(make, a) == [50]
    r = client.post(url, headers=token_for(app, mentor), json=grades)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_submitted"
    assert _xp_events(make, a) == [50]
    note = make.session.scalars(select(Notification).where(Notification.user_id == a.id,
                                                           Notification.type == "QUIZ_GRADED")).one()
    assert note.title == "Тест проверен" and "100%" in note.message
    make.session.expire_all()
    assert make.session.get(User, a.id).experience_points == 150  # 100 attendance + 50 quiz
    assert_xp_matches_ledger(make.session, [a.id])
