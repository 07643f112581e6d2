"""store_upload and require_media_url: sniffed types, size cap, nothing left on failure."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.errors import Forbidden, Invalid
from core.models import AuditEvent, MediaObject
from core.services import media
from core.storage import make_storage
from tests import factories_media as fm


@pytest.fixture
def storage(settings):  # type: ignore[no-untyped-def]
    return make_storage(settings)


def _rows(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(MediaObject))


def _files(settings) -> list[str]:  # type: ignore[no-untyped-def]
    return os.listdir(settings.media_root) if settings.media_root.exists() else []


def _upload(session, storage, make, data, *, name="f.bin", mime=None, max_bytes=10**7, private=False):  # type: ignore[no-untyped-def]
    return media.store_upload(session, storage, stream=iter([data[:1000], data[1000:]]), filename=name,
                              declared_type=mime, actor=make.admin(), now=utcnow(), max_bytes=max_bytes,
                              private=private)


@pytest.mark.parametrize("maker,name,mime,ext,ctype", [
    (fm.mp4_bytes, "a.mp4", "video/mp4", "mp4", "video/mp4"),
    (fm.mov_bytes, "a.mov", "video/quicktime", "mov", "video/quicktime"),
    (fm.webm_bytes, "a.webm", "video/webm", "webm", "video/webm"),
    (fm.png_bytes, "a.png", "image/png", "png", "image/png"),
    (fm.jpeg_bytes, "a.jpeg", "image/jpeg", "jpg", "image/jpeg"),
    (fm.pdf_bytes, "a.pdf", "application/pdf", "pdf", "application/pdf"),
    (lambda: fm.office_bytes("docx"), "a.docx", None, "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (lambda: fm.office_bytes("pptx"), "a.bin", "application/octet-stream", "pptx",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
])
def test_type_is_decided_by_the_bytes(session, storage, make, maker, name, mime, ext, ctype) -> None:  # type: ignore[no-untyped-def]
    data = maker()
    row = _upload(session, storage, make, data, name=name, mime=mime)
    assert media.KEY_RE.fullmatch(row.key) and row.key.endswith("." + ext)
    assert row.content_type == ctype and row.size == len(data)
    assert storage.read_bytes(row.key) == data
    assert len(row.sha256) == 64


def test_a_file_claiming_to_be_video_but_is_a_png_is_415_and_nothing_remains(session, storage, make, settings) -> None:  # type: ignore[no-untyped-def]
    before = _rows(session)
    with pytest.raises(media.UnsupportedMediaType) as caught:
        _upload(session, storage, make, fm.png_bytes(), name="film.mp4", mime="video/mp4")
    assert caught.value.http_status == 415 and caught.value.code == "unsupported_media_type"
    assert _rows(session) == before and _files(settings) == []


@pytest.mark.parametrize("data", [b"MZ\x90\x00" + bytes(5000), b"<html>" * 1000, b"PK\x03\x04" + bytes(100)])
def test_unknown_bytes_are_415(session, storage, make, settings, data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(media.UnsupportedMediaType):
        _upload(session, storage, make, data, name="x.bin")
    assert _files(settings) == []


def test_over_the_limit_is_413_and_nothing_remains(session, storage, make, settings) -> None:  # type: ignore[no-untyped-def]
    before = _rows(session)
    with pytest.raises(media.FileTooLarge) as caught:
        _upload(session, storage, make, fm.mp4_bytes(50_000), name="a.mp4", mime="video/mp4", max_bytes=10_000)
    assert caught.value.http_status == 413
    assert _rows(session) == before and _files(settings) == []


def test_a_stream_that_breaks_midway_leaves_nothing(session, storage, make, settings) -> None:  # type: ignore[no-untyped-def]
    def broken():  # type: ignore[no-untyped-def]
        yield fm.mp4_bytes(10_000)
        raise Invalid("обрыв", code="upload_truncated")

    actor = make.admin()
    before = _rows(session)
    with pytest.raises(Invalid):
        media.store_upload(session, storage, stream=broken(), filename="a.mp4", declared_type="video/mp4",
                           actor=actor, now=utcnow(), max_bytes=10**7)
    assert _files(settings) == []
    assert _rows(session) == before
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.actor_id == actor.id)) == 0


def test_only_admins_upload(session, storage, make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        media.store_upload(session, storage, stream=[fm.mp4_bytes()], filename="a.mp4", declared_type="video/mp4",
                           actor=make.support(), now=utcnow(), max_bytes=10**7)


def test_empty_file_is_rejected(session, storage, make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid) as caught:
        _upload(session, storage, make, b"", name="a.mp4")
    assert caught.value.code == "empty_file"


def test_private_uploads_go_to_the_private_root(session, storage, make, settings) -> None:  # type: ignore[no-untyped-def]
    row = _upload(session, storage, make, fm.pdf_bytes(), name="c.pdf", private=True)
    assert row.is_private and storage.exists(row.key, private=True) and not storage.exists(row.key)
    assert storage.read_bytes(row.key, private=True) == fm.pdf_bytes()
    assert storage.local_path(row.key, private=True).stat().st_mode & 0o777 == 0o600


def test_public_files_are_world_readable_for_nginx(session, storage, make) -> None:  # type: ignore[no-untyped-def]
    row = _upload(session, storage, make, fm.pdf_bytes(), name="d.pdf")
    assert storage.local_path(row.key).stat().st_mode & 0o777 == 0o644


# require_media_url

def test_require_media_url_returns_the_canonical_url(session, storage) -> None:  # type: ignore[no-untyped-def]
    row = fm.make_media(session, storage, "video")
    url = media.require_media_url(session, storage, f"https://s7robotics.kz/media/{row.key}", field="videoUrl")
    assert url == f"/api/media/{row.key}"
    assert media.require_media_url(session, storage, "", field="videoUrl") is None
    assert media.require_media_url(session, storage, None, field="videoUrl") is None


def test_require_media_url_accepts_a_legacy_object_without_a_row(session, storage) -> None:  # type: ignore[no-untyped-def]
    key = fm.make_legacy_media(session, storage)
    assert media.require_media_url(session, storage, f"/uploads/{key}", field="videoUrl") == f"/api/media/{key}"


@pytest.mark.parametrize("value,code", [
    ("/media/0123456789abcdef0123456789abcdef.mp4", "media_not_found"),
    ("https://www.youtube.com/watch?v=abc", "external_url_not_allowed"),
    ("../../etc/passwd", "invalid_media_url"),
])
def test_require_media_url_rejects(session, storage, value, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid) as caught:
        media.require_media_url(session, storage, value, field="videoUrl")
    assert caught.value.code == code and caught.value.http_status == 422
    assert caught.value.details["fields"][0]["field"] == "videoUrl"


def test_a_video_column_refuses_an_image(session, storage) -> None:  # type: ignore[no-untyped-def]
    row = fm.make_media(session, storage, "image")
    with pytest.raises(Invalid) as caught:
        media.require_media_url(session, storage, f"/api/media/{row.key}", field="videoUrl")
    assert caught.value.code == "wrong_media_type"
    assert media.require_media_url(session, storage, row.key, field="cover", kinds=("image",))


def test_a_private_object_is_never_a_public_media_url(session, storage) -> None:  # type: ignore[no-untyped-def]
    row = fm.make_media(session, storage, "document", private=True)
    with pytest.raises(Invalid) as caught:
        media.require_media_url(session, storage, row.key, field="x", kinds=("document",))
    assert caught.value.code == "media_not_found"
