"""A held session's materials as they were (issue 10, item 5), through real HTTP: the lesson history
and the lesson page link `GET /api/kruzhok/lesson/{sessionId}/materials/{kind}`, which keeps serving
the file the session used after the program lesson's material is replaced; the old file stays in
storage and the media doctor counts it as used; who may download it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.clock import utcnow
from core.models import ClassMembershipPeriod, LessonSession, ProgramLesson
from core.services import attendance, media_doctor, membership, program_materials
from core.storage import make_storage
from tests import factories_media as fm
from tests.factories import make_admin, make_support, make_user, token_for
from tests.factories_clubs import make_class, make_club, make_enrollment, make_mentor, make_mentor_user
from tests.factories_reports import make_program_lesson
from tests.factories_schedule import make_lesson_session

OLD = fm.pdf_bytes().replace(b"%%EOF", b"% scenario as taught\n%%EOF")
NEW = fm.pdf_bytes().replace(b"%%EOF", b"% scenario rewritten later\n%%EOF")


def _attach(session, settings, admin, lesson, data):  # type: ignore[no-untyped-def]
    program_materials.attach_material(
        session, make_storage(settings), actor=admin, lesson_id=lesson.id, kind="scenario", stream=[data],
        filename="сценарий.pdf", declared_type="application/pdf", max_bytes=10**6, now=utcnow())


def _member(session, klass, name, *, joined, left=None):  # type: ignore[no-untyped-def]
    """A student of `klass` with one membership period [joined, left]."""
    user = make_user(session, full_name=name)
    enrollment = make_enrollment(session, klass, user, joined_at=joined,
                                 **({"status": "REMOVED", "removed_at": left} if left else {}))
    session.add(ClassMembershipPeriod(enrollment_id=enrollment.id, joined_at=joined, left_at=left))
    session.flush()
    return user


@pytest.fixture
def world(session, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A session held two days ago through the real attendance service with the OLD scenario."""
    now = utcnow()
    admin, owner = make_admin(session), make_mentor_user(session)
    club = make_club(session, owner)
    klass = make_class(session, club, name="Класс Роботов")
    lesson = make_program_lesson(session, title="Урок 1. Колёса")
    _attach(session, settings, admin, lesson, OLD)
    long_ago = now - timedelta(days=30)
    starts = now - timedelta(days=2)
    people = {
        "marked": _member(session, klass, "Анна", joined=long_ago),
        "member_unmarked": _member(session, klass, "Борис", joined=long_ago),
        "marked_then_removed": _member(session, klass, "Вера", joined=long_ago),
        "joined_after": _member(session, klass, "Глеб", joined=now - timedelta(hours=1)),
        "left_before": _member(session, klass, "Дина", joined=long_ago, left=starts - timedelta(days=1)),
    }
    held = make_lesson_session(session, klass, program_lesson_id=lesson.id, starts_at=starts)
    attendance.save_batch(session, actor=owner, kruzhok_id=club.id, now=now, marks=[
        attendance.MarkIn(student_id=people[who].id, session_id=held.id, status="present")
        for who in ("marked", "marked_then_removed")])
    membership.remove_student(session, actor=owner, class_id=klass.id, student_id=people["marked_then_removed"].id,
                              now=now)
    session.refresh(held)
    assert held.status == "COMPLETED" and held.snapshot_at is not None
    session.commit()
    return {"admin": admin, "owner": owner, "club": club, "klass": klass, "lesson": lesson, "held": held,
            "old_key": lesson.scenario_key, **people}


def _url(row: LessonSession, kind: str = "scenario") -> str:
    return f"/api/kruzhok/lesson/{row.id}/materials/{kind}"


def test_the_archive_opens_the_file_used_after_the_material_is_replaced(app, client, session, settings, world):  # type: ignore[no-untyped-def]
    owner, held, old_key = world["owner"], world["held"], world["old_key"]
    headers = token_for(app, owner)

    def reported() -> list[dict[str, Any]]:
        r = client.get(f"/api/kruzhok/{world['club'].id}/reports/lessons", headers=headers)
        assert r.status_code == 200, r.text
        [row] = r.json()["items"]
        return row["materials"]

    def on_page(row: LessonSession) -> dict[str, Any]:
        r = client.get(f"/api/kruzhok/lesson/{row.id}", headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    expected = [{"kind": "scenario", "key": old_key, "url": _url(held)}]
    assert reported() == expected and on_page(held)["materials"] == expected
    r = client.get(_url(held), headers=headers)
    assert r.status_code == 200 and r.content == OLD
    assert r.headers["cache-control"] == "private, no-store" and "attachment" in r.headers["content-disposition"]

    _attach(session, settings, world["admin"], world["lesson"], NEW)
    session.commit()
    session.expire_all()
    assert session.get(ProgramLesson, world["lesson"].id).scenario_key != old_key
    # The report and the lesson page still say what was used, and the link opens those bytes.
    assert reported() == expected
    page = on_page(held)
    assert page["materials"] == expected and page["hasScenario"] is True and page["hasPresentation"] is False
    for user in (owner, world["marked"], world["admin"]):
        r = client.get(expected[0]["url"], headers=token_for(app, user))
        assert r.status_code == 200 and r.content == OLD
    # The program lesson itself now serves the new file; so does a session not held yet.
    r = client.get(f"/api/programs/lessons/{world['lesson'].id}/materials/scenario", headers=headers)
    assert r.status_code == 200 and r.content == NEW
    upcoming = make_lesson_session(session, world["klass"], program_lesson_id=world["lesson"].id,
                                   starts_at=utcnow() + timedelta(days=3))
    session.commit()
    new_key = session.get(ProgramLesson, world["lesson"].id).scenario_key
    assert on_page(upcoming)["materials"] == [{"kind": "scenario", "key": new_key, "url": _url(upcoming)}]
    assert client.get(_url(upcoming), headers=headers).content == NEW
    # The replaced file is still in private storage, and the media doctor counts it as used.
    assert (settings.private_root / old_key).read_bytes() == OLD
    storage = make_storage(settings)
    assert old_key in media_doctor.referenced_keys(session)
    orphans = media_doctor.find_orphans(session, storage, actor=world["admin"], now=utcnow() + timedelta(days=30))
    assert old_key not in {o.key for o in orphans.objects}
    purged = media_doctor.purge_orphans(session, storage, actor=world["admin"], now=utcnow() + timedelta(days=30))
    assert old_key not in purged.keys
    session.commit()
    assert client.get(_url(held), headers=headers).content == OLD


WHO = {"anonymous": 401, "stranger": 404, "marked": 200, "member_unmarked": 200, "marked_then_removed": 200,
       "joined_after": 404, "left_before": 404, "other_club_owner": 404, "club_mentor": 200, "owner": 200,
       "support": 404, "admin": 200}


@pytest.mark.parametrize("who, expected", list(WHO.items()))
def test_who_may_download_a_held_sessions_material(app, client, session, world, who, expected):  # type: ignore[no-untyped-def]
    others = {"stranger": lambda: make_user(session), "other_club_owner": lambda: make_club(session).owner,
              "club_mentor": lambda: make_mentor(session, world["club"]).user, "support": lambda: make_support(session)}
    user = None if who == "anonymous" else world[who] if who in world else others[who]()
    session.commit()
    headers = token_for(app, user) if user is not None else {}
    r = client.get(_url(world["held"]), headers=headers)
    assert r.status_code == expected, (who, r.text)
    if expected == 200:
        assert r.content == OLD
    elif expected == 404:
        # the same answer as for a session that does not exist: nothing leaks
        missing = client.get(_url(world["held"]).replace(world["held"].id, "нет-такого"), headers=headers)
        assert missing.status_code == 404 and missing.json() == r.json()
        assert r.json()["error"]["code"] == "not_found"


def test_unknown_kind_missing_material_and_unheld_sessions(app, client, session, world):  # type: ignore[no-untyped-def]
    owner, held = world["owner"], world["held"]
    headers = token_for(app, owner)
    assert client.get(_url(held, "slides"), headers=headers).status_code == 404
    r = client.get(_url(held, "presentation"), headers=headers)  # the lesson had no presentation
    assert r.status_code == 404 and r.json()["error"]["message"] == "Материал не загружен"
    # Not held yet: the lesson's current material, for the class's members and mentors.
    student = make_user(session)
    enrollment = membership.seat_student(session, klass=world["klass"], student=student, now=utcnow())
    assert enrollment.status == "ACTIVE"
    upcoming = make_lesson_session(session, world["klass"], program_lesson_id=world["lesson"].id,
                                   starts_at=utcnow() + timedelta(days=1))
    cancelled = make_lesson_session(session, world["klass"], program_lesson_id=world["lesson"].id,
                                    starts_at=utcnow() + timedelta(days=2), status="CANCELLED")
    session.commit()
    assert client.get(_url(upcoming), headers=token_for(app, student)).content == OLD
    assert client.get(_url(upcoming), headers=headers).content == OLD
    # A cancelled session used nothing: its mentors still see the lesson's file, students do not.
    assert client.get(_url(cancelled), headers=headers).content == OLD
    assert client.get(_url(cancelled), headers=token_for(app, student)).status_code == 404


def test_the_route_is_documented(client):  # type: ignore[no-untyped-def]
    operation = client.get("/api/openapi.json").json()["paths"]["/api/kruzhok/lesson/{session_id}/materials/{kind}"]
    assert operation["get"]["operationId"] == "download_session_material"
    assert set(operation["get"]["responses"]) == {"200", "401", "404"}
