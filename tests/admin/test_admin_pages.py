"""Every registered back-office list renders for an ADMIN; Cyrillic search works on every database."""

from __future__ import annotations

import pytest

from core.clock import utcnow
from core.services import audit, notifications, outbox
from tests.admin.helpers import login, model_views


@pytest.fixture
def admin(client, make):  # type: ignore[no-untyped-def]
    user = make.admin()
    login(client, user)
    return user


@pytest.mark.parametrize("view", model_views(), ids=lambda v: v.identity)
def test_every_list_renders_for_an_admin(client, admin, view):
    r = client.get(f"/admin/{view.identity}/list")
    assert r.status_code == 200, r.text[-2000:]
    assert view.name_plural in r.text


def test_foundation_lists_and_details_render_with_rows(client, admin, make, session):
    now = utcnow()
    student = make.student(full_name="Айгерим Нурланова")
    note = notifications.notify(session, user_id=student.id, type="SYSTEM", title="Добро пожаловать",
                                message="Ваш аккаунт создан", now=now)
    event = audit.record(session, actor=admin, action="user.block", entity="User", entity_id=student.id, now=now,
                         data={"reason": "Спам"})
    mail = outbox.enqueue_email(session, to=student.email, subject="Тема письма", body_text="Текст", now=now)
    session.flush()
    for identity, pk, text in [("user", student.id, "Айгерим Нурланова"),
                               ("notification", note.id, "Добро пожаловать"),
                               ("audit-event", event.id, "user.block"),
                               ("email-outbox", mail.id, "Тема письма")]:
        listing = client.get(f"/admin/{identity}/list")
        assert listing.status_code == 200, identity
        assert text in listing.text, identity
        details = client.get(f"/admin/{identity}/details/{pk}")
        assert details.status_code == 200, identity
        assert text in details.text, identity
    assert "password_hash" not in client.get(f"/admin/user/details/{student.id}").text


@pytest.mark.parametrize("term", ["айгерим", "АЙГЕРИМ", "Нурлан"])
def test_lowercase_cyrillic_search_finds_the_user(client, admin, make, term):
    make.student(full_name="Айгерим Нурланова")
    make.student(full_name="Бауыржан Серикович")
    r = client.get("/admin/user/list", params={"search": term})
    assert r.status_code == 200
    assert "Айгерим Нурланова" in r.text
    assert "Бауыржан Серикович" not in r.text


def test_search_by_email_ignores_case(client, admin, make):
    user = make.student(full_name="Ержан")
    r = client.get("/admin/user/list", params={"search": user.email.upper()})
    assert "Ержан" in r.text


def test_the_list_count_does_not_sort_the_whole_table(client, admin, make, engine):
    from sqlalchemy import event

    make.student(full_name="Первый")
    seen: list[str] = []

    def capture(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        r = client.get("/admin/user/list", params={"search": "Первый"})
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert "Первый" in r.text
    counts = [s for s in seen if "count(*)" in s.lower() and "users" in s]
    assert counts and all("ORDER BY" not in s.upper() for s in counts), counts


def test_pages_declare_russian(client):
    page = client.get("/admin/login")
    assert '<html lang="ru">' in page.text
    assert "Войти" in page.text and "Email" in page.text
