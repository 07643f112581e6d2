"""/api/media with the S3 backend: redirect to a presigned URL, or proxy with Range."""

from __future__ import annotations

import httpx
import pytest

from s7.app import create_app
from tests import factories_media as fm
from tests.factories import token_for
from tests.s3_server import s3_endpoint, s3_settings  # noqa: F401 - fixtures

DATA = fm.mp4_bytes(4000)


@pytest.fixture
def s3_client(s3_settings, db):  # type: ignore[no-untyped-def]  # noqa: F811
    from starlette.testclient import TestClient

    app = create_app(s3_settings, db=db)
    with TestClient(app) as client:
        yield app, client


def _upload(app, client, make):  # type: ignore[no-untyped-def]
    answer = client.post("/api/uploads/media", files={"file": ("v.mp4", DATA, "video/mp4")},
                         headers=token_for(app, make.admin()))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_upload_then_redirect_to_a_presigned_url(s3_client, make) -> None:  # type: ignore[no-untyped-def]
    app, client = s3_client
    body = _upload(app, client, make)
    answer = client.get(body["url"], follow_redirects=False)
    assert answer.status_code == 307
    location = answer.headers["location"]
    assert location.startswith(app.state.settings.s3_endpoint_url) and "Signature" in location
    assert answer.headers["access-control-allow-origin"] == "*"
    fetched = httpx.get(location, headers={"Range": "bytes=0-99"})
    assert fetched.status_code == 206 and fetched.content == DATA[:100]
    assert httpx.get(location).content == DATA


def test_proxy_mode_streams_with_ranges(s3_client, make) -> None:  # type: ignore[no-untyped-def]
    app, client = s3_client
    app.state.settings.s3_serve_mode = "proxy"
    body = _upload(app, client, make)
    full = client.get(body["url"])
    assert full.status_code == 200 and full.content == DATA and full.headers["content-type"] == "video/mp4"
    part = client.get(body["url"], headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == DATA[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(DATA)}"
    assert client.get(body["url"], headers={"Range": "bytes=999999-"}).status_code == 416


def test_missing_s3_object_is_404(s3_client) -> None:  # type: ignore[no-untyped-def]
    _app, client = s3_client
    assert client.get("/api/media/0123456789abcdef0123456789abcdef.mp4").status_code == 404
