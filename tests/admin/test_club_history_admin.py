"""Read-only back-office views of club history — «Тесты учеников», «Самоотметка учеников», «Пропуски подряд»,
«Приглашения» — over real HTTP as ADMIN and SUPPORT: list, details, search by e-mail, times in the
club's zone, no create/edit/delete route, and a list page whose statement count does not grow with rows."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from core.clock import utcnow
from core.models import AbsenceAlert, ClubQuizAssignment, Invitation, SessionCheckin
from tests.admin.helpers import ORIGIN, csrf_of, login
from tests.factories_history import HistoryWorld, contents, make_history_world

VIEWS = ["club-quiz-assignment", "session-checkin", "absence-alert", "invitation"]


def _world(session, make, timezone: str = "Europe/Moscow") -> tuple[HistoryWorld, dict[str, str]]:  # type: ignore[no-untyped-def]
    """A club in `timezone` with a graded quiz (and its answer), a check-in window, an absence alert, an
    invitation — and an overdue quiz sent by hand to another student (no session: the default zone)."""
    world = make_history_world(session)
    world.club.timezone = timezone
    held, now = world.lesson_session, utcnow()
    late = make.student(full_name="Ученик Опоздавший")
    manual = ClubQuizAssignment(student_id=late.id, quiz_id=world.quiz.id, is_manual=True, status="ASSIGNED",
                                assigned_at=now - timedelta(days=2), due_at=now - timedelta(days=1), is_overdue=True)
    rows = [SessionCheckin(session_id=held.id, opened_by_id=world.owner.id, opened_at=held.starts_at,
                           closes_at=held.starts_at + timedelta(minutes=10), updated_at=held.starts_at),
            AbsenceAlert(student_id=world.student.id, class_id=world.klass.id, first_session_id=held.id,
                         last_session_id=held.id, missed=3),
            Invitation(kind="STUDENT", kruzhok_id=world.club.id, class_id=world.klass.id, target_id=world.klass.id,
                       email=f"new-{late.id[:8]}@example.com", invited_by_id=world.owner.id),
            manual]
    session.add_all(rows)
    session.flush()
    graded = session.query(ClubQuizAssignment).filter_by(student_id=world.student.id).one()
    pks = {"club-quiz-assignment": graded.id, "session-checkin": rows[0].id, "absence-alert": rows[1].id,
           "invitation": rows[2].id, "manual": manual.id, "invited": rows[2].email, "late": late.email}
    return world, pks


def _text(client, url: str) -> str:  # type: ignore[no-untyped-def]
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return html.unescape(r.text)


@pytest.mark.parametrize("role", ["admin", "support"])
def test_staff_read_lists_and_details(client, make, session, role):  # type: ignore[no-untyped-def]
    world, pks = _world(session, make)
    login(client, make.admin() if role == "admin" else make.support())

    quizzes = _text(client, "/admin/club-quiz-assignment/list")
    for text in ("Тесты учеников", "Ученик С Историей", world.quiz.title, "Урок 1. Моторы", "Оценён", "100%",
                 "Ученик Опоздавший", "Назначен", "Просрочен", "Вручную", "UTC+3", "Сдать до", "Баллы, %"):
        assert text in quizzes, text
    details = _text(client, f"/admin/club-quiz-assignment/details/{pks['club-quiz-assignment']}")
    for text in ("Сколько колёс у робота?", "Ответ ученика", "Верно", "UTC+3", world.klass.name):
        assert text in details, text
    manual = _text(client, f"/admin/club-quiz-assignment/details/{pks['manual']}")
    assert "UTC+5" in manual and "Просрочен" in manual and "Ответов пока нет." in manual  # default zone: Almaty

    checkins = _text(client, "/admin/session-checkin/list")
    for text in ("Самоотметка учеников", world.owner.email, "Урок 1. Моторы", "Закрывается", "UTC+3"):
        assert text in checkins, text
    alerts = _text(client, "/admin/absence-alert/list")
    for text in ("Пропуски подряд", "Ученик С Историей", world.klass.name, world.club.title, "Пропущено подряд"):
        assert text in alerts, text
    invitations = _text(client, "/admin/invitation/list")
    for text in (pks["invited"], "Ожидает ответа", "Ученик в класс", world.club.title, world.owner.full_name):
        assert text in invitations, text
    for ident in VIEWS:
        page = _text(client, f"/admin/{ident}/details/{pks[ident]}")
        assert f"/admin/{ident}/edit/" not in page and f"/admin/{ident}/create" not in page


def test_search_by_email(client, make, session):  # type: ignore[no-untyped-def]
    world, pks = _world(session, make)
    other, _ = _world(session, make)
    login(client, make.support())
    for ident, email in (("club-quiz-assignment", world.student.email), ("absence-alert", world.student.email),
                         ("session-checkin", world.owner.email), ("invitation", pks["invited"])):
        found = _text(client, f"/admin/{ident}/list?search={email}")
        assert email in found, ident
        assert other.klass.name not in found and other.club.title not in found, ident
    late = _text(client, f"/admin/club-quiz-assignment/list?search={pks['late']}")
    assert "Ученик Опоздавший" in late and "Ученик С Историей" not in late


@pytest.mark.parametrize("role", ["admin", "support"])
def test_no_create_edit_or_delete(client, make, session, role):  # type: ignore[no-untyped-def]
    _world_, pks = _world(session, make)
    login(client, make.admin() if role == "admin" else make.support())
    token = csrf_of(client)
    headers = {**ORIGIN, "X-CSRF-Token": token}
    before = contents(session)
    answered = []
    for ident in VIEWS:
        pk = pks[ident]
        for method, url, data in [("GET", f"/admin/{ident}/create", None),
                                  ("POST", f"/admin/{ident}/create", {"csrf_token": token}),
                                  ("GET", f"/admin/{ident}/edit/{pk}", None),
                                  ("POST", f"/admin/{ident}/edit/{pk}", {"csrf_token": token}),
                                  ("DELETE", f"/admin/{ident}/delete?pks={pk}", None)]:
            r = client.request(method, url, data=data, headers=headers, follow_redirects=False)
            answered.append((method, url, r.status_code))
    assert [a for a in answered if a[2] != 403] == []
    session.expire_all()
    assert contents(session) == before
    assert session.get(Invitation, pks["invitation"]) is not None


@pytest.mark.parametrize("ident", VIEWS)
def test_list_statement_count_does_not_grow_with_rows(client, make, session, count_queries, ident):  # type: ignore[no-untyped-def]
    login(client, make.support())
    _world(session, make)
    with count_queries() as few:
        assert client.get(f"/admin/{ident}/list").status_code == 200
    for zone in ("Asia/Almaty", "Europe/Berlin", "Asia/Tokyo"):
        _world(session, make, zone)
    with count_queries() as many:
        page = client.get(f"/admin/{ident}/list")
    assert page.status_code == 200
    assert many() == few()
