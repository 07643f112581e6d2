"""The seed's Test 5 ("Attendance and Quiz") end to end through real HTTP: the mentor schedules a lesson
with a quiz, marks 3 present, 1 late, 1 absent on the day; XP +100/+100/+100/+50/0; four assignments
with notifications; two students submit and one passes (+50 XP once); the mentor sees the results;
re-saving the same marks changes nothing; late → absent removes the 50 XP and the ledger stays consistent."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from core.clock import utcnow
from core.models import ClubQuizAssignment, Notification, User, XpEvent
from tests.factories import token_for
from tests.factories_clubs import make_class
from tests.xp_ledger import assert_xp_matches_ledger


def test_test5_attendance_and_quiz(app, client, make):
    owner = make.mentor_user()
    club = make.club(owner, timezone="Asia/Almaty")
    klass = make_class(make.session, club)
    students = [make.student(full_name=f"Ученик {i}") for i in range(5)]
    for s in students:
        make.enrollment(klass, s)
    lesson = make.lesson_quiz(title="Урок 3. Датчики")
    mentor = make.mentor(club).user
    mh = token_for(app, mentor)

    # 1. The mentor creates the session (today, in the club's timezone), linked to the lesson with a quiz.
    today_local = utcnow().astimezone(ZoneInfo(club.timezone)).replace(second=0, microsecond=0, tzinfo=None)
    r = client.post(f"/api/kruzhok/{club.id}/schedule", headers=mh,
                    json={"classId": klass.id, "scheduledDate": today_local.isoformat(), "duration": 90,
                          "programLessonId": lesson.id})
    assert r.status_code == 201, r.text
    session_id = r.json()["id"]

    # 2. On the day: 3 present, 1 late, 1 absent.
    a, b, c, d, e = students
    statuses = {a: "present", b: "present", c: "present", d: "late", e: "absent"}
    records = [{"studentId": s.id, "sessionId": session_id, "status": st} for s, st in statuses.items()]
    r = client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=mh, json={"records": records})
    assert r.status_code == 200 and r.json()["changed"] == 5, r.text

    def xp() -> list[int]:
        make.session.expire_all()
        return [make.session.get(User, s.id).experience_points for s in students]

    assert xp() == [100, 100, 100, 50, 0]

    # 3. Four assignments, each with its notification, seen through the students' own endpoints.
    count = make.session.scalar(select(func.count()).select_from(ClubQuizAssignment)
                                .where(ClubQuizAssignment.session_id == session_id))
    assert count == 4
    mine = {}
    for s in students:
        h = token_for(app, s)
        notes = client.get("/api/notifications", headers=h).json()["items"]
        quiz_notes = [n for n in notes if n["type"] == "QUIZ_ASSIGNED"]
        items = client.get("/api/quizzes/assignments/my", headers=h).json()["items"]
        if s is e:
            assert quiz_notes == [] and items == []
            continue
        assert len(quiz_notes) == 1 and quiz_notes[0]["title"] == "Новый тест доступен"
        assert "Урок 3. Датчики" in quiz_notes[0]["message"]
        (item,) = items
        assert quiz_notes[0]["link"] == f"/quizzes/assignments/{item['id']}"
        assert (item["status"], item["lessonTitle"], item["kruzhokId"]) == ("ASSIGNED", "Урок 3. Датчики", club.id)
        mine[s.id] = item["id"]

    # 4. Two students submit; one passes (+50 XP once), one does not.
    detail = client.get(f"/api/quizzes/assignments/{mine[a.id]}", headers=token_for(app, a)).json()
    single, multiple = detail["questions"]
    right = {"answers": [{"questionId": single["id"], "answer": 1}, {"questionId": multiple["id"], "answer": [0, 2]}]}
    wrong = {"answers": [{"questionId": single["id"], "answer": 0}, {"questionId": multiple["id"], "answer": [1]}]}
    r = client.post(f"/api/quizzes/assignments/{mine[a.id]}/submit", headers=token_for(app, a), json=right)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["score"], r.json()["passed"]) == ("GRADED", 100, True)
    r = client.post(f"/api/quizzes/assignments/{mine[d.id]}/submit", headers=token_for(app, d), json=wrong)
    assert (r.json()["status"], r.json()["score"], r.json()["passed"]) == ("GRADED", 0, False)
    r = client.post(f"/api/quizzes/assignments/{mine[a.id]}/submit", headers=token_for(app, a), json=right)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_submitted"
    assert xp() == [150, 100, 100, 50, 0]

    # 5. The mentor sees who submitted and the scores.
    r = client.get(f"/api/kruzhok/lesson/{session_id}/quiz/assignments", headers=mh)
    assert r.status_code == 200, r.text
    results = {i["studentId"]: (i["status"], i["score"], i["passed"]) for i in r.json()["items"]}
    assert results == {a.id: ("GRADED", 100, True), b.id: ("ASSIGNED", None, None),
                       c.id: ("ASSIGNED", None, None), d.id: ("GRADED", 0, False)}

    # 6. Re-saving the same attendance changes nothing.
    r = client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=mh, json={"records": records})
    assert r.status_code == 200 and r.json()["changed"] == 0 and r.json()["xpTotalDelta"] == 0
    assert xp() == [150, 100, 100, 50, 0]
    assert make.session.scalar(select(func.count()).select_from(ClubQuizAssignment)
                               .where(ClubQuizAssignment.session_id == session_id)) == 4
    assert make.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.type == "QUIZ_ASSIGNED", Notification.user_id.in_([s.id for s in students]))) == 4

    # 7. The late student corrected to absent loses the 50 XP; the ledger matches every total.
    r = client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=mh,
                    json={"records": [{"studentId": d.id, "sessionId": session_id, "status": "absent"}]})
    assert r.status_code == 200 and r.json()["xpTotalDelta"] == -50
    assert xp() == [150, 100, 100, 0, 0]
    assert_xp_matches_ledger(make.session, [s.id for s in students])
    quiz_xp = make.session.scalars(select(XpEvent.amount).where(XpEvent.source == "CLUB_QUIZ",
                                                                XpEvent.user_id.in_([s.id for s in students])))
    assert list(quiz_xp) == [50]
