"""Local-disk storage: MEDIA_ROOT (public) and PRIVATE_ROOT (private)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from core.storage.base import CHUNK_SIZE, Storage, check_key, iter_chunks

TMP_PREFIX = ".upload-"


class LocalStorage(Storage):
    kind = "local"

    def __init__(self, media_root: Path | str, private_root: Path | str) -> None:
        self.media_root = Path(media_root)
        self.private_root = Path(private_root)

    def _root(self, private: bool) -> Path:
        root = self.private_root if private else self.media_root
        root.mkdir(parents=True, exist_ok=True)
        return root

    def local_path(self, key: str, *, private: bool = False) -> Path:
        return self._root(private) / check_key(key)

    def save_stream(self, key: str, chunks: Iterable[bytes] | IO[bytes], *, content_type: str,
                    private: bool = False) -> int:
        target = self.local_path(key, private=private)
        # Write next to the target and rename: readers never see a partial file, and a failed
        # or aborted upload leaves nothing behind.
        fd, tmp_name = tempfile.mkstemp(prefix=TMP_PREFIX, dir=target.parent)
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in iter_chunks(chunks):
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            # mkstemp creates 0600; public media must be readable by nginx (X-Accel-Redirect).
            os.chmod(tmp_name, 0o600 if private else 0o644)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return size

    def open_range(self, key: str, start: int, end: int, *, private: bool = False) -> Iterator[bytes]:
        path = self.local_path(key, private=private)
        handle = open(path, "rb")  # raises FileNotFoundError before the first chunk is asked for

        def gen() -> Iterator[bytes]:
            with handle:
                handle.seek(start)
                remaining = end - start + 1
                while remaining > 0:
                    chunk = handle.read(min(CHUNK_SIZE, remaining))
                    if not chunk:
                        return
                    remaining -= len(chunk)
                    yield chunk

        return gen()

    def exists(self, key: str, *, private: bool = False) -> bool:
        return self.local_path(key, private=private).is_file()

    def size(self, key: str, *, private: bool = False) -> int | None:
        try:
            return self.local_path(key, private=private).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, key: str, *, private: bool = False) -> None:
        self.local_path(key, private=private).unlink(missing_ok=True)

    def iter_keys(self, *, private: bool = False) -> Iterator[str]:
        for entry in os.scandir(self._root(private)):
            if entry.is_file() and not entry.name.startswith("."):
                yield entry.name

    def ping(self) -> None:
        # A real write: os.access() says "writable" to root even on a read-only mount.
        for root in (self.media_root, self.private_root):
            root.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=TMP_PREFIX + "ping-", dir=root)
            os.close(fd)
            os.unlink(probe)
