"""GET/HEAD /api/media/{key} and /media/{key}: what a browser video player needs."""

from __future__ import annotations

import pytest

from tests import factories_media as fm

DATA = fm.mp4_bytes(5000)


@pytest.fixture
def video(app, session):  # type: ignore[no-untyped-def]
    return fm.make_media(session, app.state.storage, "video", data=DATA)


def test_get_returns_the_whole_file_with_caching_and_type(client, video) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"/api/media/{video.key}")
    assert answer.status_code == 200 and answer.content == DATA
    h = answer.headers
    assert h["content-type"] == "video/mp4" and h["content-length"] == str(len(DATA))
    assert h["accept-ranges"] == "bytes" and h["cache-control"] == "public, max-age=31536000, immutable"
    assert h["etag"] == f'"{video.sha256}"'
    assert h["access-control-allow-origin"] == "*"
    assert "Content-Range" in h["access-control-expose-headers"]


def test_head_has_the_headers_and_no_body(client, video) -> None:  # type: ignore[no-untyped-def]
    answer = client.head(f"/api/media/{video.key}")
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["content-length"] == str(len(DATA)) and answer.headers["accept-ranges"] == "bytes"


def test_browser_like_open_then_seek(client, video) -> None:  # type: ignore[no-untyped-def]
    first = client.get(f"/api/media/{video.key}", headers={"Range": "bytes=0-"})
    assert first.status_code == 206 and first.content == DATA
    assert first.headers["content-range"] == f"bytes 0-{len(DATA) - 1}/{len(DATA)}"
    seek = client.get(f"/api/media/{video.key}", headers={"Range": "bytes=500-999"})
    assert seek.status_code == 206 and seek.content == DATA[500:1000]
    assert seek.headers["content-range"] == f"bytes 500-999/{len(DATA)}" and seek.headers["content-length"] == "500"
    past_end = client.get(f"/api/media/{video.key}", headers={"Range": f"bytes=4000-{10**6}"})
    assert past_end.status_code == 206 and past_end.content == DATA[4000:]


def test_suffix_range(client, video) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"/api/media/{video.key}", headers={"Range": "bytes=-500"})
    assert answer.status_code == 206 and answer.content == DATA[-500:]
    assert answer.headers["content-range"] == f"bytes {len(DATA) - 500}-{len(DATA) - 1}/{len(DATA)}"


@pytest.mark.parametrize("header", [f"bytes={len(DATA)}-", "bytes=999999-1000000", "bytes=-0",
                                    "bytes=99999999999999999999999-"])
def test_unsatisfiable_range_is_416(client, video, header) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"/api/media/{video.key}", headers={"Range": header})
    assert answer.status_code == 416 and answer.headers["content-range"] == f"bytes */{len(DATA)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "garbage", "items=0-5", "bytes=9-3", "bytes=-"])
def test_multi_or_garbage_range_is_ignored(client, video, header) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"/api/media/{video.key}", headers={"Range": header})
    assert answer.status_code == 200 and answer.content == DATA


def test_if_none_match_gives_304(client, video) -> None:  # type: ignore[no-untyped-def]
    etag = client.head(f"/api/media/{video.key}").headers["etag"]
    answer = client.get(f"/api/media/{video.key}", headers={"If-None-Match": etag})
    assert answer.status_code == 304 and answer.content == b"" and answer.headers["etag"] == etag
    assert client.get(f"/api/media/{video.key}", headers={"If-None-Match": '"other"'}).status_code == 200


def test_if_range_with_a_stale_etag_sends_everything(client, video) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"/api/media/{video.key}", headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert answer.status_code == 200 and answer.content == DATA


def test_cors_with_configured_origins_and_preflight(client, app, video) -> None:  # type: ignore[no-untyped-def]
    app.state.settings.media_cors_origins = "https://s7robotics.kz,https://app.s7robotics.kz"
    ok = client.get(f"/api/media/{video.key}", headers={"Origin": "https://app.s7robotics.kz"})
    assert ok.headers["access-control-allow-origin"] == "https://app.s7robotics.kz" and ok.headers["vary"] == "Origin"
    other = client.get(f"/api/media/{video.key}", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    pre = client.options(f"/api/media/{video.key}", headers={"Origin": "https://s7robotics.kz",
                                                              "Access-Control-Request-Method": "GET",
                                                              "Access-Control-Request-Headers": "range"})
    assert pre.status_code == 204 and "Range" in pre.headers["access-control-allow-headers"]
    assert pre.headers["access-control-allow-origin"] == "https://s7robotics.kz"


def test_legacy_media_path_serves_the_same_file(client, video) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"/media/{video.key}", headers={"Range": "bytes=10-19"})
    assert answer.status_code == 206 and answer.content == DATA[10:20]


def test_legacy_object_without_a_row_is_served_by_extension(client, app, session) -> None:  # type: ignore[no-untyped-def]
    key = fm.make_legacy_media(session, app.state.storage)
    answer = client.get(f"/api/media/{key}")
    assert answer.status_code == 200 and answer.headers["content-type"] == "video/mp4"
    assert answer.headers["etag"].startswith('"')


@pytest.mark.parametrize("path", [
    "/api/media/..%2F..%2Fetc%2Fpasswd", "/api/media/../../etc/passwd", "/media/%2e%2e%2fsecret.mp4",
    "/api/media/a%00.mp4", "/api/media/sub/dir.mp4", "/api/media/.hidden", "/api/media/nokey",
    "/api/media/0123456789abcdef0123456789abcdef.mp4",
])
def test_bad_or_unknown_keys_are_404(client, path) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(path)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def test_a_bad_key_never_touches_storage(client, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    monkeypatch.setattr(app.state.storage, "size", lambda *a, **k: calls.append("size"))
    assert client.get("/api/media/..%2Fsecret.mp4").status_code == 404
    assert calls == []


def test_private_objects_are_never_served(client, app, session) -> None:  # type: ignore[no-untyped-def]
    row = fm.make_media(session, app.state.storage, "document", private=True)
    assert client.get(f"/api/media/{row.key}").status_code == 404
    # Even if the same key also existed publicly, the row says private.
    app.state.storage.save_stream(row.key, [fm.pdf_bytes()], content_type="application/pdf")
    assert client.get(f"/api/media/{row.key}").status_code == 404


def test_accel_redirect_mode_hands_the_file_to_nginx(client, app, video) -> None:  # type: ignore[no-untyped-def]
    app.state.settings.media_accel_redirect_prefix = "/protected-media/"
    answer = client.get(f"/api/media/{video.key}", headers={"Range": "bytes=0-"})
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["x-accel-redirect"] == f"/protected-media/{video.key}"
    assert answer.headers["content-type"] == "video/mp4" and answer.headers["etag"] == f'"{video.sha256}"'


def test_first_byte_range_and_head_with_range(client, video) -> None:  # type: ignore[no-untyped-def]
    one = client.get(f"/api/media/{video.key}", headers={"Range": "bytes=0-0"})
    assert one.status_code == 206 and one.content == DATA[:1]
    assert one.headers["content-range"] == f"bytes 0-0/{len(DATA)}" and one.headers["content-length"] == "1"
    head = client.head(f"/media/{video.key}", headers={"Range": "bytes=100-"})
    assert head.status_code == 206 and head.content == b""
    assert head.headers["content-range"] == f"bytes 100-{len(DATA) - 1}/{len(DATA)}"
    assert head.headers["content-length"] == str(len(DATA) - 100)
    assert head.headers["content-type"] == "video/mp4" and head.headers["etag"] == f'"{video.sha256}"'


@pytest.mark.parametrize("key", ["1699999999-Robot.MP4", "1700000000-clip.WebM", "old_video.Mov"])
def test_legacy_key_with_uppercase_extension_plays(client, app, key) -> None:  # type: ignore[no-untyped-def]
    app.state.storage.save_bytes(key, DATA, content_type="application/octet-stream")
    expected = {"mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime"}[key.rsplit(".", 1)[1].lower()]
    for path in (f"/media/{key}", f"/api/media/{key}"):
        head = client.head(path)
        assert head.status_code == 200 and head.headers["content-type"] == expected, path
        part = client.get(path, headers={"Range": "bytes=0-0"})
        assert part.status_code == 206 and part.content == DATA[:1]
