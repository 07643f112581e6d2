"""Club quiz distribution (SPEC §10) through real HTTP: the automatic send after an attendance save
(present and late only, once, the seed's notification with the due time in the club's timezone, a later
absent → present correction), sessions without a quiz or with auto-send off, and the manual send."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from core.clock import as_utc, utcnow
from core.models import ClubQuizAssignment, LessonSession, Notification
from tests.factories import token_for
from tests.factories_clubs import make_class


def world(make, n: int = 4, **quiz):
    owner = make.mentor_user()
    club = make.club(owner)
    klass = make_class(make.session, club)
    students = [make.student() for _ in range(n)]
    for s in students:
        make.enrollment(klass, s)
    lesson = make.lesson_quiz(**quiz)
    row = make.lesson_session(klass, program_lesson_id=lesson.id)
    return owner, club, klass, students, lesson, row


def mark(app, client, user, club, row, statuses):
    r = client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=token_for(app, user),
                    json={"records": [{"studentId": s.id, "sessionId": row.id, "status": st}
                                      for s, st in statuses.items()]})
    assert r.status_code == 200, r.text
    return r.json()


def assignments(make, row) -> dict[str, ClubQuizAssignment]:
    make.session.expire_all()
    return {a.student_id: a for a in make.session.scalars(
        select(ClubQuizAssignment).where(ClubQuizAssignment.session_id == row.id))}


def quiz_notes(make, user) -> list[Notification]:
    return list(make.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                                Notification.type == "QUIZ_ASSIGNED")))


def test_present_and_late_get_one_assignment_and_the_seed_notification(app, client, make):
    owner, club, _klass, (a, b, c, d), lesson, row = world(make)
    before = utcnow()
    mark(app, client, owner, club, row, {a: "present", b: "late", c: "absent", d: "excused"})
    got = assignments(make, row)
    assert set(got) == {a.id, b.id}
    for student in (a, b):
        item = got[student.id]
        assert (item.quiz_id, item.status, item.is_manual, item.is_overdue) == (lesson.quiz_id, "ASSIGNED", False,
                                                                                 False)
        assert timedelta(hours=24) <= as_utc(item.due_at) - before <= timedelta(hours=24, minutes=1)
        (note,) = quiz_notes(make, student)
        due = as_utc(item.due_at).astimezone(ZoneInfo("Asia/Almaty"))
        assert note.title == "Новый тест доступен"
        assert note.message == f"Пройдите тест по уроку 'Урок 3. Датчики'. Срок: {due:%d.%m.%Y %H:%M}"
        assert note.link == f"/quizzes/assignments/{item.id}" and note.meta["assignmentId"] == item.id
    assert quiz_notes(make, c) == [] and quiz_notes(make, d) == []
    # Re-saving (the same marks, or late → present) sends nothing again.
    mark(app, client, owner, club, row, {a: "present", b: "late", c: "absent", d: "excused"})
    mark(app, client, owner, club, row, {b: "present"})
    assert set(assignments(make, row)) == {a.id, b.id}
    assert [len(quiz_notes(make, s)) for s in (a, b, c, d)] == [1, 1, 0, 0]
    # Corrected absent → late later: the student gets the quiz then, once.
    mark(app, client, owner, club, row, {c: "late"})
    mark(app, client, owner, club, row, {c: "present"})
    assert set(assignments(make, row)) == {a.id, b.id, c.id}
    assert [len(quiz_notes(make, s)) for s in (a, b, c, d)] == [1, 1, 1, 0]
    # Corrected present → absent: the assignment stays (docs/decisions.md).
    mark(app, client, owner, club, row, {a: "absent"})
    assert a.id in assignments(make, row)


def test_no_quiz_or_auto_send_off_sends_nothing_and_manual_send_is_idempotent(app, client, make):
    owner, club, klass, (a, b, c, _d), lesson, row = world(make)
    make.session.get(LessonSession, row.id).auto_send_quiz = False
    bare = make.lesson_session(klass)
    make.session.flush()
    mark(app, client, owner, club, row, {a: "present", b: "late", c: "absent"})
    mark(app, client, owner, club, bare, {a: "present"})
    assert assignments(make, row) == {} and assignments(make, bare) == {}
    headers = token_for(app, owner)
    r = client.post(f"/api/kruzhok/lesson/{row.id}/quiz/send", headers=headers, json={"quizId": lesson.quiz_id})
    assert r.status_code == 200, r.text
    assert r.json() == {"quizId": lesson.quiz_id, "sessionId": row.id, "recipients": 2, "sent": 2}
    got = assignments(make, row)
    assert set(got) == {a.id, b.id} and all(x.is_manual for x in got.values())
    r = client.post(f"/api/kruzhok/lesson/{row.id}/quiz/send", headers=headers, json={"quizId": lesson.quiz_id})
    assert r.json()["sent"] == 0
    assert [len(quiz_notes(make, s)) for s in (a, b, c)] == [1, 1, 0]
    page = client.get(f"/api/kruzhok/lesson/{row.id}", headers=headers).json()
    assert page["quizSent"] is True and page["quizAssignedCount"] == 2


def test_manual_send_before_any_mark_goes_to_every_enrolled_student(app, client, make):
    owner, club, klass, students, lesson, _ = world(make, n=3)
    future = make.lesson_session(klass, program_lesson_id=lesson.id, starts_at=utcnow() + timedelta(days=2))
    mentor = make.mentor(club).user
    r = client.post(f"/api/kruzhok/lesson/{future.id}/quiz/send", headers=token_for(app, mentor),
                    json={"quizId": lesson.quiz_id})
    assert r.status_code == 200 and r.json()["sent"] == 3
    assert set(assignments(make, future)) == {s.id for s in students}


def test_manual_send_refusals(app, client, make):
    owner, club, klass, (a, *_), lesson, row = world(make)
    other_quiz = make.lesson_quiz(title="Другой урок").quiz_id
    body = {"quizId": lesson.quiz_id}
    url = f"/api/kruzhok/lesson/{row.id}/quiz/send"
    assert client.post(url, headers=token_for(app, a), json=body).status_code == 403
    assert client.post(url, headers=token_for(app, make.student()), json=body).status_code == 404
    assert client.post(url, json=body).status_code == 401
    r = client.post(url, headers=token_for(app, owner), json={"quizId": "nope"})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "quizId"
    assert client.post(url, headers=token_for(app, owner), json={}).status_code == 422
    assert client.post(url, headers=token_for(app, owner), json={"quizId": 5}).status_code == 422
    empty = make.lesson_quiz(title="Пустой").quiz
    for q in list(empty.questions):
        make.session.delete(q)
    make.session.flush()
    r = client.post(url, headers=token_for(app, owner), json={"quizId": empty.id})
    assert r.status_code == 422 and r.json()["error"]["code"] == "quiz_not_sendable"
    cancelled = make.lesson_session(klass, status="CANCELLED")
    r = client.post(f"/api/kruzhok/lesson/{cancelled.id}/quiz/send", headers=token_for(app, owner),
                    json={"quizId": other_quiz})
    assert r.status_code == 409 and r.json()["error"]["code"] == "session_cancelled"
    assert make.session.scalar(select(func.count()).select_from(ClubQuizAssignment)
                               .where(ClubQuizAssignment.student_id == a.id)) == 0


def test_lesson_page_shows_a_quiz_sent_by_hand_when_the_lesson_has_none(app, client, make):
    owner, club, klass, students, lesson, _ = world(make, n=2)
    plain = make.lesson_session(klass)  # no program lesson, so no quiz of its own
    headers = token_for(app, owner)
    page = client.get(f"/api/kruzhok/lesson/{plain.id}", headers=headers).json()
    assert (page["quizId"], page["quizSent"]) == (None, False)
    r = client.post(f"/api/kruzhok/lesson/{plain.id}/quiz/send", headers=headers, json={"quizId": lesson.quiz_id})
    assert r.status_code == 200 and r.json()["sent"] == 2
    page = client.get(f"/api/kruzhok/lesson/{plain.id}", headers=headers).json()
    assert page["quizId"] == lesson.quiz_id and page["quizSent"] is True and page["quizAssignedCount"] == 2
    assert page["quizTitle"]
