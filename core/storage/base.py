"""The storage interface shared by the local-disk and S3 backends.

Two namespaces: public media (served by /api/media) and private files (certificates, lesson
materials; served only by authorised endpoints). Keys are flat names, never paths.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import IO, Any

CHUNK_SIZE = 256 * 1024

# Defence in depth: backends accept only flat names (no slashes, no "..", no NUL or "%").
_SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


class StorageError(Exception):
    """A backend failure (I/O, network); never a user error."""


class UnsupportedByBackend(StorageError):
    """A capability only some backends have (file paths: local; presigned URLs: S3)."""


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _SAFE_KEY.fullmatch(key) or ".." in key:
        raise ValueError(f"unsafe storage key: {key!r}")
    return key


def iter_chunks(source: Iterable[bytes] | IO[bytes] | Any, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Chunks from an iterable of bytes or a binary file-like object."""
    read = getattr(source, "read", None)
    if callable(read):
        while True:
            chunk = read(chunk_size)
            if not chunk:
                return
            yield chunk
    else:
        for chunk in source:
            if chunk:
                yield bytes(chunk)


class Storage(ABC):
    kind: str = "abstract"

    @abstractmethod
    def save_stream(self, key: str, chunks: Iterable[bytes] | IO[bytes], *, content_type: str,
                    private: bool = False) -> int:
        """Store all chunks under `key` atomically and return the size. If the iterator raises,
        nothing is left behind and the exception propagates."""

    @abstractmethod
    def open_range(self, key: str, start: int, end: int, *, private: bool = False) -> Iterator[bytes]:
        """Bytes `start..end` inclusive, in chunks. Raises FileNotFoundError when missing."""

    @abstractmethod
    def exists(self, key: str, *, private: bool = False) -> bool: ...

    @abstractmethod
    def size(self, key: str, *, private: bool = False) -> int | None: ...

    @abstractmethod
    def delete(self, key: str, *, private: bool = False) -> None: ...

    @abstractmethod
    def iter_keys(self, *, private: bool = False) -> Iterator[str]: ...

    @abstractmethod
    def ping(self) -> None: ...

    def read_bytes(self, key: str, *, private: bool = False) -> bytes:
        """A whole (small) object: certificates and attachments only."""
        size = self.size(key, private=private)
        if size is None:
            raise FileNotFoundError(key)
        if size == 0:
            return b""
        return b"".join(self.open_range(key, 0, size - 1, private=private))

    def save_bytes(self, key: str, data: bytes, *, content_type: str, private: bool = False) -> int:
        return self.save_stream(key, [data], content_type=content_type, private=private)

    def local_path(self, key: str, *, private: bool = False) -> Any:
        raise UnsupportedByBackend("only the local backend has file paths")

    def presigned_url(self, key: str, seconds: int, *, content_type: str | None = None) -> str:
        raise UnsupportedByBackend("only the S3 backend has presigned URLs")
