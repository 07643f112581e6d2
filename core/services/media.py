"""Media objects: upload (sniffed, size-capped, streamed) and the URL rules of SPEC §3.

Errors (core/errors.py): `Invalid` 422 (invalid_media_url, external_url_not_allowed, media_not_found,
wrong_media_type, empty_file), `UnsupportedMediaType` 415 (unknown bytes, or not what the client
said), `FileTooLarge` 413.

`store_upload` touches the database only after the bytes are stored, so no transaction (and on
SQLite no write lock) is held while a large file streams in.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ErrorCode, ExternalUrl, FileTooLarge, Invalid, NotMediaUrl, UnsupportedMediaType, field_error
from core.models import MediaObject, User
from core.services.media_sniff import (
    BY_MIME,
    SNIFF_BYTES,
    TYPES,
    ZIP,
    ZipScanner,
    kind_of_mime,
    sniff,
    type_for_ext,
)
from core.services.media_urls import (
    CANONICAL_PREFIX,
    KEY_RE,
    LEGACY_KEY_RE,
    canonical_or_none,
    is_external,
    is_valid_key,
    key_of,
    normalize_media_url,
)
from core.services.permissions import require_admin
from core.storage.base import Storage, iter_chunks

__all__ = [
    "CANONICAL_PREFIX", "KEY_RE", "LEGACY_KEY_RE", "FileTooLarge", "UnsupportedMediaType",
    "canonical_or_none", "content_type_of", "find_object", "is_external", "is_valid_key", "key_of",
    "kind_of_key", "normalize_media_url", "require_media_url", "store_upload",
]

KIND_LABELS = {"video": "видео", "image": "изображение", "document": "документ"}


def find_object(session: Session, key: str) -> MediaObject | None:
    return session.scalars(select(MediaObject).where(MediaObject.key == key)).one_or_none()


def content_type_of(key: str, row: MediaObject | None = None) -> str:
    if row is not None:
        return row.content_type
    media_type = type_for_ext(key.rsplit(".", 1)[-1]) if "." in key else None
    return media_type.mime if media_type else "application/octet-stream"


def kind_of_key(key: str, row: MediaObject | None = None) -> str | None:
    return kind_of_mime(content_type_of(key, row))


def require_media_url(session: Session, storage: Storage, value: str | None, *, field: str,
                      kinds: tuple[str, ...] = ("video",)) -> str | None:
    """The canonical URL of an existing public object of one of `kinds`; None for an empty value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        key = key_of(value)
    except ExternalUrl as exc:
        raise field_error(field, exc.message, code=exc.code) from exc
    except NotMediaUrl as exc:
        raise field_error(field, exc.message, code=exc.code) from exc
    row = find_object(session, key)
    exists = (row is not None and not row.is_private) if row is not None else storage.exists(key)
    if not exists:
        raise field_error(field, "Файл не найден в хранилище. Загрузите его заново.", code=ErrorCode.MEDIA_NOT_FOUND)
    kind = kind_of_key(key, row)
    if kind not in kinds:
        wanted = " или ".join(KIND_LABELS.get(k, k) for k in kinds)
        raise field_error(field, f"Неверный тип файла: нужно {wanted}.", code=ErrorCode.WRONG_MEDIA_TYPE)
    return CANONICAL_PREFIX + key


def _declared(declared_type: str | None, filename: str | None) -> tuple[str | None, str | None]:
    """(family, extension) the client claims; family None when it claims nothing useful."""
    mime = (declared_type or "").split(";")[0].strip().lower()
    ext_type = type_for_ext(filename.rsplit(".", 1)[-1]) if filename and "." in filename else None
    kind = kind_of_mime(mime) or (ext_type.kind if ext_type else None)
    ext = BY_MIME[mime].ext if mime in BY_MIME else (ext_type.ext if ext_type else None)
    return kind, ext


@dataclass(frozen=True)
class Only:
    """Narrower than every allowed type: only these extensions (of TYPES), refused with `message`
    as soon as the first bytes are sniffed — before anything is written."""

    exts: tuple[str, ...]
    message: str


class _Inspector:
    """Wraps the upload stream: counts, hashes, sniffs; raises mid-stream on a bad type or size.

    The extension (and so the key) is decided before the first chunk is yielded. A zip is a docx
    or a pptx by its entry names: usually `word/` or `ppt/` appears in the first kilobytes; if not,
    the client's claimed extension is taken and checked when the stream ends."""

    ZIP_PEEK = 1024 * 1024

    def __init__(self, stream: Iterable[bytes] | IO[bytes], *, max_bytes: int,
                 declared_type: str | None, filename: str | None, only: Only | None = None) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.only = only
        self.declared_kind, self.declared_ext = _declared(declared_type, filename)
        self.size = 0
        self.sha = hashlib.sha256()
        self.ext: str | None = None
        self.zip = ZipScanner()

    def _decide(self, head: bytes, *, at_end: bool) -> bool:
        """Set `self.ext` from the head; False when more bytes are needed."""
        if len(head) < SNIFF_BYTES and not at_end:
            return False
        sniffed = sniff(head)
        if sniffed is None:
            raise UnsupportedMediaType(self.only.message if self.only else UnsupportedMediaType.message)
        if self.only is not None and sniffed not in self.only.exts:
            raise UnsupportedMediaType(self.only.message, details={"accepted": list(self.only.exts),
                                                                   "detected": sniffed})
        kind = "document" if sniffed == ZIP else TYPES[sniffed].kind
        if self.declared_kind is not None and self.declared_kind != kind:
            raise UnsupportedMediaType(
                f"Содержимое файла не совпадает с заявленным типом ({KIND_LABELS[self.declared_kind]}).",
                details={"declared": self.declared_kind, "detected": kind})
        if sniffed != ZIP:
            self.ext = sniffed
            return True
        self.zip.feed(head)
        if self.zip.found:
            self.ext = self.zip.found
        elif at_end or len(head) >= self.ZIP_PEEK:
            if self.declared_ext not in ("docx", "pptx"):
                raise UnsupportedMediaType()
            self.ext = self.declared_ext
        else:
            return False
        return True

    def __iter__(self) -> Iterator[bytes]:
        head = bytearray()
        for chunk in iter_chunks(self.stream):
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise FileTooLarge(f"Файл больше допустимого размера ({_human(self.max_bytes)}).",
                                   details={"maxBytes": self.max_bytes})
            self.sha.update(chunk)
            if self.ext is None:
                head += chunk
                if not self._decide(bytes(head), at_end=False):
                    continue
                chunk = bytes(head)
                head = bytearray()
            elif not self.zip.found and self.ext in ("docx", "pptx"):
                self.zip.feed(chunk)
            yield chunk
        if self.ext is None:
            if not head:
                raise Invalid("Файл пустой", code=ErrorCode.EMPTY_FILE)
            self._decide(bytes(head), at_end=True)
            yield bytes(head)
        if self.ext in ("docx", "pptx") and self.zip.found != self.ext:
            raise UnsupportedMediaType()


def _human(size: int) -> str:
    if size >= 1024 ** 3:
        return f"{size / 1024 ** 3:g} ГБ"
    return f"{round(size / 1024 ** 2, 2):g} МБ"


def store_upload(session: Session, storage: Storage, *, stream: Iterable[bytes] | IO[bytes], filename: str | None,
                 declared_type: str | None, actor: User | None, now: datetime, max_bytes: int,
                 private: bool = False) -> MediaObject:
    """Stream an upload into storage under a random key and record it (ADMIN only). On any failure
    (415 type, 413 size, truncated stream) nothing remains: no object, no row."""
    actor = require_admin(actor)
    return store_object(session, storage, stream=stream, filename=filename, declared_type=declared_type,
                        uploader=actor, now=now, max_bytes=max_bytes, private=private)


def store_object(session: Session, storage: Storage, *, stream: Iterable[bytes] | IO[bytes], filename: str | None,
                 declared_type: str | None, uploader: User, now: datetime, max_bytes: int, private: bool = False,
                 only: Only | None = None) -> MediaObject:
    """`store_upload` for an uploader the caller has already authorised (e.g. a user's payment
    screenshot, core/services/payment_proofs.py), optionally restricted to `only` some types."""
    actor = uploader
    inspector = _Inspector(stream, max_bytes=max_bytes, declared_type=declared_type, filename=filename, only=only)
    chunks = iter(inspector)
    first = next(chunks, None)  # sniffs (and may raise) before anything is written
    assert first is not None and inspector.ext is not None
    media_type = TYPES[inspector.ext]
    key = f"{uuid.uuid4().hex}.{media_type.ext}"

    def replay() -> Iterator[bytes]:
        yield first
        yield from chunks

    storage.save_stream(key, replay(), content_type=media_type.mime, private=private)
    row = MediaObject(key=key, content_type=media_type.mime, size=inspector.size,
                      sha256=inspector.sha.hexdigest(), original_name=(filename or "")[:255] or None,
                      is_private=private, uploaded_by_id=actor.id, created_at=now)
    try:
        session.add(row)
        session.flush()
    except BaseException:
        storage.delete(key, private=private)
        raise
    return row

