"""The S3 backend against a real S3 protocol server (moto server mode, no boto3 mocking)."""

from __future__ import annotations

import httpx
import pytest

from core.storage import make_storage
from core.storage.s3 import PART_SIZE, S3Storage
from tests import factories_media as fm
from tests.s3_server import s3_endpoint, s3_settings  # noqa: F401 - fixtures

KEY = "0123456789abcdef0123456789abcdef.mp4"


@pytest.fixture
def s3(s3_settings):  # type: ignore[no-untyped-def]  # noqa: F811
    storage = make_storage(s3_settings)
    assert isinstance(storage, S3Storage)
    return storage


def test_save_exists_size_range_and_delete(s3) -> None:  # type: ignore[no-untyped-def]
    data = fm.mp4_bytes(10_000)
    assert s3.save_stream(KEY, iter([data[:100], data[100:]]), content_type="video/mp4") == len(data)
    assert s3.exists(KEY) and s3.size(KEY) == len(data)
    assert b"".join(s3.open_range(KEY, 500, 999)) == data[500:1000]
    assert s3.read_bytes(KEY) == data
    assert list(s3.iter_keys()) == [KEY]
    s3.delete(KEY)
    assert not s3.exists(KEY) and s3.size(KEY) is None
    with pytest.raises(FileNotFoundError):
        s3.open_range(KEY, 0, 1)


def test_private_objects_live_under_their_own_prefix(s3) -> None:  # type: ignore[no-untyped-def]
    s3.save_stream(KEY, [b"%PDF-1.4 cert"], content_type="application/pdf", private=True)
    assert s3.exists(KEY, private=True) and not s3.exists(KEY)
    assert list(s3.iter_keys()) == [] and list(s3.iter_keys(private=True)) == [KEY]
    assert s3.read_bytes(KEY, private=True) == b"%PDF-1.4 cert"


def test_large_stream_goes_up_in_parts_and_a_failure_leaves_nothing(s3) -> None:  # type: ignore[no-untyped-def]
    chunk = bytes(1024 * 1024)
    size = s3.save_stream(KEY, (chunk for _ in range(PART_SIZE // len(chunk) * 2 + 1)), content_type="video/mp4")
    assert s3.size(KEY) == size == PART_SIZE * 2 + len(chunk)

    def broken():  # type: ignore[no-untyped-def]
        for _ in range(PART_SIZE // len(chunk) + 2):
            yield chunk
        raise RuntimeError("client went away")

    other = "fedcba9876543210fedcba9876543210.mp4"
    with pytest.raises(RuntimeError):
        s3.save_stream(other, broken(), content_type="video/mp4")
    assert not s3.exists(other)
    uploads = s3.client.list_multipart_uploads(Bucket=s3.bucket).get("Uploads", [])
    assert uploads == []


def test_presigned_get_returns_the_bytes(s3) -> None:  # type: ignore[no-untyped-def]
    data = fm.mp4_bytes(3000)
    s3.save_stream(KEY, [data], content_type="video/mp4")
    url = s3.presigned_url(KEY, 60)
    answer = httpx.get(url)
    assert answer.status_code == 200 and answer.content == data
    ranged = httpx.get(url, headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 206 and ranged.content == data[100:200]


def test_ping_passes_on_the_bucket_and_fails_on_a_missing_one(s3) -> None:  # type: ignore[no-untyped-def]
    from botocore.exceptions import ClientError

    assert s3.ping() is None
    missing = S3Storage(bucket=s3.bucket + "-missing", client=s3.client)
    with pytest.raises(ClientError):
        missing.ping()
