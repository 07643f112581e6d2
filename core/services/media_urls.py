"""Media URL forms: every accepted legacy form reduces to the canonical `/api/media/<key>`."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from core.errors import ExternalUrl, Invalid, NotMediaUrl

CANONICAL_PREFIX = "/api/media/"
KEY_RE = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{2,5}")
# Old uploads were stored under names like `1699999999-video.mp4`: flat, with an extension.
LEGACY_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.[A-Za-z0-9]{1,8}")
_PATH_RE = re.compile(r"/?(?:api/media|media|uploads)/([^/]+)")



def is_valid_key(key: str) -> bool:
    """A flat storage key: new random form or a legacy upload name; never a path."""
    if not isinstance(key, str) or "\x00" in key or ".." in key:
        return False
    return bool(KEY_RE.fullmatch(key) or LEGACY_KEY_RE.fullmatch(key))


def key_of(value: str) -> str:
    """The storage key of any accepted media URL form; raises `Invalid` otherwise."""
    if not isinstance(value, str):
        raise NotMediaUrl()
    text = value.strip()
    if not text or "\x00" in text or "\\" in text:
        raise NotMediaUrl()
    lowered = text.lower()
    is_absolute = lowered.startswith(("http://", "https://", "//"))
    if is_absolute:
        try:
            path = urlsplit(text if not text.startswith("//") else "https:" + text).path
        except ValueError as exc:
            raise NotMediaUrl() from exc
    else:
        path = re.split(r"[?#]", text, maxsplit=1)[0]
    match = _PATH_RE.fullmatch(path)
    key = match.group(1) if match else (None if is_absolute or "/" in path else path)
    if key is None or not is_valid_key(key):
        raise ExternalUrl() if is_absolute and match is None else NotMediaUrl()
    return key


def normalize_media_url(value: str) -> str:
    """The canonical `/api/media/<key>` for any accepted form; raises `Invalid` (invalid_media_url)."""
    try:
        return CANONICAL_PREFIX + key_of(value)
    except ExternalUrl as exc:
        raise NotMediaUrl() from exc


def canonical_or_none(value: str | None) -> str | None:
    """For read paths: the canonical form, or the value unchanged when it cannot be normalised."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return normalize_media_url(value)
    except Invalid:
        return value


def is_external(value: str) -> bool:
    try:
        key_of(value)
    except ExternalUrl:
        return True
    except Invalid:
        return False
    return False
