"""«Диагностика медиа» in the back-office: SUPPORT and ADMIN see it, check a URL, fix; purge is ADMIN's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import AuditEvent, ByteSizeItem
from tests import factories_media as fm
from tests.admin.helpers import EVIL, ORIGIN, csrf_of, login
from tests.factories_media import LEGACY_FORMS

PAGE = "/admin/media-doctor"


def _item(session, url):  # type: ignore[no-untyped-def]
    item = ByteSizeItem(title="Байт про роботов", video_url=url, is_published=True)
    session.add(item)
    session.flush()
    return item


def test_support_sees_counts_and_problem_rows(client, app, session, make) -> None:  # type: ignore[no-untyped-def]
    video = fm.make_media(session, app.state.storage, "video")
    _item(session, f"https://api.s7robotics.kz/media/{video.key}")
    _item(session, "https://www.youtube.com/watch?v=x")
    login(client, make.support())
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Диагностика медиа" in page.text and "Старый формат ссылки" in page.text
    assert "youtube.com" in page.text and 'value="fix"' in page.text
    assert 'value="purge"' not in page.text  # support cannot purge


def test_check_one_url_shows_canonical_form_and_a_real_range_get(client, app, session, make) -> None:  # type: ignore[no-untyped-def]
    video = fm.make_media(session, app.state.storage, "video")
    item = _item(session, f"/media/{video.key}")
    login(client, make.support())
    token = csrf_of(client)
    answer = client.post(PAGE, data={"csrf_token": token, "op": "check",
                                     "url": f"https://s7robotics.kz/media/{video.key}"}, headers=ORIGIN)
    assert answer.status_code == 200
    assert f"/api/media/{video.key}" in answer.text and "HTTP 206" in answer.text
    assert item.id in answer.text and "отдаётся" in answer.text


def test_post_without_csrf_is_refused(client, make) -> None:  # type: ignore[no-untyped-def]
    login(client, make.admin())
    token = csrf_of(client)
    assert client.post(PAGE, data={"op": "fix"}, headers=ORIGIN).status_code == 403
    assert client.post(PAGE, data={"csrf_token": token, "op": "fix"}, headers=EVIL).status_code == 403


def test_fix_and_purge_from_the_page(client, app, session, make) -> None:  # type: ignore[no-untyped-def]
    storage = app.state.storage
    video = fm.make_media(session, storage, "video")
    item = _item(session, f"/uploads/{video.key}")
    legacy = fm.make_legacy_media(session, storage)
    admin = make.admin()
    login(client, admin)
    token = csrf_of(client)
    answer = client.post(PAGE, data={"csrf_token": token, "op": "fix"}, headers=ORIGIN, follow_redirects=False)
    assert answer.status_code == 303
    session.refresh(item)
    assert item.video_url == f"/api/media/{video.key}"
    answer = client.post(PAGE, data={"csrf_token": token, "op": "purge"}, headers=ORIGIN, follow_redirects=False)
    assert answer.status_code == 303
    assert not storage.exists(legacy) and storage.exists(video.key)
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == admin.id)))
    assert {"media.fix_non_canonical", "media.purge_orphans"} <= actions


def test_support_purge_is_refused_and_deletes_nothing(client, app, session, make) -> None:  # type: ignore[no-untyped-def]
    legacy = fm.make_legacy_media(session, app.state.storage)
    login(client, make.support())
    token = csrf_of(client)
    client.post(PAGE, data={"csrf_token": token, "op": "purge"}, headers=ORIGIN)
    assert app.state.storage.exists(legacy)


def test_students_cannot_log_in_to_see_it(client, make) -> None:  # type: ignore[no-untyped-def]
    login(client, make.student())
    assert client.get(PAGE, follow_redirects=False).status_code in (302, 303, 403)


def _check(client, url):  # type: ignore[no-untyped-def]
    return client.post(PAGE, data={"csrf_token": csrf_of(client), "op": "check", "url": url}, headers=ORIGIN)


@pytest.mark.parametrize("form", LEGACY_FORMS)
def test_check_one_url_for_every_legacy_form(client, app, session, make, form) -> None:  # type: ignore[no-untyped-def]
    video = fm.make_media(session, app.state.storage, "video")
    login(client, make.support())
    answer = _check(client, form.format(key=video.key))
    assert answer.status_code == 200
    assert f"<code>/api/media/{video.key}</code>" in answer.text and "HTTP 206" in answer.text
    verdict = "Всё в порядке" if form == "/api/media/{key}" else "ссылка в старом формате"
    assert verdict in answer.text


def test_check_one_url_for_a_legacy_object_with_uppercase_extension(client, app, session, make) -> None:  # type: ignore[no-untyped-def]
    key = "1699999999-Robot.MP4"
    app.state.storage.save_bytes(key, fm.mp4_bytes(), content_type="video/mp4")
    login(client, make.support())
    answer = _check(client, f"https://old.s7robotics.kz/uploads/{key}")
    assert f"<code>/api/media/{key}</code>" in answer.text and "HTTP 206, video/mp4" in answer.text


@pytest.mark.parametrize(("url", "verdict"), [
    ("/api/media/" + "d" * 32 + ".mp4", "Файла нет в хранилище"),
    ("https://www.youtube.com/watch?v=x", "Внешняя ссылка"),
    ("../../etc/passwd", "Некорректная ссылка"),
])
def test_check_one_url_for_missing_external_and_garbage(client, make, url, verdict) -> None:  # type: ignore[no-untyped-def]
    login(client, make.admin())
    answer = _check(client, url)
    assert answer.status_code == 200 and verdict in answer.text
    if "Файла нет" in verdict:
        assert "HTTP 404" in answer.text and "НЕ отдаётся" in answer.text
