"""The one media-URL normaliser: every legacy form in, the canonical form out, the rest rejected."""

from __future__ import annotations

import pytest

from core.errors import Invalid
from core.services.media import canonical_or_none, key_of, normalize_media_url

KEY = "0123456789abcdef0123456789abcdef.mp4"
CANON = f"/api/media/{KEY}"
LEGACY = "1699999999-video.mp4"


@pytest.mark.parametrize("value,expected", [
    (f"/api/media/{KEY}", CANON),
    (f"/media/{KEY}", CANON),
    (f"media/{KEY}", CANON),
    (f"/uploads/{KEY}", CANON),
    (f"uploads/{KEY}", CANON),
    (KEY, CANON),
    (f"  {KEY}  ", CANON),
    (f"https://api.s7robotics.kz/media/{KEY}", CANON),
    (f"https://s7robotics.kz/api/media/{KEY}", CANON),
    (f"http://localhost:5000/uploads/{KEY}", CANON),
    (f"http://127.0.0.1:8000/media/{KEY}?t=3#x", CANON),
    (f"https://s7-frontend.vercel.app/api/media/{KEY}", CANON),
    (f"HTTPS://S7ROBOTICS.KZ/media/{KEY}", CANON),
    (f"//cdn.s7robotics.kz/media/{KEY}", CANON),
    (f"/media/{KEY}?v=2", CANON),
    (f"/uploads/{LEGACY}", f"/api/media/{LEGACY}"),
    (f"https://api.s7robotics.kz/uploads/{LEGACY}", f"/api/media/{LEGACY}"),
    (LEGACY, f"/api/media/{LEGACY}"),
])
def test_every_accepted_form_normalises_to_the_canonical_url(value: str, expected: str) -> None:
    assert normalize_media_url(value) == expected


@pytest.mark.parametrize("value", [
    "", "   ", "../etc/passwd", f"/media/../{KEY}", "/media/..%2F..%2Fsecret.mp4", "/media/%2e%2e.mp4",
    f"/media/a%2F{KEY}", f"/media/sub/{KEY}", "/media/a\x00.mp4", f"{KEY}\x00", "/media/.hidden.mp4",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ", "ftp://host/media/a.mp4",
    "javascript:alert(1)", "/static/video.mp4", "/api/media/", "/media/noext", "video", "C:\\video.mp4",
    f"/api/media/{KEY}/extra", "/media/a..b.mp4",
])
def test_anything_else_is_rejected_with_a_clear_error(value: str) -> None:
    with pytest.raises(Invalid) as caught:
        normalize_media_url(value)
    assert caught.value.code == "invalid_media_url"
    assert "медиа" in caught.value.message


def test_key_of_returns_the_bare_key() -> None:
    assert key_of(f"https://s7robotics.kz/media/{KEY}") == KEY


def test_canonical_or_none_never_raises() -> None:
    assert canonical_or_none(None) is None
    assert canonical_or_none("") is None
    assert canonical_or_none(f"/media/{KEY}") == CANON
    assert canonical_or_none("https://youtube.com/x") == "https://youtube.com/x"
