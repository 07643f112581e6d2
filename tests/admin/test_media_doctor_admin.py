"""«Диагностика медиа» in the back-office: SUPPORT and ADMIN see it, check a URL, fix; purge is ADMIN's."""

from __future__ import annotations

from sqlalchemy import select

from core.models import AuditEvent, ByteSizeItem
from tests import factories_media as fm
from tests.admin.helpers import EVIL, ORIGIN, csrf_of, login

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
