"""The design document's Test 4, first half, over HTTP: five correct answers (100 XP) → a certificate
request and one notification per admin; a sixth (120 XP) → no second request; re-answering → 0 XP."""

import secrets

from sqlalchemy import select

from core.models import CertificateRequest
from tests.factories import token_for
from tests.xp_ledger import assert_xp_matches_ledger


def _build_course(client, admin):
    r = client.post("/api/admin-courses", headers=admin,
                    json={"title": "Основы робототехники", "isPublished": True, "isFree": True})
    assert r.status_code == 201
    course_id = r.json()["id"]
    module_id = client.post(f"/api/admin-courses/{course_id}/modules", headers=admin,
                            json={"title": "Датчики"}).json()["id"]
    lesson_id = client.post(f"/api/admin-courses/modules/{module_id}/lessons", headers=admin,
                            json={"title": "Ультразвуковой датчик"}).json()["id"]
    questions = []
    for i in range(7):
        r = client.post(f"/api/admin-courses/lessons/{lesson_id}/questions", headers=admin,
                        json={"text": f"{i} + 1 = ?", "options": [str(i), str(i + 1)], "correctAnswer": str(i + 1)})
        assert r.status_code == 201
        questions.append((r.json()["id"], str(i + 1)))
    return course_id, questions


def _cert_notes(client, headers):
    items = client.get("/api/notifications?limit=100", headers=headers).json()["items"]
    return [n for n in items if n["type"] == "CERTIFICATE_REQUEST"]


def test_student_reaching_100_xp_gets_exactly_one_certificate_request(app, client, make, session):
    admins = [token_for(app, make.admin()), token_for(app, make.admin())]
    course_id, questions = _build_course(client, admins[0])
    r = client.post("/api/auth/register", json={"email": f"s{secrets.token_hex(4)}@example.kz",
                                                "password": "secret-pass-1", "fullName": "Дана Ержанова"})
    student = {"Authorization": f"Bearer {r.json()['token']}"}
    user_id = r.json()["user"]["id"]
    assert client.post(f"/api/courses/{course_id}/enroll", headers=student).status_code == 200

    def answer(qid: str, text: str) -> dict:
        r = client.post(f"/api/courses/{course_id}/questions/{qid}/answer", headers=student, json={"answer": text})
        assert r.status_code == 200, r.text
        return r.json()

    assert answer(questions[0][0], "неверно") == {"isCorrect": False, "xpAwarded": 0, "missionXpAwarded": 0}
    for qid, correct in questions[:5]:
        assert answer(qid, correct) == {"isCorrect": True, "xpAwarded": 20, "missionXpAwarded": 0}
    assert client.get("/api/me", headers=student).json()["experiencePoints"] == 100

    requests = session.scalars(select(CertificateRequest).where(CertificateRequest.user_id == user_id)).all()
    assert [(r.status, r.total_xp, r.threshold_xp, r.course_id) for r in requests] == [
        ("PENDING", 100, 100, course_id)]
    for headers in admins:
        [note] = _cert_notes(client, headers)
        assert note["title"] == "Новый запрос на сертификат"
        assert note["message"] == "Пользователь Дана Ержанова достиг 100 XP и запросил сертификат"
        assert note["metadata"] == {"certificateRequestId": requests[0].id, "userId": user_id, "totalXP": 100}

    assert answer(*questions[5]) == {"isCorrect": True, "xpAwarded": 20, "missionXpAwarded": 0}
    assert client.get("/api/me", headers=student).json()["experiencePoints"] == 120
    for qid, correct in questions[:6]:
        assert answer(qid, correct)["xpAwarded"] == 0
    assert client.get("/api/me", headers=student).json()["experiencePoints"] == 120
    session.expire_all()
    assert len(session.scalars(select(CertificateRequest).where(CertificateRequest.user_id == user_id)).all()) == 1
    for headers in admins:
        assert len(_cert_notes(client, headers)) == 1
    assert_xp_matches_ledger(session, [user_id])


def test_answers_in_a_course_the_student_is_not_enrolled_in_award_nothing(app, client, make, session):
    course = make.course(is_free=False, price=5000)
    student = make.student()
    q = course.modules[0].lessons[0].questions[0]
    r = client.post(f"/api/courses/{course.id}/questions/{q.id}/answer", headers=token_for(app, student),
                    json={"answer": q.correct_answer})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_enrolled"
    for bad in ({"answer": 5}, {"answer": ["1"]}, {}, {"answer": "x" * 501}):
        r = client.post(f"/api/courses/{course.id}/questions/{q.id}/answer", headers=token_for(app, student),
                        json=bad)
        assert r.status_code == 422, bad
        assert r.json()["error"]["message"]
    r = client.post(f"/api/courses/{course.id}/questions/nope/answer", headers=token_for(app, student),
                    json={"answer": "1"})
    assert r.status_code == 404 and r.json()["error"]["message"] == "Вопрос не найден"
    session.expire_all()
    assert student.experience_points == 0
