"""POST /api/uploads/media (and /uploads/media): streamed multipart upload through the real app."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from core.models import MediaObject
from tests import factories_media as fm
from tests.factories import token_for

BOUNDARY = "----s7testboundary"


def _files(settings) -> list[str]:  # type: ignore[no-untyped-def]
    return os.listdir(settings.media_root) if settings.media_root.exists() else []


def _rows(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(MediaObject))


def _multipart(data: bytes, *, name: str = "clip.mp4", mime: str = "video/mp4", field: str = "file") -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n"
            f"Content-Type: {mime}\r\n\r\n").encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def _post(client, app, user, body, path="/api/uploads/media", chunked=False):  # type: ignore[no-untyped-def]
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if user is not None:
        headers.update(token_for(app, user))
    content = (body[i:i + 4096] for i in range(0, len(body), 4096)) if chunked else body
    return client.post(path, content=content, headers=headers)


@pytest.mark.parametrize("path", ["/api/uploads/media", "/uploads/media"])
def test_admin_uploads_a_video_and_gets_its_canonical_url(client, app, make, session, path) -> None:  # type: ignore[no-untyped-def]
    data = fm.mp4_bytes(300_000)
    answer = _post(client, app, make.admin(), _multipart(data), path=path, chunked=True)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["url"] == f"/api/media/{body['key']}" and body["key"].endswith(".mp4")
    assert body["contentType"] == "video/mp4" and body["size"] == len(data)
    served = client.get(body["url"])
    assert served.status_code == 200 and served.content == data
    assert session.scalar(select(MediaObject).where(MediaObject.key == body["key"])).original_name == "clip.mp4"


def test_the_standard_client_multipart_works_too(client, app, make) -> None:  # type: ignore[no-untyped-def]
    answer = client.post("/api/uploads/media", files={"file": ("c.png", fm.png_bytes(), "image/png")},
                         headers=token_for(app, make.admin()))
    assert answer.status_code == 201 and answer.json()["contentType"] == "image/png"


@pytest.mark.parametrize("who,status", [(None, 401), ("student", 403), ("support", 403)])
def test_only_admins_may_upload(client, app, make, settings, who, status) -> None:  # type: ignore[no-untyped-def]
    user = getattr(make, who)() if who else None
    answer = _post(client, app, user, _multipart(fm.mp4_bytes()))
    assert answer.status_code == status and answer.json()["error"]["code"]
    assert _files(settings) == []


def test_lying_type_is_415_and_nothing_remains(client, app, make, session, settings) -> None:  # type: ignore[no-untyped-def]
    before = _rows(session)
    answer = _post(client, app, make.admin(), _multipart(fm.png_bytes() + bytes(10_000), mime="video/mp4"))
    assert answer.status_code == 415 and answer.json()["error"]["code"] == "unsupported_media_type"
    assert _files(settings) == [] and _rows(session) == before


def test_oversized_upload_is_413_and_nothing_remains(client, app, make, session, settings) -> None:  # type: ignore[no-untyped-def]
    settings.media_max_bytes = 50_000
    before = _rows(session)
    body = _multipart(fm.mp4_bytes(200_000))
    answer = _post(client, app, make.admin(), body, chunked=True)  # no Content-Length: caught while streaming
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "file_too_large"
    answer = _post(client, app, make.admin(), body)  # Content-Length says too much: refused up front
    assert answer.status_code == 413
    assert _files(settings) == [] and _rows(session) == before


def test_truncated_multipart_is_an_error_and_nothing_remains(client, app, make, session, settings) -> None:  # type: ignore[no-untyped-def]
    before = _rows(session)
    body = _multipart(fm.mp4_bytes(100_000))
    answer = _post(client, app, make.admin(), body[: len(body) // 2], chunked=True)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "upload_truncated"
    assert _files(settings) == [] and _rows(session) == before


def test_missing_file_field_and_non_multipart_are_clear_errors(client, app, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    answer = _post(client, app, admin, _multipart(fm.mp4_bytes(), field="other"))
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "file_required"
    answer = client.post("/api/uploads/media", json={"file": "x"}, headers=token_for(app, admin))
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "multipart_required"
    answer = client.post("/api/uploads/media", content=b"garbage-without-boundary",
                         headers={**token_for(app, admin), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert answer.status_code in (400, 422) and answer.json()["error"]["code"]


def test_upload_routes_are_in_openapi(client) -> None:  # type: ignore[no-untyped-def]
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/uploads/media"] and "post" in paths["/uploads/media"]
    assert {"get", "head"} <= set(paths["/api/media/{key}"]) and "get" in paths["/media/{key}"]
