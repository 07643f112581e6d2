"""The attendance matrix (SPEC §10) through real HTTP, and its CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from core.clock import utcnow
from tests.factories import token_for
from tests.factories_clubs import make_class


def test_matrix_rows_columns_percentages_and_csv(app, client, make):
    owner = make.mentor_user()
    club = make.club(owner)
    klass = make_class(make.session, club)
    anna, boris, vera = (make.student(full_name=n) for n in ("Анна", "Борис", "Вера"))
    for s in (anna, boris, vera):
        make.enrollment(klass, s)
    gone = make.student(full_name="Глеб")
    make.enrollment(klass, gone)
    never = make.student(full_name="Дина")  # removed without history: not a row
    make.enrollment(klass, never, status="REMOVED", removed_at=utcnow())
    now = utcnow()
    first = make.lesson_session(klass, starts_at=now - timedelta(days=7))
    second = make.lesson_session(klass, starts_at=now - timedelta(hours=2))
    make.lesson_session(klass, starts_at=now - timedelta(days=3), status="CANCELLED")
    upcoming = make.lesson_session(klass, starts_at=now + timedelta(days=2))
    headers = token_for(app, owner)
    marks = [(anna, first, "present"), (boris, first, "late"), (vera, first, "absent"), (gone, first, "present"),
             (anna, second, "present"), (boris, second, "excused"), (vera, second, "present")]
    r = client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=headers, json={"records": [
        {"studentId": s.id, "sessionId": x.id, "status": st} for s, x, st in marks]})
    assert r.status_code == 200, r.text
    # Глеб leaves the class afterwards: his history stays in the matrix.
    r = client.delete(f"/api/kruzhok/classes/{klass.id}/students/{gone.id}", headers=headers)
    assert r.status_code == 200
    to = (now + timedelta(days=5)).date().isoformat()
    r = client.get(f"/api/kruzhok/{club.id}/attendance?classId={klass.id}&to={to}", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [s["id"] for s in body["sessions"]] == [first.id, second.id, upcoming.id]
    assert body["sessionsHeld"] == 2
    rows = {row["fullName"]: row for row in body["students"]}
    assert list(rows) == ["Анна", "Борис", "Вера", "Глеб"]
    assert rows["Анна"]["percent"] == 100.0 and rows["Борис"]["percent"] == 100.0
    assert rows["Вера"]["percent"] == 50.0 and rows["Глеб"]["percent"] == 100.0
    assert rows["Глеб"]["enrollmentStatus"] == "REMOVED" and rows["Борис"]["cells"][second.id] == "excused"
    assert body["classAverage"] == 87.5

    r = client.get(f"/api/kruzhok/{club.id}/attendance?classId={klass.id}&to={to}&format=csv", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][0] == "Ученик" and table[0][-1] == "Посещаемость, %"
    assert table[1][:4] == ["Анна", "Активен", "✓", "✓"] and table[4][:2] == ["Глеб", "Удалён"]
    assert table[-1][:2] == ["Проведено занятий", "2"] and table[-1][-1] == "87.5"

    student = token_for(app, anna)
    r = client.get(f"/api/kruzhok/{club.id}/attendance?classId={klass.id}", headers=student)
    assert r.status_code == 403
    r = client.get(f"/api/kruzhok/{club.id}/attendance", headers=headers)
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "classId"
    r = client.get(f"/api/kruzhok/{club.id}/attendance?classId=nope", headers=headers)
    assert r.status_code == 404 and r.json()["error"]["message"] == "Класс не найден"


def test_held_sessions_keep_their_lesson_title_after_the_lesson_is_renamed(app, client, make):
    """The archive reads the snapshot: the matrix (JSON, CSV) and the schedule show what was held."""
    from tests.factories_reports import make_program_lesson

    owner = make.mentor_user()
    club = make.club(owner)
    klass = make_class(make.session, club)
    anna = make.student(full_name="Анна")
    make.enrollment(klass, anna)
    lesson = make_program_lesson(make.session, title="Урок 1. Моторы")
    now = utcnow()
    held = make.lesson_session(klass, starts_at=now - timedelta(hours=2), program_lesson_id=lesson.id)
    upcoming = make.lesson_session(klass, starts_at=now + timedelta(days=2), program_lesson_id=lesson.id)
    headers = token_for(app, owner)
    r = client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=headers, json={"records": [
        {"studentId": anna.id, "sessionId": held.id, "status": "present"}]})
    assert r.status_code == 200, r.text
    lesson.title = "Урок 1. Датчики"  # edited after the session was held
    make.session.commit()

    to = (now + timedelta(days=5)).date().isoformat()
    r = client.get(f"/api/kruzhok/{club.id}/attendance?classId={klass.id}&to={to}", headers=headers)
    assert r.status_code == 200, r.text
    titles = {s["id"]: s["lessonTitle"] for s in r.json()["sessions"]}
    assert titles == {held.id: "Урок 1. Моторы", upcoming.id: "Урок 1. Датчики"}
    r = client.get(f"/api/kruzhok/{club.id}/attendance?classId={klass.id}&to={to}&format=csv", headers=headers)
    header = next(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert any("Урок 1. Моторы" in cell for cell in header) and any("Урок 1. Датчики" in cell for cell in header)
