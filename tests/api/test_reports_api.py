"""Club reports and their export (SPEC §12) through real HTTP: who may read them, the JSON shape,
bad input, the CSV as Excel reads it, and the PDF rendered to pixels and text with PDFium."""

from __future__ import annotations

import csv
import io

import pypdfium2 as pdfium
import pytest

from core.services.report_pdf import CHART_BOX
from tests.factories import make_admin, make_support, make_user, token_for
from tests.factories_clubs import make_mentor
from tests.factories_reports import make_held_session
from tests.services.report_world import DAY, SCENARIO_KEY, build_world

VIEWS = ("lessons", "students", "quizzes")


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    return build_world(session)


def _get(client, app, user, club, view, **params):  # type: ignore[no-untyped-def]
    headers = token_for(app, user) if user is not None else {}
    return client.get(f"/api/kruzhok/{club.id}/reports/{view}", headers=headers, params=params)


def _export(client, app, user, club, body):  # type: ignore[no-untyped-def]
    return client.post(f"/api/kruzhok/{club.id}/reports/export", headers=token_for(app, user), json=body)


def test_permission_matrix(app, client, session, world):
    mentor = make_user(session)
    make_mentor(session, world.club, mentor)
    callers = {"anonymous": None, "student": world.anna, "other_club_mentor": world.foreign_club.owner,
               "club_mentor": mentor, "owner": world.owner, "support": make_support(session),
               "admin": make_admin(session)}
    expected = {"anonymous": 401, "student": 403, "other_club_mentor": 403, "club_mentor": 200, "owner": 200,
                "support": 403, "admin": 403}
    for who, user in callers.items():
        for view in VIEWS:
            assert _get(client, app, user, world.club, view).status_code == expected[who], (who, view)
        if user is not None:
            r = _export(client, app, user, world.club, {"view": "lessons", "format": "csv"})
            assert r.status_code == expected[who], who
    r = client.get("/api/kruzhok/нет-такого/reports/lessons", headers=token_for(app, world.owner))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_lessons_json_with_details_and_materials(app, client, world):
    r = _get(client, app, world.owner, world.club, "lessons", limit=2)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["view"], body["total"], body["limit"], body["offset"]) == ("lessons", 3, 2, 0)
    assert body["columns"][0] == {"key": "date", "label": "Дата"}
    first = body["items"][0]
    assert first["sessionId"] == world.second.id and first["timeRange"] == "10:00–11:30"
    assert first["materials"] == [{"kind": "scenario", "key": SCENARIO_KEY,
                                   "url": f"/api/kruzhok/lesson/{world.second.id}/materials/scenario"}]
    assert [(s["fullName"], s["status"], s["score"]) for s in first["students"]] == [
        ("Анна Иванова", "late", 100.0), ("Борис Петров", "present", 0.0)]
    assert body["chart"]["unit"] == "%" and body["filters"] == "Период: всё время"
    students = _get(client, app, world.owner, world.club, "students", classId=world.klass.id).json()
    assert [(s["fullName"], s["attendancePercent"], s["xpEarned"]) for s in students["items"]] == [
        ("Анна Иванова", 100.0, 150), ("Борис Петров", 50.0, 100)]
    assert students["items"][0]["timeline"][0]["kind"] in ("attendance", "quiz")
    quizzes = _get(client, app, world.owner, world.club, "quizzes").json()
    assert quizzes["items"][0]["questions"][0]["text"] == "Трудный вопрос"


@pytest.mark.parametrize("params, code", [
    ({"from": "2026-03-09", "to": "2026-03-01"}, "invalid_report_filter"),
    ({"from": "завтра"}, "invalid_report_filter"),
    ({"classId": "00000000-0000-0000-0000-000000000000"}, "invalid_report_filter"),
    ({"limit": "500"}, "validation_error"),
    ({"limit": "много"}, "validation_error"),
])
def test_bad_query_is_a_clear_422(app, client, world, params, code):
    r = _get(client, app, world.owner, world.club, "lessons", **params)
    assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    assert r.json()["error"]["message"]


def test_bad_export_requests(app, client, world):
    cases = [({"view": "payments", "format": "csv"}, "unknown_report_view"),
             ({"view": "lessons", "format": "xlsx"}, "unknown_export_format"),
             ({"view": "lessons", "format": "csv", "filters": {"classId": world.foreign_class.id}},
              "invalid_report_filter"),
             ({"view": "lessons", "format": "csv", "filters": {"from": "2026-03-09", "to": "2026-03-01"}},
              "invalid_report_filter"),
             ({"view": "lessons", "format": "csv", "filters": {"colour": "red"}}, "validation_error"),
             ({"view": "lessons"}, "validation_error")]
    for body, code in cases:
        r = _export(client, app, world.owner, world.club, body)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, (body, r.text)
    assert "Класс не найден в этом кружке" in _export(client, app, world.owner, world.club, cases[2][0]).text


def test_csv_export_opens_in_excel_with_cyrillic_and_semicolons(app, client, session, world):
    world.klass.name = "Класс; «А»"  # a delimiter inside a cell must be quoted
    make_held_session(session, world.klass, starts_at=DAY.replace(day=20), marks={world.anna: "present"})
    session.flush()
    r = _export(client, app, world.owner, world.club,
                {"view": "lessons", "format": "csv", "filters": {"classId": world.klass.id}})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"].startswith('attachment; filename="report-lessons-')
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Дата", "Время", "Мин.", "Занятие"]
    # The session held after the rename shows the new name; the archived ones keep their snapshot.
    assert [row[4] for row in rows[1:]] == ["Класс; «А»", "Класс А", "Класс А"]
    assert rows[2][0] == "09.03.2026" and rows[2][-1] == "50" and rows[3][-1] == "50"
    students = _export(client, app, world.owner, world.club, {"view": "students", "format": "csv"})
    table = list(csv.reader(io.StringIO(students.content.decode("utf-8-sig")), delimiter=";"))
    assert table[1][0] == "Анна Иванова" and table[2][2] == "50"


def _dark_fraction(image, box_mm, scale):  # type: ignore[no-untyped-def]
    px_per_mm = scale * 72 / 25.4
    x, y, w, h = box_mm
    region = image.convert("L").crop((int(x * px_per_mm), int(y * px_per_mm), int((x + w) * px_per_mm),
                                      int((y + h) * px_per_mm)))
    histogram = region.histogram()
    return sum(histogram[:200]) / sum(histogram)


@pytest.mark.parametrize("view, expected", [
    ("lessons", ["История занятий — Кружок «Робототехника»", "Посещаемость по времени", "Урок 1. Моторы",
                 "Занятие класса «Класс Б»", "Класс: Класс А" if False else "Период: всё время"]),
    ("students", ["Прогресс учеников", "Анна Иванова", "Вера Сидорова", "Посещаемость по времени"]),
    ("quizzes", ["Аналитика тестов", "Тест по моторам", "Распределение баллов", "Трудный вопрос"]),
])
def test_pdf_export_has_title_filters_chart_and_table(app, client, world, view, expected):
    r = _export(client, app, world.owner, world.club, {"view": view, "format": "pdf"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert r.headers["content-disposition"].endswith('.pdf"')
    doc = pdfium.PdfDocument(r.content)
    try:
        page = doc[0]
        width, height = page.get_size()
        assert width > height
        text = page.get_textpage().get_text_range()
        assert "\ufffd" not in text
        for item in [*expected, "Фильтры:"]:
            assert item in text, (item, text[:500])
        scale = 2.0
        image = page.render(scale=scale).to_pil()
        x, y, w, h = CHART_BOX
        assert _dark_fraction(image, (x + 2, y + 12, w - 4, h - 22), scale) > 0.01  # the bars are drawn
        assert _dark_fraction(image, (x + 2, 201, 120, 3), scale) == 0  # the bottom-left margin stays white
    finally:
        doc.close()


def test_long_pdf_is_paged_with_headings_on_every_page(app, client, session, world):
    students = [make_user(session, full_name=f"Ученица {i:03d}") for i in range(60)]
    make_held_session(session, world.klass, starts_at=DAY.replace(day=25),
                      marks={s: "present" for s in students})
    session.flush()
    for s in students:
        from tests.factories_clubs import make_enrollment

        make_enrollment(session, world.klass, s)
    r = _export(client, app, world.owner, world.club, {"view": "students", "format": "pdf"})
    doc = pdfium.PdfDocument(r.content)
    try:
        assert len(doc) >= 3
        last = doc[len(doc) - 1].get_textpage().get_text_range()
        assert "Ученик" in last and "XP в кружке" in last and f"Стр. {len(doc)} из {len(doc)}" in last
    finally:
        doc.close()
