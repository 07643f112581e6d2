"""Reports of a club (SPEC §12) at the service layer: the three views, their filters, bad input,
no leak between clubs, and a fixed number of SQL statements whatever the size of the history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.clock import utcnow
from core.errors import ErrorCode, Forbidden, Invalid, NotFound
from core.services import reports
from core.services.session_materials import Material
from tests.factories import make_admin, make_user
from tests.factories_clubs import make_class, make_club, make_enrollment, make_mentor, make_mentor_user
from tests.factories_reports import make_graded_assignment, make_held_session, make_program_lesson, make_quiz
from tests.services.report_world import DAY, SCENARIO_KEY, World, build_world


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    return build_world(session)


def _report(session, world, view, **raw):  # type: ignore[no-untyped-def]
    return reports.club_report(session, actor=world.owner, kruzhok_id=world.club.id, view=view, raw=raw)


def test_lesson_history_newest_first_with_details_from_the_snapshots(session, world):
    table = _report(session, world, "lessons")
    assert [r.session_id for r in table.rows] == [world.second.id, world.third.id, world.first.id]
    assert table.total == 3 and table.title == "История занятий"
    second, third, first = table.rows
    assert (second.date, second.time_range, second.duration_min) == (date(2026, 3, 9), "10:00–11:30", 90)
    assert (second.title, second.class_name, second.lesson_title) == ("Урок 1. Моторы", "Класс А", "Урок 1. Моторы")
    assert second.program_title == world.lesson.program.title and second.quiz_title == "Тест по моторам"
    assert (second.attended, second.marked, second.attendance_percent) == (2, 2, 100.0)
    assert (second.quiz_average, second.quiz_graded) == (50.0, 2)
    assert [(s.full_name, s.status, s.score) for s in second.students] == [
        ("Анна Иванова", "late", 100.0), ("Борис Петров", "present", 0.0)]
    assert second.materials == [Material(kind="scenario", key=SCENARIO_KEY,
                                         url=f"/api/kruzhok/lesson/{second.session_id}/materials/scenario")]
    assert (third.title, third.class_name) == ("Занятие класса «Класс Б»", "Класс Б")
    assert (third.attended, third.marked) == (0, 1)
    assert third.attendance_percent is None and third.quiz_average is None and third.materials == []
    assert (first.attended, first.marked, first.attendance_percent, first.quiz_average) == (1, 2, 50.0, 50.0)
    # A day with only excused marks has no percentage: no bar.
    assert table.chart is not None and (table.chart.labels, table.chart.values) == (["02.03", "09.03"], [50.0, 100.0])


def test_student_progress_attendance_quizzes_xp_and_timeline(session, world):
    table = _report(session, world, "students")
    assert [r.full_name for r in table.rows] == ["Анна Иванова", "Борис Петров", "Вера Сидорова"]
    anna, boris, vera = table.rows
    assert (anna.attendance_percent, anna.sessions_attended, anna.sessions_marked) == (100.0, 2, 2)
    assert (anna.quiz_average, anna.quizzes_graded, anna.xp_earned, anna.classes) == (75.0, 2, 150, "Класс А")
    assert [(a.kind, a.value) for a in anna.timeline if a.kind == "attendance"] == [("attendance", "late"),
                                                                                     ("attendance", "present")]
    assert sorted(a.value for a in anna.timeline if a.kind == "quiz") == ["100%", "50%"]
    assert all(x.at >= y.at for x, y in zip(anna.timeline, anna.timeline[1:], strict=False))
    assert (boris.attendance_percent, boris.quiz_average, boris.xp_earned) == (50.0, 0.0, 100)
    assert (vera.attendance_percent, vera.sessions_marked, vera.quiz_average, vera.xp_earned) == (None, 1, None, 0)


def test_quiz_analytics_attempts_average_pass_rate_and_hardest_question_first(session, world):
    table = _report(session, world, "quizzes")
    assert [r.title for r in table.rows] == ["Тест по моторам"]
    quiz = table.rows[0]
    assert (quiz.assigned, quiz.attempts, quiz.graded, quiz.average, quiz.pass_rate) == (3, 3, 3, 50.0, 33.3)
    assert [(q.text, q.answers, q.correct, q.correct_rate) for q in quiz.questions] == [
        ("Трудный вопрос", 3, 1, 33.3), ("Лёгкий вопрос", 3, 2, 66.7)]
    assert quiz.hardest == "Трудный вопрос (33,3%)"
    assert table.chart is not None and table.chart.values[0] == 1 and table.chart.values[5] == 1
    assert table.chart.values[9] == 1 and sum(table.chart.values) == 3


def test_filters_narrow_every_view(session, world):
    def lesson_ids(**raw):  # type: ignore[no-untyped-def]
        return [r.session_id for r in _report(session, world, "lessons", **raw).rows]

    assert lesson_ids(**{"from": "2026-03-06"}) == [world.second.id]
    assert lesson_ids(to="2026-03-04") == [world.first.id]
    assert lesson_ids(**{"from": "2026-03-02", "to": "2026-03-02"}) == [world.first.id]
    assert lesson_ids(classId=world.other_class.id) == [world.third.id]
    assert lesson_ids(programId=world.lesson.program_id) == [world.second.id, world.first.id]
    assert lesson_ids(studentId=world.vera.id) == [world.third.id]
    students = _report(session, world, "students", classId=world.other_class.id)
    assert [r.full_name for r in students.rows] == ["Вера Сидорова"]
    anna = _report(session, world, "students", studentId=world.anna.id, to="2026-03-04").rows
    assert [(r.full_name, r.sessions_marked, r.quiz_average, r.xp_earned) for r in anna] == [
        ("Анна Иванова", 1, 50.0, 100)]
    boris = _report(session, world, "quizzes", studentId=world.boris.id).rows[0]
    assert (boris.attempts, boris.average, boris.pass_rate) == (1, 0.0, 0.0)
    assert "Класс: Класс Б" in students.filters.describe()


def test_pages_are_bounded(session, world):
    table = reports.club_report(session, actor=world.owner, kruzhok_id=world.club.id, view="lessons", raw={},
                                limit=2, offset=2)
    assert [r.session_id for r in table.rows] == [world.first.id] and table.total == 3
    for limit, offset in ((0, 0), (101, 0), (10, -1)):
        with pytest.raises(Invalid):
            reports.club_report(session, actor=world.owner, kruzhok_id=world.club.id, view="lessons", raw={},
                                limit=limit, offset=offset)


@pytest.mark.parametrize("raw, field", [
    ({"from": "2026-03-09", "to": "2026-03-01"}, "to"),
    ({"from": "09.03.2026"}, "from"),
    ({"to": "2026-02-30"}, "to"),
    ({"from": "1999-12-31"}, "from"),
    ({"classId": "00000000-0000-0000-0000-000000000000"}, "classId"),
    ({"programId": "нет-такой"}, "programId"),
    ({"studentId": "x" * 65}, "studentId"),
    ({"colour": "red"}, "colour"),
])
def test_bad_filters_are_one_clear_error(session, world, raw, field):
    with pytest.raises(Invalid) as caught:
        _report(session, world, "lessons", **raw)
    assert caught.value.code == ErrorCode.INVALID_REPORT_FILTER and caught.value.http_status == 422
    assert [f["field"] for f in caught.value.details["fields"]] == [field]


def test_ids_of_another_club_are_refused_like_unknown_ones(session, world):
    with pytest.raises(Invalid) as caught:
        _report(session, world, "students", classId=world.foreign_class.id, studentId=world.foreign_student.id)
    assert caught.value.message == "Проверьте фильтры отчёта"
    assert caught.value.details["fields"] == [
        {"field": "classId", "message": "Класс не найден в этом кружке"},
        {"field": "studentId", "message": "Ученик не найден в этом кружке"}]


def test_unknown_view_and_format(session, world):
    with pytest.raises(Invalid) as caught:
        _report(session, world, "payments")
    assert caught.value.code == ErrorCode.UNKNOWN_REPORT_VIEW
    with pytest.raises(Invalid) as caught:
        reports.club_export(session, actor=world.owner, kruzhok_id=world.club.id, view="lessons", fmt="xlsx",
                            raw={}, now=utcnow())
    assert caught.value.code == ErrorCode.UNKNOWN_EXPORT_FORMAT


def test_no_report_shows_another_clubs_rows(session, world):
    foreign = {world.foreign_session.id, world.foreign_student.id, world.foreign_student.full_name}
    for view in ("lessons", "students", "quizzes"):
        for row in _report(session, world, view).rows:
            assert not foreign & {str(v) for v in vars(row).values()}
            for detail in getattr(row, "students", []):
                assert detail.student_id != world.foreign_student.id
    # The foreign club sees its own session and its student's score, nothing of ours.
    mine = reports.club_report(session, actor=world.foreign_club.owner, kruzhok_id=world.foreign_club.id,
                               view="quizzes", raw={}).rows
    assert [(q.attempts, q.average) for q in mine] == [(1, 50.0)]


def test_who_may_read_a_clubs_report(session, world):
    mentor = make_user(session)
    make_mentor(session, world.club, mentor)
    assert _report(session, world, "lessons").total == 3
    assert reports.club_report(session, actor=mentor, kruzhok_id=world.club.id, view="lessons", raw={}).total == 3
    for stranger in (world.anna, world.foreign_club.owner, make_admin(session)):
        with pytest.raises(Forbidden):
            reports.club_report(session, actor=stranger, kruzhok_id=world.club.id, view="lessons", raw={})
    with pytest.raises(NotFound):
        reports.club_report(session, actor=world.owner, kruzhok_id="нет", view="lessons", raw={})


def test_admin_sees_every_club_or_one(session, world):
    admin = make_admin(session)
    everything = reports.admin_report(session, actor=admin, view="lessons", raw={}, default_timezone="Asia/Almaty",
                                      limit=100)
    ids = {r.session_id for r in everything.rows}
    assert {world.first.id, world.second.id, world.third.id, world.foreign_session.id} <= ids
    one = reports.admin_report(session, actor=admin, view="lessons", raw={"kruzhokId": world.foreign_club.id},
                               default_timezone="Asia/Almaty")
    assert [r.session_id for r in one.rows] == [world.foreign_session.id]
    with pytest.raises(Forbidden):
        reports.admin_report(session, actor=world.owner, view="lessons", raw={}, default_timezone="Asia/Almaty")
    with pytest.raises(Invalid) as caught:
        reports.admin_report(session, actor=admin, view="lessons", raw={"kruzhokId": "нет"},
                             default_timezone="Asia/Almaty")
    assert caught.value.code == ErrorCode.INVALID_REPORT_FILTER


def _club_of_size(session, size: int):  # type: ignore[no-untyped-def]
    owner = make_mentor_user(session)
    club = make_club(session, owner)
    quiz = make_quiz(session, questions=[f"Вопрос {i}" for i in range(size)])
    lesson = make_program_lesson(session, quiz=quiz)
    classes = [make_class(session, club) for _ in range(2)]
    students = [make_user(session, full_name=f"Ученик {i:03d}") for i in range(size * 3)]
    for i, s in enumerate(students):
        make_enrollment(session, classes[i % 2], s)
    for day in range(size):
        klass = classes[day % 2]
        members = [s for i, s in enumerate(students) if i % 2 == day % 2]
        statuses = ("present", "late", "absent", "excused")
        held = make_held_session(session, klass, starts_at=DAY + timedelta(days=day), lesson=lesson,
                                 marks={s: statuses[i % 4] for i, s in enumerate(members)})
        for i, s in enumerate(members):
            make_graded_assignment(session, student=s, quiz=quiz, lesson_session=held,
                                   correct=[(i + q) % 3 != 0 for q in range(size)])
    return owner, club, students[0]


@pytest.mark.parametrize("view", ["lessons", "students", "quizzes"])
def test_each_report_and_export_runs_the_same_number_of_statements_at_any_size(session, count_queries, view):
    counts = []
    for size in (2, 7):
        owner, club, student = _club_of_size(session, size)
        session.flush()
        measured = []
        for raw in ({}, {"from": "2026-03-01", "to": "2026-12-31", "studentId": student.id}):
            with count_queries() as n:
                table = reports.club_report(session, actor=owner, kruzhok_id=club.id, view=view, raw=raw, limit=100)
            assert table.rows
            measured.append(n())
            for fmt in ("csv", "pdf"):
                with count_queries() as n:
                    reports.club_export(session, actor=owner, kruzhok_id=club.id, view=view, fmt=fmt, raw=raw,
                                        now=utcnow())
                measured.append(n())
        admin = make_admin(session)
        for raw in ({}, {"kruzhokId": club.id, "studentId": student.id}):
            with count_queries() as n:
                reports.admin_report(session, actor=admin, view=view, raw=raw, default_timezone="Asia/Almaty",
                                     limit=100)
            measured.append(n())
            with count_queries() as n:
                reports.admin_export(session, actor=admin, view=view, fmt="csv", raw=raw,
                                     default_timezone="Asia/Almaty", now=utcnow())
            measured.append(n())
        counts.append(measured)
    assert counts[0] == counts[1], counts
    assert max(counts[0]) <= 12


def test_an_export_cut_at_its_bound_says_so(session, world):
    filters = reports.parse_filters(session, club_id=world.club.id, raw={}, tz="Asia/Almaty")
    table = reports.build_report(session, view=reports.ReportView.LESSONS, filters=filters,
                                 page=reports.ReportPage(limit=2, offset=0, details=False))
    file = reports.export_report(table, fmt=reports.ExportFormat.CSV, subject="Кружок", now=utcnow())
    lines = file.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 4 and lines[-1] == "Показано строк: 2 из 3. Уточните фильтры, чтобы выгрузить остальные."
