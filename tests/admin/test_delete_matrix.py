"""The back-office delete matrix: for every model view, deleting a row with history below it over
real HTTP (with CSRF) loses nothing — views that allow deleting answer with the deletion service's
Russian refusal on the list page, the others refuse outright (403). «Деактивировать» / «Вернуть»
are POST form actions."""

from __future__ import annotations

import html

import pytest

from core.models import (
    AbsenceAlert,
    AuditEvent,
    ByteSizeItem,
    CertificateRequest,
    ClubQuizAssignment,
    Course,
    EmailOutbox,
    Invitation,
    Notification,
    Purchase,
    SessionCheckin,
    Subscription,
)
from tests.admin.helpers import ORIGIN, csrf_of, login, model_views
from tests.factories_history import contents, make_history_world

# Views whose model is not a parent of history (nothing can hang below their rows).
HISTORY_FREE = {ByteSizeItem, Notification, AuditEvent, EmailOutbox}


@pytest.fixture
def admin_client(client, make):  # type: ignore[no-untyped-def]
    assert login(client, make.admin()).status_code == 302
    return client


def _rows(session, world) -> dict[type, str]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    rows = {model: row.id for model, row in world.parents().items()}
    rows[Subscription] = session.scalar(select(Subscription.id).where(Subscription.user_id == world.owner.id))
    rows[type(world.question)] = world.question.id
    # History rows themselves (their views never delete).
    rows[Purchase] = session.scalar(select(Purchase.id).where(Purchase.user_id == world.student.id))
    rows[CertificateRequest] = session.scalar(select(CertificateRequest.id)
                                              .where(CertificateRequest.user_id == world.student.id).limit(1))
    rows[ClubQuizAssignment] = session.scalar(select(ClubQuizAssignment.id)
                                              .where(ClubQuizAssignment.student_id == world.student.id))
    rows.update(_club_records(session, world))
    return rows


def _club_records(session, world) -> dict[type, str]:  # type: ignore[no-untyped-def]
    """A check-in window, an absence alert and an invitation of the world's class (read-only history views)."""
    held = world.lesson_session
    records = [SessionCheckin(session_id=held.id, opened_by_id=world.owner.id, opened_at=held.starts_at,
                              closes_at=held.starts_at, updated_at=held.starts_at),
               AbsenceAlert(student_id=world.student.id, class_id=world.klass.id, first_session_id=held.id,
                            last_session_id=held.id, missed=3),
               Invitation(kind="STUDENT", kruzhok_id=world.club.id, class_id=world.klass.id, target_id=world.klass.id,
                          email="invited@example.com", invited_by_id=world.owner.id)]
    session.add_all(records)
    session.flush()
    return {type(row): row.id for row in records}


def test_every_model_view_is_in_the_matrix(session) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    covered = set(_rows(session, world)) | HISTORY_FREE
    missing = [v.__name__ for v in model_views() if v.model not in covered]
    assert missing == []


@pytest.mark.parametrize("view", [v for v in model_views() if v.model not in HISTORY_FREE],
                         ids=lambda v: v.__name__)
def test_back_office_delete_never_loses_history(admin_client, session, view) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    pk = _rows(session, world)[view.model]
    token = csrf_of(admin_client)
    before = contents(session)

    r = admin_client.delete(f"/admin/{view.identity}/delete?pks={pk}", headers={**ORIGIN, "X-CSRF-Token": token})

    if view.can_delete:
        assert r.status_code == 200, r.text
        page = admin_client.get(r.text)
        text = html.unescape(page.text)
        assert page.status_code == 200
        assert "Нельзя удалить «" in text and "связана история" in text
        assert "IntegrityError" not in text and "FOREIGN KEY" not in text
    else:
        assert r.status_code == 403
    session.expire_all()
    assert contents(session) == before


def test_delete_without_csrf_token_is_refused(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    course = Course(title="Черновик без истории")
    session.add(course)
    session.flush()
    r = admin_client.delete(f"/admin/course/delete?pks={course.id}", headers=ORIGIN)
    assert r.status_code == 403
    assert session.get(Course, course.id) is not None


def test_history_free_course_is_deleted_through_the_service(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    course = Course(title="Черновик без истории")
    session.add(course)
    session.flush()
    course_id = course.id
    session.expunge(course)
    token = csrf_of(admin_client)
    r = admin_client.delete(f"/admin/course/delete?pks={course_id}", headers={**ORIGIN, "X-CSRF-Token": token})
    assert r.status_code == 200
    assert "Запись удалена" in admin_client.get(r.text).text
    assert session.get(Course, course_id) is None
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.entity_id == course_id)) == "courses.delete"


def test_deactivate_and_restore_are_csrf_checked_posts(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    course_id = world.course.id
    token = csrf_of(admin_client)

    forged = admin_client.post("/admin/course/form-action/deactivate", data={"pks": course_id}, headers=ORIGIN)
    assert forged.status_code == 403
    session.expire_all()
    assert session.get(Course, course_id).archived_at is None

    r = admin_client.post("/admin/course/form-action/deactivate", data={"csrf_token": token, "pks": course_id},
                          headers=ORIGIN)
    assert r.status_code == 200 and "Запись деактивирована, история сохранена" in r.text
    session.expire_all()
    assert session.get(Course, course_id).archived_at is not None

    r = admin_client.post("/admin/course/form-action/restore", data={"csrf_token": token, "pks": course_id},
                          headers=ORIGIN)
    assert r.status_code == 200 and "Запись снова активна" in r.text
    session.expire_all()
    assert session.get(Course, course_id).archived_at is None


@pytest.mark.parametrize("identity", ["course", "kruzhok", "club-class", "subscription-plan"])
def test_detail_pages_offer_deactivation(admin_client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    pk = {"course": world.course.id, "kruzhok": world.club.id, "club-class": world.klass.id,
          "subscription-plan": world.plan.id}[identity]
    page = admin_client.get(f"/admin/{identity}/details/{pk}")
    assert page.status_code == 200
    assert "Деактивировать" in page.text and "Вернуть" in page.text
