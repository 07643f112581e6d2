"""Batch attendance (SPEC §10) through real HTTP: all-or-nothing, idempotent, XP differences through
the XP ledger, notifications on change, COMPLETED sessions, the rate limit, the audit row, and a
statement count that does not grow with the number of students."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.clock import utcnow
from core.models import Attendance, AuditEvent, ClubQuizAssignment, LessonSession, Notification, User, XpEvent
from tests.factories import token_for
from tests.factories_clubs import make_class


def _club_with_students(make, n: int):
    owner = make.mentor_user()
    club = make.club(owner)
    klass = make_class(make.session, club)
    students = [make.student() for _ in range(n)]
    for s in students:
        make.enrollment(klass, s)
    return owner, club, klass, students


def _save(app, client, owner, club, records):
    return client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=token_for(app, owner),
                       json={"records": records})


def _xp(make, user) -> int:
    make.session.expire_all()
    return make.session.get(User, user.id).experience_points


def _ledger(make, user) -> int:
    return make.session.scalar(select(func.coalesce(func.sum(XpEvent.amount), 0)).where(XpEvent.user_id == user.id))


def _notes(make, user) -> int:
    return make.session.scalar(select(func.count()).select_from(Notification)
                               .where(Notification.user_id == user.id, Notification.type == "ATTENDANCE_MARKED"))


def test_save_awards_xp_completes_session_and_resaves_change_nothing(app, client, make):
    owner, club, klass, (a, b, c, d, e) = _club_with_students(make, 5)
    lesson = make.lesson_session(klass)
    statuses = {a: "present", b: "present", c: "present", d: "late", e: "absent"}
    records = [{"studentId": s.id, "sessionId": lesson.id, "status": st} for s, st in statuses.items()]
    r = _save(app, client, owner, club, records)
    assert r.status_code == 200, r.text
    assert r.json()["changed"] == 5 and r.json()["xpTotalDelta"] == 350
    assert [_xp(make, s) for s in statuses] == [100, 100, 100, 50, 0]
    assert [_notes(make, s) for s in statuses] == [1, 1, 1, 1, 1]
    note = make.session.scalars(select(Notification).where(Notification.user_id == d.id)).one()
    assert note.title == "Посещаемость отмечена" and "опоздание" in note.message and "+50 XP" in note.message
    make.session.expire_all()
    held = make.session.get(LessonSession, lesson.id)
    assert held.status == "COMPLETED"
    # Completing the session snapshots what it showed (issue 13 §4), once per session.
    assert held.title_snapshot == f"Занятие класса «{klass.name}»" and held.class_name_snapshot == klass.name
    assert held.snapshot_at is not None and held.materials_snapshot == []
    audit = make.session.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.save",
                                                          AuditEvent.entity_id == club.id)).all()
    assert len(audit) == 1 and audit[0].actor_id == owner.id and audit[0].data["changed"] == 5

    # The same statuses again: nothing changes, no XP, no notification (but it is audited).
    r = _save(app, client, owner, club, records)
    assert r.status_code == 200 and r.json()["changed"] == 0 and r.json()["xpTotalDelta"] == 0
    assert [_xp(make, s) for s in statuses] == [100, 100, 100, 50, 0]
    assert [_notes(make, s) for s in statuses] == [1, 1, 1, 1, 1]

    # Corrections: late → absent removes 50, absent → present adds 100, present → late removes 50.
    r = _save(app, client, owner, club, [
        {"studentId": d.id, "sessionId": lesson.id, "status": "absent"},
        {"studentId": e.id, "sessionId": lesson.id, "status": "present"},
        {"studentId": a.id, "sessionId": lesson.id, "status": "late"},
    ])
    assert r.status_code == 200 and r.json()["changed"] == 3 and r.json()["xpTotalDelta"] == 0
    assert [_xp(make, s) for s in statuses] == [50, 100, 100, 0, 100]
    assert [_ledger(make, s) for s in statuses] == [50, 100, 100, 0, 100]
    negatives = make.session.scalars(select(XpEvent.amount).where(XpEvent.user_id == d.id)
                                     .order_by(XpEvent.amount)).all()
    assert list(negatives) == [-50, 50]
    assert [_notes(make, s) for s in statuses] == [2, 1, 1, 2, 2]
    marks = {m.student_id: (m.status, m.xp_awarded, m.revision)
             for m in make.session.scalars(select(Attendance).where(Attendance.session_id == lesson.id))}
    assert marks[d.id] == ("absent", 0, 2) and marks[a.id] == ("late", 50, 2) and marks[b.id] == ("present", 100, 1)


def test_invalid_batch_lists_every_bad_record_and_saves_nothing(app, client, make):
    owner, club, klass, (a, b) = _club_with_students(make, 2)
    lesson = make.lesson_session(klass)
    other_club_session = make.lesson_session(make_class(make.session, make.club(make.mentor_user())))
    other_class = make_class(make.session, club)
    outsider = make.student()
    make.enrollment(other_class, outsider)
    cancelled = make.lesson_session(klass, status="CANCELLED")
    future = make.lesson_session(klass, starts_at=utcnow() + timedelta(days=3))
    removed = make.student()
    make.enrollment(klass, removed, status="REMOVED", removed_at=utcnow())
    records = [
        {"studentId": a.id, "sessionId": lesson.id, "status": "present"},            # fine
        {"studentId": b.id, "sessionId": lesson.id, "status": "sleeping"},           # 1 bad status
        {"studentId": a.id, "sessionId": other_club_session.id, "status": "present"},  # 2 other club
        {"studentId": outsider.id, "sessionId": lesson.id, "status": "present"},     # 3 other class
        {"studentId": a.id, "sessionId": cancelled.id, "status": "present"},         # 4 cancelled
        {"studentId": a.id, "sessionId": future.id, "status": "present"},            # 5 not yet
        {"studentId": removed.id, "sessionId": lesson.id, "status": "present"},      # 6 removed student
        {"studentId": a.id, "sessionId": lesson.id, "status": "late"},               # 7 twice
    ]
    r = _save(app, client, owner, club, records)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_attendance"
    assert error["message"] == "Табель не сохранён: исправьте отмеченные записи"
    bad = {(item["index"], item["field"]): item["message"] for item in error["details"]["records"]}
    assert bad == {
        (1, "status"): "Неизвестный статус: допустимы present, late, absent, excused",
        (2, "sessionId"): "Занятие не найдено в этом кружке",
        (3, "studentId"): "Ученик не состоит в классе этого занятия",
        (4, "sessionId"): "Занятие отменено",
        (5, "sessionId"): "Занятие ещё не наступило",
        (6, "studentId"): "Ученик не состоит в классе этого занятия",
        (7, "studentId"): "Ученик указан в этом занятии дважды",
    }
    make.session.expire_all()
    assert make.session.scalar(select(func.count()).select_from(Attendance)
                               .where(Attendance.student_id.in_([a.id, b.id, outsider.id, removed.id]))) == 0
    assert _xp(make, a) == 0 and _notes(make, a) == 0
    assert make.session.get(LessonSession, lesson.id).status == "SCHEDULED"
    r = _save(app, client, owner, club, [])
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_attendance"
    r = _save(app, client, owner, club, [{"studentId": a.id, "sessionId": lesson.id}])
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "records.0.status"


def test_ten_saves_per_mentor_per_hour(app, client, make):
    owner, club, klass, (a,) = _club_with_students(make, 1)
    lesson = make.lesson_session(klass)
    for i in range(10):
        status = "present" if i % 2 == 0 else "late"
        r = _save(app, client, owner, club, [{"studentId": a.id, "sessionId": lesson.id, "status": status}])
        assert r.status_code == 200, r.text
    r = _save(app, client, owner, club, [{"studentId": a.id, "sessionId": lesson.id, "status": "absent"}])
    assert r.status_code == 429 and r.headers["Retry-After"]
    assert r.json()["error"]["message"] == "Слишком частое сохранение табеля. Попробуйте позже."
    assert _xp(make, a) == 50 and _ledger(make, a) == 50
    # Another mentor of the same club has a budget of their own.
    mentor = make.mentor(club).user
    r = _save(app, client, mentor, club, [{"studentId": a.id, "sessionId": lesson.id, "status": "absent"}])
    assert r.status_code == 200 and _xp(make, a) == 0


def _batch_statements(app, client, make, count_queries, n: int) -> int:
    owner, club, klass, students = _club_with_students(make, n)
    # The lesson has a quiz: the save also sends it to every present or late student.
    lesson = make.lesson_session(klass, program_lesson_id=make.lesson_quiz().id)
    # Half of them already marked, so a save both inserts and updates marks.
    first = [{"studentId": s.id, "sessionId": lesson.id, "status": "absent"} for s in students[: n // 2]]
    assert _save(app, client, owner, club, first).status_code == 200
    records = [{"studentId": s.id, "sessionId": lesson.id, "status": "present" if i % 3 else "late"}
               for i, s in enumerate(students)]
    headers = token_for(app, owner)
    with count_queries() as statements:
        r = client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=headers, json={"records": records})
        total = statements()
    assert r.status_code == 200 and r.json()["changed"] == n
    sent = make.session.scalar(select(func.count()).select_from(ClubQuizAssignment)
                               .where(ClubQuizAssignment.session_id == lesson.id))
    assert sent == n
    return total


def test_statement_count_does_not_grow_with_students(app, client, make, count_queries):
    five = _batch_statements(app, client, make, count_queries, 5)
    thirty = _batch_statements(app, client, make, count_queries, 30)
    assert thirty == five
    # The quiz send adds a fixed 2–3 (the lesson's quiz, one INSERT of assignments, their audit row).
    assert thirty <= 22


def test_attendance_xp_crossing_the_threshold_creates_one_certificate_request_each(app, client, make):
    """Attendance XP goes through the same threshold rule as course XP: 100 XP for "present" crosses the
    default threshold, so each student gets one PENDING request and every admin one notification per request;
    a re-save (late → present again) never creates a second one."""
    from core.models import CertificateRequest, NotificationType

    admins = [make.admin(), make.admin()]
    owner, club, klass, students = _club_with_students(make, 3)
    lesson = make.lesson_session(klass)
    late = [{"studentId": s.id, "sessionId": lesson.id, "status": "late"} for s in students]
    assert _save(app, client, owner, club, late).status_code == 200  # 50 XP: below 100
    session = make.session

    def requests_of(student) -> list[CertificateRequest]:
        return list(session.scalars(select(CertificateRequest).where(CertificateRequest.user_id == student.id)))

    assert all(requests_of(s) == [] for s in students)
    present = [{"studentId": s.id, "sessionId": lesson.id, "status": "present"} for s in students]
    assert _save(app, client, owner, club, present).status_code == 200  # +50 → 100 XP
    for student in students:
        (request,) = requests_of(student)
        assert (request.status, request.threshold_xp, request.total_xp, request.kruzhok_id) == (
            "PENDING", 100, 100, club.id)
        assert "посещённые занятия кружка" in request.task_description and club.title in request.task_description
    for admin in admins:
        metas = [n.meta for n in session.scalars(select(Notification).where(
            Notification.user_id == admin.id, Notification.type == NotificationType.CERTIFICATE_REQUEST))]
        assert sorted(m["userId"] for m in metas) == sorted(s.id for s in students)
        assert all(m["totalXP"] == 100 for m in metas)
    # Down and up again: 100 → 50 → 100 crosses once more, but the request exists already.
    assert _save(app, client, owner, club, late).status_code == 200
    assert _save(app, client, owner, club, present).status_code == 200
    assert all(len(requests_of(s)) == 1 for s in students)


def test_third_absence_in_a_row_reaches_the_mentors_inbox(app, client, make):
    """Through HTTP: three saves marking one student absent; the mentor's inbox has one «Пропуски подряд»
    (core/services/absence_alerts.py has the rules), the student's none."""
    owner, club, klass, (student,) = _club_with_students(make, 1)
    mentor = make.mentor(club).user
    now = utcnow()
    lessons = [make.lesson_session(klass, starts_at=now - timedelta(days=7 - 2 * i)) for i in range(3)]
    for lesson in lessons:
        r = _save(app, client, owner, club, [{"studentId": student.id, "sessionId": lesson.id, "status": "absent"}])
        assert r.status_code == 200, r.text
    inbox = client.get("/api/notifications", headers=token_for(app, mentor)).json()["items"]
    [alert] = [n for n in inbox if n["type"] == "ABSENCE_STREAK"]
    assert alert["title"] == "Пропуски подряд" and "3 занятия подряд" in alert["message"]
    assert len(alert["metadata"]["dates"]) == 3 and alert["link"] == f"/kruzhok/{club.id}/lesson/{lessons[2].id}"
    mine = client.get("/api/notifications", headers=token_for(app, student)).json()["items"]
    assert all(n["type"] != "ABSENCE_STREAK" for n in mine)
