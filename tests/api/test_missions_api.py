"""GET /api/courses/{id}/missions and /leaderboard over HTTP: shapes, permissions, bounded queries."""

from __future__ import annotations

from core.clock import utcnow
from core.services import missions, xp
from tests.factories import token_for


def test_missions_show_todays_progress(app, client, make, session):
    course = make.course(questions=3)
    missions.create_mission(session, actor=make.admin(), course_id=course.id,
                            values={"title": "Три верных ответа", "target": 3, "xp_reward": 25}, now=utcnow())
    student = make.student()
    make.course_enrollment(course, student)
    headers = token_for(app, student)
    for q in course.modules[0].lessons[0].questions[:2]:
        client.post(f"/api/courses/{course.id}/questions/{q.id}/answer", headers=headers,
                    json={"answer": q.correct_answer})
    body = client.get(f"/api/courses/{course.id}/missions", headers=headers).json()
    assert body["timezone"] == "Asia/Almaty" and len(body["day"]) == 10
    [item] = body["items"]
    assert {k: item[k] for k in ("title", "target", "xpReward", "progress", "completed")} == {
        "title": "Три верных ответа", "target": 3, "xpReward": 25, "progress": 2, "completed": False}
    q = course.modules[0].lessons[0].questions[2]
    r = client.post(f"/api/courses/{course.id}/questions/{q.id}/answer", headers=headers,
                    json={"answer": q.correct_answer})
    assert r.json() == {"isCorrect": True, "xpAwarded": 20, "missionXpAwarded": 25}
    assert client.get(f"/api/courses/{course.id}/missions", headers=headers).json()["items"][0]["completed"] is True


def test_missions_and_leaderboard_doors(app, client, make):
    course = make.course()
    for path in ("missions", "leaderboard"):
        assert client.get(f"/api/courses/{course.id}/{path}").status_code == 401
        r = client.get(f"/api/courses/{course.id}/{path}", headers=token_for(app, make.student()))
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_enrolled"
        assert r.json()["error"]["message"] == "Доступно после записи на курс"
        assert client.get(f"/api/courses/nope/{path}", headers=token_for(app, make.student())).status_code == 404
        assert client.get(f"/api/courses/{course.id}/{path}", headers=token_for(app, make.admin())).status_code == 200
    r = client.get(f"/api/courses/{course.id}/leaderboard?limit=1000", headers=token_for(app, make.admin()))
    assert r.status_code == 422


def test_leaderboard_ranks_enrolled_students_with_the_callers_rank(app, client, make, session, count_queries):
    course = make.course()
    outsider = make.student()
    xp.award_xp(session, user_id=outsider.id, amount=999, reason="x", source="ADJUSTMENT", source_key=f"o{outsider.id}",
                now=utcnow())
    students = []
    for i, amount in enumerate([50, 120, 120, 10, 0]):
        s = make.student(full_name=f"Ученик {i}")
        make.course_enrollment(course, s)
        if amount:
            xp.award_xp(session, user_id=s.id, amount=amount, reason="x", source="ADJUSTMENT",
                        source_key=f"lb{s.id}", now=utcnow())
        students.append(s)
    me = students[3]
    headers = token_for(app, me)
    with count_queries() as n:
        r = client.get(f"/api/courses/{course.id}/leaderboard?limit=2", headers=headers)
    body = r.json()
    assert [(row["rank"], row["experiencePoints"]) for row in body["items"]] == [(1, 120), (1, 120)]
    assert body["me"] == {"rank": 4, "userId": me.id, "fullName": "Ученик 3", "experiencePoints": 10}
    assert body["total"] == 5 and outsider.id not in {row["userId"] for row in body["items"]}
    few = n()
    for _ in range(10):
        make.course_enrollment(course, make.student())
    with count_queries() as n:
        body = client.get(f"/api/courses/{course.id}/leaderboard?limit=100", headers=headers).json()
    assert n() == few <= 6  # token user + course + enrolment check + page + own row + total
    assert body["total"] == 15 and body["items"][-1]["rank"] == 5  # eleven students with 0 XP share rank 5
