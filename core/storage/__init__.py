"""Media storage backends behind one interface (`Storage`); `make_storage(settings)` picks one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.storage.base import Storage, StorageError, check_key
from core.storage.local import LocalStorage

if TYPE_CHECKING:
    from core.settings import Settings


def make_storage(settings: Settings) -> Storage:
    """The one storage factory. A misconfiguration (unknown backend, S3 without a bucket, boto3 not
    installed) raises at start-up — nothing falls back silently."""
    if settings.media_backend == "s3":
        from core.storage.s3 import S3Storage

        if not settings.s3_bucket:
            raise ValueError("MEDIA_BACKEND=s3 needs S3_BUCKET")
        return S3Storage.from_settings(settings)
    if settings.media_backend != "local":
        raise ValueError(f"unknown MEDIA_BACKEND: {settings.media_backend!r}")
    return LocalStorage(settings.media_root, settings.private_root)


__all__ = ["LocalStorage", "Storage", "StorageError", "check_key", "make_storage"]
