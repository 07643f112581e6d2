"""Helpers for the course/ByteSize tests: a real small MP4 and a PNG stored through `store_upload`."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

from core.clock import utcnow
from core.models import MediaObject, User
from core.services.media import store_upload

DEMO_MP4 = Path(__file__).resolve().parent.parent / "s7" / "assets" / "demo.mp4"


def mp4_bytes() -> bytes:
    return DEMO_MP4.read_bytes()


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def upload(session: Any, storage: Any, admin: User, *, kind: str = "video") -> MediaObject:
    data, name, mime = (mp4_bytes(), "lesson.mp4", "video/mp4") if kind == "video" else \
        (png_bytes(), "cover.png", "image/png")
    return store_upload(session, storage, stream=[data], filename=name, declared_type=mime, actor=admin,
                        now=utcnow(), max_bytes=10 * 1024 * 1024)
