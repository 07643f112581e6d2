"""Decide a file's type from its bytes (not from the client's header).

Allowed: mp4, webm, mov, jpeg, png, webp, gif, pdf, docx, pptx. Zip containers (docx/pptx) are
only told apart by their entry names, so `ZipScanner` watches the local file headers as the
bytes stream past.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import filetype

SNIFF_BYTES = 4096


@dataclass(frozen=True)
class MediaType:
    mime: str
    ext: str
    kind: str  # video | image | document


TYPES = {t.ext: t for t in [
    MediaType("video/mp4", "mp4", "video"),
    MediaType("video/webm", "webm", "video"),
    MediaType("video/quicktime", "mov", "video"),
    MediaType("image/jpeg", "jpg", "image"),
    MediaType("image/png", "png", "image"),
    MediaType("image/webp", "webp", "image"),
    MediaType("image/gif", "gif", "image"),
    MediaType("application/pdf", "pdf", "document"),
    MediaType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "document"),
    MediaType("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", "document"),
]}
BY_MIME = {t.mime: t for t in TYPES.values()}
EXT_ALIASES = {"jpeg": "jpg", "m4v": "mp4", "qt": "mov"}
ZIP = "zip"  # provisional answer: docx or pptx, decided by ZipScanner

_MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
               b"dash", b"M4V ", b"M4VH", b"M4VP", b"mmp4", b"msnv", b"f4v ", b"3gp4", b"3gp5"}


def type_for_ext(ext: str) -> MediaType | None:
    ext = ext.lower().lstrip(".")
    return TYPES.get(EXT_ALIASES.get(ext, ext))


def kind_of_mime(mime: str | None) -> str | None:
    if not mime:
        return None
    mime = mime.split(";")[0].strip().lower()
    if mime in BY_MIME:
        return BY_MIME[mime].kind
    for prefix, kind in (("video/", "video"), ("image/", "image")):
        if mime.startswith(prefix):
            return kind
    if mime in ("application/msword", "application/vnd.ms-powerpoint", "application/zip"):
        return "document"
    return None


def sniff(head: bytes) -> str | None:
    """An extension of TYPES, `ZIP` (decided later) or None for anything not allowed."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "mov"
        return "mp4" if brand in _MP4_BRANDS else None
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"\x42\x82\x84webm" in head[:64] else None  # EBML DocType "webm"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    guess = filetype.guess(head)
    if guess is not None and guess.extension in ("jpg", "png", "webp", "gif"):
        return str(guess.extension)
    return None


class ZipScanner:
    """Reads entry names from zip local file headers as chunks stream past (bounded memory)."""

    HEADER = b"PK\x03\x04"

    def __init__(self) -> None:
        self._tail = b""
        self._skip = 0
        self.found: str | None = None

    def feed(self, chunk: bytes) -> None:
        if self.found:
            return
        if self._skip >= len(chunk):
            self._skip -= len(chunk)
            return
        data = self._tail + chunk[self._skip:]
        self._skip = 0
        pos = 0
        while True:
            at = data.find(self.HEADER, pos)
            if at < 0 or len(data) - at < 30:
                self._tail = data[at:] if at >= 0 else data[-3:]
                return
            name_len = struct.unpack_from("<H", data, at + 26)[0]
            if len(data) - at < 30 + name_len:
                self._tail = data[at:]
                return
            name = data[at + 30: at + 30 + name_len]
            if name.startswith(b"word/"):
                self.found = "docx"
                return
            if name.startswith(b"ppt/"):
                self.found = "pptx"
                return
            pos = at + 4
