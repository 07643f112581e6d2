"""«Отчёты» in the back-office (SPEC §12, §13): the three reports across all clubs or one, filters with
bounded lookups, expandable lesson details, CSV/PDF exports; bad filters are a Russian message on the
page (never a 500); SUPPORT gets 403."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.clock import local_date, utcnow
from core.services.report_options import LIMIT
from tests.admin.helpers import EVIL, ORIGIN, csrf_of, login
from tests.factories_reports import make_held_session
from tests.services.report_world import World, build_world

PAGE = "/admin/reports"
ALL_TIME = {"from": "", "to": ""}  # the dates cleared: the whole history


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    return build_world(session)


@pytest.fixture
def admin_client(client, make):  # type: ignore[no-untyped-def]
    assert login(client, make.admin()).status_code == 302
    return client


def _table(html: str) -> str:
    match = re.search(r'<table class="table table-sm table-hover" id="report-table">(.*?)</table>\s*</div>',
                      html, re.S)
    assert match, "no report table on the page"
    return match.group(1)


def test_lessons_across_all_clubs_with_expandable_details(admin_client, world) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get(PAGE, params=ALL_TIME)
    assert page.status_code == 200
    assert "История занятий" in page.text and "Экспортировать CSV" in page.text and "Экспортировать PDF" in page.text
    table = _table(page.text)
    # every club's held sessions, newest first: the second (DAY+7) before the foreign one (DAY+1)
    assert "Класс А" in table and "Чужой класс" in table
    assert table.index("09.03.2026") < table.index("03.03.2026") < table.index("02.03.2026")
    # the details of a lesson: every student's mark and score, and the materials used
    assert "<summary>Подробнее</summary>" in table
    assert "Анна Иванова" in table and "Опоздал" in table and "Отсутствовал" in table
    assert "Сценарий:" in table and "0123456789abcdef0123456789abcdef.pdf" in table
    assert f"/api/kruzhok/lesson/{world.first.id}/materials/scenario" in table


def test_the_page_opens_on_the_last_30_days(admin_client, world, make) -> None:  # type: ignore[no-untyped-def]
    recent = make_held_session(make.session, world.klass, starts_at=utcnow() - timedelta(days=2),
                               marks={world.anna: "present"})
    page = admin_client.get(PAGE)
    assert page.status_code == 200
    today = local_date(utcnow(), "Asia/Almaty")
    assert f'name="from" value="{(today - timedelta(days=30)).isoformat()}"' in page.text
    assert f'name="to" value="{today.isoformat()}"' in page.text
    table = _table(page.text)
    assert f"{local_date(recent.starts_at, 'Asia/Almaty'):%d.%m.%Y}" in table and "02.03.2026" not in table


def test_one_club_never_shows_another_clubs_rows(admin_client, world) -> None:  # type: ignore[no-untyped-def]
    for view in ("lessons", "students", "quizzes"):
        page = admin_client.get(PAGE, params={"view": view, "kruzhokId": world.club.id, **ALL_TIME})
        assert page.status_code == 200, (view, page.text[:500])
        assert "Чужой" not in _table(page.text), view
    # the chosen club stays selected in its select (its one option, not a list of every club)
    assert f'<option value="{world.club.id}" selected>Робототехника</option>' in page.text


def test_students_and_quizzes_tabs(admin_client, world) -> None:  # type: ignore[no-untyped-def]
    students = admin_client.get(PAGE, params={"view": "students", "kruzhokId": world.club.id, **ALL_TIME})
    table = _table(students.text)
    assert "Прогресс учеников" in students.text
    assert "Анна Иванова" in table and "Вера Сидорова" in table and "Посещаемость, %" in students.text
    quizzes = admin_client.get(PAGE, params={"view": "quizzes", "kruzhokId": world.club.id, **ALL_TIME})
    table = _table(quizzes.text)
    assert "Тест по моторам" in table and "Трудный вопрос" in table
    # tabs keep the filters
    assert f'view=lessons&amp;from=&amp;to=&amp;kruzhokId={world.club.id}' in quizzes.text


def test_filters_narrow_the_report(admin_client, world) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get(PAGE, params={"view": "lessons", "kruzhokId": world.club.id,
                                          "classId": world.other_class.id, **ALL_TIME})
    table = _table(page.text)
    assert "Класс Б" in table and "Класс А" not in table
    page = admin_client.get(PAGE, params={"view": "lessons", "from": "2026-03-05", "to": "2026-03-31"})
    table = _table(page.text)
    assert "09.03.2026" in table and "02.03.2026" not in table and "03.03.2026" not in table
    page = admin_client.get(PAGE, params={"view": "students", "studentId": world.vera.id, **ALL_TIME})
    table = _table(page.text)
    assert "Вера Сидорова" in table and "Анна Иванова" not in table


@pytest.mark.parametrize(("params", "message"), [
    ({"from": "2026-03-10", "to": "2026-03-01"}, "Дата окончания раньше даты начала"),
    ({"from": "вчера"}, "Ожидается дата в формате ГГГГ-ММ-ДД"),
    ({"classId": "00000000-0000-0000-0000-000000000000"}, "Класс не найден"),
    ({"kruzhokId": "00000000-0000-0000-0000-000000000000"}, "Кружок не найден"),
    ({"view": "payments"}, "Неизвестный отчёт"),
    ({"studentId": "x\x00"}, "Недопустимое значение фильтра"),
    ({"offset": "-5", "from": "2026-13-01"}, "Ожидается дата"),
])
def test_bad_filters_are_a_russian_message_on_the_page(admin_client, world, params, message) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get(PAGE, params=params)
    assert page.status_code == 400
    assert 'id="report-error"' in page.text and message in page.text
    assert 'id="report-filters"' in page.text  # the form stays to correct the filters


def test_a_class_of_another_club_is_refused(admin_client, world) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get(PAGE, params={"kruzhokId": world.club.id, "classId": world.foreign_class.id,
                                          **ALL_TIME})
    assert page.status_code == 400 and "Класс не найден" in page.text


def test_csv_and_pdf_exports_of_the_same_report(admin_client, world) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(admin_client)
    base = {"csrf_token": token, "view": "lessons", "kruzhokId": world.club.id}
    csv = admin_client.post(PAGE, data={**base, "format": "csv"}, headers=ORIGIN)
    assert csv.status_code == 200, csv.text[:300]
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["content-disposition"].startswith("attachment;")
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufeff") and "Класс А" in text and "Чужой" not in text
    pdf = admin_client.post(PAGE, data={**base, "format": "pdf", "from": "2026-03-01"}, headers=ORIGIN)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_bad_export_is_a_flash_message(admin_client, world) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(admin_client)
    answer = admin_client.post(PAGE, data={"csrf_token": token, "view": "lessons", "format": "xlsx"},
                               headers=ORIGIN, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith(PAGE)
    shown = admin_client.get(answer.headers["location"])
    assert "Неизвестный формат выгрузки" in shown.text
    answer = admin_client.post(PAGE, data={"csrf_token": token, "view": "lessons", "format": "csv",
                                           "from": "2026-03-10", "to": "2026-03-01"}, headers=ORIGIN)
    # back on the page with the same filters: the message is flashed and shown with the filter form
    assert answer.status_code == 400 and "Дата окончания раньше даты начала" in answer.text


def test_export_needs_the_csrf_token_and_our_origin(admin_client, world) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(admin_client)
    data = {"view": "lessons", "format": "csv"}
    assert admin_client.post(PAGE, data=data, headers=ORIGIN).status_code == 403
    assert admin_client.post(PAGE, data={"csrf_token": token, **data}, headers=EVIL).status_code == 403


def test_lookups_are_bounded_and_scoped(admin_client, world, make) -> None:  # type: ignore[no-untyped-def]
    for i in range(LIMIT + 5):
        make.club(title=f"Поиск кружок {i:02d}")
    found = admin_client.get(PAGE, params={"lookup": "club", "q": "поиск КРУЖОК"}).json()["results"]
    assert len(found) == LIMIT and found[0]["text"] == "Поиск кружок 00"
    students = admin_client.get(PAGE, params={"lookup": "student", "kruzhokId": world.club.id}).json()["results"]
    names = sorted(s["text"].split(" <")[0] for s in students)
    assert names == ["Анна Иванова", "Борис Петров", "Вера Сидорова"]
    classes = admin_client.get(PAGE, params={"lookup": "class", "q": "чужой"}).json()["results"]
    assert [c["id"] for c in classes] == [world.foreign_class.id]
    bad = admin_client.get(PAGE, params={"lookup": "payments"})
    assert bad.status_code == 400 and "Неизвестный список" in bad.json()["error"]["message"]
    assert admin_client.get(PAGE, params={"lookup": "club", "q": "я" * 500}).json()["results"] == []


def test_support_is_refused(client, make, world) -> None:  # type: ignore[no-untyped-def]
    login(client, make.support())
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE, params={"lookup": "student"}).status_code == 403
    token = csrf_of(client)
    answer = client.post(PAGE, data={"csrf_token": token, "view": "lessons", "format": "csv"}, headers=ORIGIN)
    assert answer.status_code == 403
    assert "/admin/reports" not in client.get("/admin/").text


def test_the_page_runs_a_bounded_number_of_queries(admin_client, world, make, count_queries) -> None:  # type: ignore[no-untyped-def]
    admin_client.get(PAGE)  # warm-up
    with count_queries() as small:
        assert admin_client.get(PAGE, params={"view": "lessons"}).status_code == 200
    build_world(make.session)  # twice the clubs, sessions, students and answers
    with count_queries() as big:
        assert admin_client.get(PAGE, params={"view": "lessons"}).status_code == 200
    assert big() == small()
