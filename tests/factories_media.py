"""Media builders: tiny but structurally valid files of each allowed type, stored for real."""

from __future__ import annotations

import io
import struct
import uuid
import zipfile
from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.models import MediaObject
from core.services import media
from core.storage.base import Storage


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_bytes(mdat_size: int = 2048) -> bytes:
    """A minimal ISO-BMFF file: ftyp (isom) + moov (mvhd) + mdat."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mvhd = _box(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, 1000, 1000) + struct.pack(">I", 0x00010000)
                + struct.pack(">H", 0x0100) + bytes(10) + bytes(36) + bytes(24) + struct.pack(">I", 2))
    moov = _box(b"moov", mvhd)
    mdat = _box(b"mdat", bytes((i * 7) % 251 for i in range(mdat_size)))
    return ftyp + moov + mdat


def mov_bytes() -> bytes:
    return _box(b"ftyp", b"qt  " + struct.pack(">I", 0) + b"qt  ") + _box(b"mdat", bytes(64))


def webm_bytes() -> bytes:
    header = b"\x42\x86\x81\x01" + b"\x42\x82\x84webm"
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + bytes(64)


def png_bytes() -> bytes:
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
            + b"\x90wS\xde" + bytes(32))


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9"


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office_bytes(kind: str = "docx") -> bytes:
    folder = "word" if kind == "docx" else "ppt"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(f"{folder}/document.xml", "<document/>")
    return buffer.getvalue()


SAMPLES = {
    "video": (mp4_bytes, "video/mp4", "clip.mp4"),
    "image": (png_bytes, "image/png", "cover.png"),
    "document": (pdf_bytes, "application/pdf", "doc.pdf"),
}


def make_media(session: Session, storage: Storage, kind: str = "video", *, private: bool = False,
               actor: Any = None, data: bytes | None = None, **overrides: Any) -> MediaObject:
    """Upload a real tiny file of `kind` through the service (bytes in storage + a MediaObject row)."""
    from tests.factories import make_admin

    maker, mime, name = SAMPLES[kind]
    row = media.store_upload(session, storage, stream=[data or maker()], filename=name, declared_type=mime,
                             actor=actor or make_admin(session), now=utcnow(), max_bytes=10 * 1024 * 1024,
                             private=private)
    for field, value in overrides.items():
        setattr(row, field, value)
    session.flush()
    return row


def make_legacy_media(session: Session, storage: Storage, name: str | None = None, data: bytes | None = None) -> str:
    """An old-style upload: an object in storage with no MediaObject row. Returns its key."""
    key = name or f"1699{uuid.uuid4().int % 10**6:06d}-video.mp4"
    storage.save_stream(key, [data or mp4_bytes()], content_type="video/mp4")
    return key


# Every old way a media URL was written, `{key}` standing for the object's key: each must come back canonical.
LEGACY_FORMS = [
    "/api/media/{key}",
    "/media/{key}",
    "media/{key}",
    "/uploads/{key}",
    "{key}",
    "https://s7robotics.kz/media/{key}",
    "https://s7robotics.kz/api/media/{key}",
    "http://localhost:3000/uploads/{key}",
    "http://127.0.0.1:8000/media/{key}?v=2",
]
