"""Media doctor: classification of every media reference, the bulk fix, orphans and purge."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import utcnow
from core.errors import Forbidden
from core.models import AuditEvent, ByteSizeItem, Course, Lesson, MediaObject, Module
from core.services import media_check, media_doctor
from core.storage import make_storage
from tests import factories_media as fm


@pytest.fixture
def storage(settings):  # type: ignore[no-untyped-def]
    return make_storage(settings)


def _lesson(session, video_url, *, published=True):  # type: ignore[no-untyped-def]
    course = Course(title="Курс", is_published=published)
    session.add(course)
    session.flush()
    module = Module(course_id=course.id, title="Модуль")
    session.add(module)
    session.flush()
    lesson = Lesson(module_id=module.id, title=f"Урок {uuid.uuid4().hex[:6]}", video_url=video_url)
    session.add(lesson)
    session.flush()
    return lesson


def _bytesize(session, video_url, *, cover=None, published=True):  # type: ignore[no-untyped-def]
    item = ByteSizeItem(title="Байт", video_url=video_url, cover_image_url=cover, is_published=published)
    session.add(item)
    session.flush()
    return item


def _by_id(report, row_id, column=None):  # type: ignore[no-untyped-def]
    return next(r for r in report.rows if r.row_id == row_id and (column is None or r.column == column))


def test_every_class_is_recognised(session, storage, make) -> None:  # type: ignore[no-untyped-def]
    video, image = fm.make_media(session, storage, "video"), fm.make_media(session, storage, "image")
    vanished = fm.make_media(session, storage, "video")
    storage.delete(vanished.key)
    ok = _lesson(session, f"/api/media/{video.key}")
    legacy = _lesson(session, f"https://api.s7robotics.kz/media/{video.key}")
    missing = _lesson(session, f"/api/media/{vanished.key}")
    wrong = _bytesize(session, f"/media/{image.key}", cover=f"/api/media/{image.key}")
    empty = _bytesize(session, None)
    draft_without_video = _bytesize(session, None, published=False)
    external = _bytesize(session, "https://www.youtube.com/watch?v=abc")
    garbage = _lesson(session, "/static/old.mp4")
    lesson_without_video = _lesson(session, None)

    report = media_doctor.scan(session, storage, actor=make.support())

    assert _by_id(report, ok.id).status == "ok"
    fixable = _by_id(report, legacy.id)
    assert fixable.status == "non_canonical" and fixable.canonical == f"/api/media/{video.key}"
    assert _by_id(report, missing.id).status == "missing_object"
    assert _by_id(report, wrong.id, "bytesize_items.video_url").status == "wrong_type"
    assert _by_id(report, wrong.id, "bytesize_items.cover_image_url").status == "ok"
    assert _by_id(report, empty.id).status == "empty"
    assert _by_id(report, external.id).status == "external"
    assert _by_id(report, garbage.id).status == "missing_object"
    ids = {r.row_id for r in report.rows}
    assert draft_without_video.id not in ids and lesson_without_video.id not in ids
    assert report.counts["non_canonical"] >= 1 and set(media_doctor.STATUSES) == set(report.counts)
    assert all(r.status != "ok" for r in report.problems())


def test_legacy_url_to_a_stored_object_without_a_row_is_fixable_not_missing(session, storage, make) -> None:  # type: ignore[no-untyped-def]
    key = fm.make_legacy_media(session, storage)
    stored = _lesson(session, f"/uploads/{key}")
    gone = _lesson(session, "/uploads/1699000000-never-stored.mp4")
    report = media_doctor.scan(session, storage, actor=make.admin())
    found = _by_id(report, stored.id)
    assert (found.status, found.canonical) == ("non_canonical", f"/api/media/{key}")
    assert _by_id(report, gone.id).status == "missing_object"


def test_students_cannot_run_the_doctor(session, storage, make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        media_doctor.scan(session, storage, actor=make.student())


def test_fix_rewrites_legacy_forms_and_is_audited(session, storage, make) -> None:  # type: ignore[no-untyped-def]
    video = fm.make_media(session, storage, "video")
    legacy = _lesson(session, f"http://localhost:5000/media/{video.key}?t=1")
    external = _bytesize(session, "https://youtu.be/x")
    support = make.support()
    fixed = media_doctor.fix_non_canonical(session, actor=support, now=utcnow())
    assert fixed >= 1
    session.refresh(legacy)
    session.refresh(external)
    assert legacy.video_url == f"/api/media/{video.key}"
    assert external.video_url == "https://youtu.be/x"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "media.fix_non_canonical",
                                                     AuditEvent.actor_id == support.id)).one()
    assert any(c["id"] == legacy.id for c in event.data["changes"])
    assert _by_id(media_doctor.scan(session, storage, actor=support), legacy.id).status == "ok"
    assert media_doctor.fix_non_canonical(session, actor=support, now=utcnow()) == 0


def test_orphans_are_listed_and_purged_only_explicitly(session, storage, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    used = fm.make_media(session, storage, "video")
    _lesson(session, f"/media/{used.key}")
    old = fm.make_media(session, storage, "video", created_at=utcnow() - timedelta(days=2))
    fresh = fm.make_media(session, storage, "image")  # just uploaded: not an orphan yet
    legacy = fm.make_legacy_media(session, storage)
    orphans = media_doctor.find_orphans(session, storage, actor=make.support(), now=utcnow())
    keys = {o.key for o in orphans.objects}
    assert keys == {old.key, legacy}
    assert orphans.total_size == old.size + storage.size(legacy) and orphans.count == 2
    assert storage.exists(old.key)  # listing deletes nothing

    with pytest.raises(Forbidden):
        media_doctor.purge_orphans(session, storage, actor=make.support(), now=utcnow())
    result = media_doctor.purge_orphans(session, storage, actor=admin, now=utcnow(), keys=[old.key, used.key])
    assert result.keys == [old.key]  # a referenced key passed by the caller is never deleted
    assert not storage.exists(old.key) and storage.exists(used.key) and storage.exists(fresh.key)
    assert session.scalars(select(MediaObject).where(MediaObject.key == old.key)).one_or_none() is None
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "media.purge_orphans",
                                                    AuditEvent.actor_id == admin.id)).one().data["count"] == 1


def test_check_url_reports_everything_with_a_real_ranged_get(session, app, make) -> None:  # type: ignore[no-untyped-def]
    storage = app.state.storage
    video = fm.make_media(session, storage, "video")
    lesson = _lesson(session, f"/media/{video.key}")
    from starlette.testclient import TestClient

    with TestClient(app) as http:
        def serve(url, headers):  # type: ignore[no-untyped-def]
            return http.get(url, headers=headers)

        url = f"https://s7robotics.kz/media/{video.key}"
        result = media_check.check_url(session, storage, url, actor=make.support(),
                                       probe=media_check.probe_url(serve, url))
        assert result.canonical == f"/api/media/{video.key}" and result.exists
        assert result.size == video.size and result.content_type == "video/mp4"
        assert [r.id for r in result.references] == [lesson.id]
        assert result.serve is not None and result.serve.status == 206 and result.serve.ok
        assert result.serve.bytes == min(1024, video.size)

        storage.delete(video.key)
        gone = media_check.check_url(session, storage, video.key, actor=make.support(),
                                     probe=media_check.probe_url(serve, video.key))
        assert not gone.exists and gone.serve is not None and gone.serve.status == 404 and not gone.serve.ok
        assert "нет в хранилище" in gone.verdict

    assert media_check.probe_url(serve, "https://youtube.com/watch?v=1") is None
    external = media_check.check_url(session, storage, "https://youtube.com/watch?v=1", actor=make.support())
    assert external.canonical is None and "Внешняя" in external.verdict


def test_cli_reports_json_and_fixes(session, db, storage, settings, make, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json

    from s7 import media_cli

    make.admin()
    video = fm.make_media(session, storage, "video")
    legacy = _lesson(session, f"/media/{video.key}")
    session.commit()  # a savepoint in the test's outer transaction: visible to the CLI's own sessions
    result = media_cli.run(db, storage, fix=False, orphans=True, actor_email=None, progress=False)
    assert _row(result, legacy.id)["status"] == "non_canonical" and "orphans" in result
    json.dumps(result, ensure_ascii=False)
    fixed = media_cli.run(db, storage, fix=True, orphans=False, actor_email=None, progress=False)
    assert fixed["fixed"] >= 1 and all(r["row_id"] != legacy.id for r in fixed["rows"])


def _row(result, row_id):  # type: ignore[no-untyped-def]
    return next(r for r in result["rows"] if r["row_id"] == row_id)
