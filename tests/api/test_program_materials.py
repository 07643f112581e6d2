"""Program lesson materials: back-office upload (CSRF, multipart), private storage, sniffed types,
and the authorised download endpoint (matrix), through real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.errors import UnsupportedMediaType
from core.models import AuditEvent, LessonSession, MediaObject, ProgramLesson
from core.services import program_materials, programs
from tests import factories_media as fm
from tests.admin.helpers import csrf_of, login, multipart
from tests.factories import token_for
from tests.factories_clubs import make_class

DOCX_BYTES = fm.office_bytes("docx")  # zip entries carry a timestamp: build once
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def lesson(session, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    program = programs.create_program(session, actor=admin, fields={"title": "Программа"}, now=utcnow())
    lesson = programs.create_program_lesson(session, actor=admin, program_id=program.id,
                                            fields={"title": "Урок 1", "xp_reward": 10}, now=utcnow())
    session.commit()
    return lesson


def _edit(client, lesson, **files):  # type: ignore[no-untyped-def]
    empty = ("", b"", "application/octet-stream")
    body, headers = multipart([
        ("csrf_token", csrf_of(client)), ("program", lesson.program_id), ("title", lesson.title),
        ("order_index", "0"), ("description", ""), ("quiz", ""), ("xp_reward", "10"),
        ("scenario_upload", files.get("scenario", empty)), ("presentation_upload", files.get("presentation", empty)),
        ("save", "Save")])
    return client.post(f"/admin/program-lesson/edit/{lesson.id}", content=body, headers=headers,
                       follow_redirects=False)


def _upload_both(client, make, lesson):  # type: ignore[no-untyped-def]
    login(client, make.admin())
    r = _edit(client, lesson, scenario=("сценарий.docx", DOCX_BYTES, DOCX),
              presentation=("слайды.pdf", fm.pdf_bytes(), "application/pdf"))
    assert r.status_code == 302, r.text[-800:]
    client.cookies.clear()


def test_upload_stores_privately_and_download_streams_the_bytes(app, client, make, session, settings, lesson):  # type: ignore[no-untyped-def]
    _upload_both(client, make, lesson)
    session.expire_all()
    saved = session.get(ProgramLesson, lesson.id)
    assert saved.scenario_key.endswith(".docx") and saved.presentation_key.endswith(".pdf")
    rows = session.scalars(select(MediaObject).where(MediaObject.key.in_(
        [saved.scenario_key, saved.presentation_key]))).all()
    assert len(rows) == 2 and all(r.is_private for r in rows)
    assert (settings.private_root / saved.scenario_key).exists()
    assert not (settings.media_root / saved.scenario_key).exists()
    # never through the public media route
    for key in (saved.scenario_key, saved.presentation_key):
        assert client.get(f"/api/media/{key}").status_code == 404
        assert client.get(f"/media/{key}").status_code == 404
    headers = token_for(app, make.admin())
    r = client.get(f"/api/programs/lessons/{lesson.id}/materials/scenario", headers=headers)
    assert r.status_code == 200 and r.content == DOCX_BYTES
    assert r.headers["content-type"].startswith(DOCX) and "attachment" in r.headers["content-disposition"]
    r = client.get(f"/api/programs/lessons/{lesson.id}/materials/presentation", headers=headers)
    assert r.status_code == 200 and r.content == fm.pdf_bytes()
    detail = client.get(f"/api/programs/{lesson.program_id}", headers=headers).json()
    assert detail["lessons"][0]["materials"]["scenario"] == f"/api/programs/lessons/{lesson.id}/materials/scenario"
    assert client.get(f"/api/programs/lessons/{lesson.id}/materials/slides", headers=headers).status_code == 404
    assert "material_upload" in " ".join(session.scalars(select(AuditEvent.action)))


def test_back_office_shows_and_serves_the_download_link(client, make, session, lesson):  # type: ignore[no-untyped-def]
    _upload_both(client, make, lesson)
    login(client, make.admin())
    page = client.get(f"/admin/program-lesson/edit/{lesson.id}")
    link = f"/admin/program-lesson/material/{lesson.id}/scenario"
    assert link in page.text
    r = client.get(link)
    assert r.status_code == 200 and r.content == DOCX_BYTES
    client.cookies.clear()
    assert client.get(link, follow_redirects=False).status_code in (302, 303, 403)


@pytest.mark.parametrize("kind, file", [
    ("presentation", ("слайды.pptx", fm.office_bytes("docx"), "application/vnd.openxmlformats-officedocument"
                                                              ".presentationml.presentation")),
    ("scenario", ("сценарий.pdf", b"MZ\x90\x00 not a pdf at all" * 10, "application/pdf")),
    ("scenario", ("сценарий.pdf", fm.png_bytes(), "application/pdf")),
    ("presentation", ("deck.docx", fm.office_bytes("docx"), DOCX)),
])
def test_a_forged_or_wrong_type_is_refused_and_nothing_changes(client, make, session, settings, lesson, kind,
                                                                 file):  # type: ignore[no-untyped-def]
    login(client, make.admin())
    before = session.scalar(select(func.count()).select_from(MediaObject))
    r = _edit(client, lesson, **{kind: file})
    assert r.status_code == 400
    assert "Неподдерживаемый тип файла" in r.text or "PDF" in r.text
    session.expire_all()
    saved = session.get(ProgramLesson, lesson.id)
    assert (saved.scenario_key, saved.presentation_key) == (None, None)
    assert session.scalar(select(func.count()).select_from(MediaObject)) == before
    private = list(settings.private_root.iterdir()) if settings.private_root.exists() else []
    assert private == []


def test_the_service_answers_415(session, make, settings, lesson):  # type: ignore[no-untyped-def]
    from core.storage import make_storage

    storage = make_storage(settings)
    with pytest.raises(UnsupportedMediaType) as caught:
        program_materials.attach_material(
            session, storage, actor=make.admin(), lesson_id=lesson.id, kind="presentation",
            stream=[fm.office_bytes("docx")], filename="x.docx", declared_type=DOCX, max_bytes=10**6, now=utcnow())
    assert caught.value.http_status == 415 and caught.value.details["detected"] == "docx"


WHO = ("anonymous", "stranger", "student", "other_class_student", "cancelled_only_student", "mentor",
       "club_mentor", "support", "admin")
EXPECTED = (401, 404, 200, 404, 404, 200, 200, 404, 200)


@pytest.mark.parametrize("who, expected", list(zip(WHO, EXPECTED, strict=True)))
def test_download_permission_matrix(app, client, make, session, lesson, who, expected):  # type: ignore[no-untyped-def]
    _upload_both(client, make, lesson)
    owner = make.student()
    make.subscription(owner, max_classes_per_kruzhok=5)
    club = make.club(owner)
    klass, other, cancelled = make_class(session, club), make_class(session, club), make_class(session, club)
    start = utcnow() + timedelta(days=1)
    session.add_all([
        LessonSession(class_id=klass.id, program_lesson_id=lesson.id, starts_at=start, duration_min=60),
        LessonSession(class_id=other.id, program_lesson_id=None, starts_at=start, duration_min=60),
        LessonSession(class_id=cancelled.id, program_lesson_id=lesson.id, starts_at=start, duration_min=60,
                      status="CANCELLED")])

    def enrolled(in_class):  # type: ignore[no-untyped-def]
        user = make.student()
        make.enrollment(in_class, user)
        return user

    users = {"stranger": make.student, "student": lambda: enrolled(klass),
             "other_class_student": lambda: enrolled(other), "cancelled_only_student": lambda: enrolled(cancelled),
             "mentor": make.mentor_user, "club_mentor": lambda: make.mentor(club).user,
             "support": make.support, "admin": make.admin}
    headers = token_for(app, users[who]()) if who != "anonymous" else {}
    session.commit()
    r = client.get(f"/api/programs/lessons/{lesson.id}/materials/scenario", headers=headers)
    assert r.status_code == expected, r.text
    if expected == 200:
        assert r.content == DOCX_BYTES
    else:
        assert r.json()["error"]["code"] in ("not_found", "unauthorized")


def test_download_route_is_documented(client):  # type: ignore[no-untyped-def]
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "get" in paths["/api/programs/lessons/{lesson_id}/materials/{kind}"]


def test_media_doctor_checks_materials_and_never_calls_a_used_one_an_orphan(client, make, session, settings,
                                                                              lesson):  # type: ignore[no-untyped-def]
    from core.services import media_doctor
    from core.storage import make_storage

    _upload_both(client, make, lesson)
    session.expire_all()
    saved = session.get(ProgramLesson, lesson.id)
    storage, admin = make_storage(settings), make.admin()
    report = media_doctor.scan(session, storage, actor=admin)
    mine = {r.column: r.status for r in report.rows if r.row_id == lesson.id}
    assert mine == {"program_lessons.scenario_key": "ok", "program_lessons.presentation_key": "ok"}
    later = utcnow() + timedelta(days=2)
    found = media_doctor.find_orphans(session, storage, actor=admin, now=later)
    objects = found["objects"] if isinstance(found, dict) else found.objects
    orphans = {o["key"] if isinstance(o, dict) else o.key for o in objects}
    assert saved.scenario_key not in orphans and saved.presentation_key not in orphans
    assert {saved.scenario_key, saved.presentation_key} <= media_doctor.referenced_keys(session)
    # a missing file and a wrong type are reported like videos
    storage.delete(saved.scenario_key, private=True)
    saved.presentation_key, saved.scenario_key = saved.scenario_key, saved.presentation_key
    session.flush()
    problems = {r.column: r.status for r in media_doctor.scan(session, storage, actor=admin).problems()
                if r.row_id == lesson.id}
    assert problems == {"program_lessons.presentation_key": "missing_object"}
