"""S3 (or any S3-compatible store) storage. Private objects live under the `private/` prefix."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from core.storage.base import CHUNK_SIZE, Storage, check_key, iter_chunks

if TYPE_CHECKING:
    from core.settings import Settings

PART_SIZE = 8 * 1024 * 1024  # S3 parts must be >= 5 MiB except the last
PRIVATE_PREFIX = "private/"


class S3Storage(Storage):
    kind = "s3"

    def __init__(self, *, bucket: str, client: Any) -> None:
        self.bucket = bucket
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        import boto3
        from botocore.config import Config

        kwargs: dict[str, Any] = {"region_name": settings.s3_region or "us-east-1",
                                  "config": Config(signature_version="s3v4", retries={"max_attempts": 3})}
        if settings.s3_endpoint_url:
            kwargs["endpoint_url"] = settings.s3_endpoint_url
        if settings.s3_access_key_id:
            kwargs["aws_access_key_id"] = settings.s3_access_key_id
            kwargs["aws_secret_access_key"] = settings.s3_secret_access_key
        return cls(bucket=settings.s3_bucket, client=boto3.client("s3", **kwargs))

    def _name(self, key: str, private: bool) -> str:
        return (PRIVATE_PREFIX if private else "") + check_key(key)

    def save_stream(self, key: str, chunks: Iterable[bytes] | IO[bytes], *, content_type: str,
                    private: bool = False) -> int:
        name = self._name(key, private)
        buffer = bytearray()
        size = 0
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            for chunk in iter_chunks(chunks):
                buffer += chunk
                size += len(chunk)
                while len(buffer) >= PART_SIZE:
                    if upload_id is None:
                        upload_id = self.client.create_multipart_upload(
                            Bucket=self.bucket, Key=name, ContentType=content_type)["UploadId"]
                    part, buffer = bytes(buffer[:PART_SIZE]), buffer[PART_SIZE:]
                    self._upload_part(name, upload_id, parts, part)
            if upload_id is None:
                self.client.put_object(Bucket=self.bucket, Key=name, Body=bytes(buffer), ContentType=content_type)
            else:
                if buffer:
                    self._upload_part(name, upload_id, parts, bytes(buffer))
                self.client.complete_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id,
                                                      MultipartUpload={"Parts": parts})
        except BaseException:
            if upload_id is not None:
                try:
                    self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
                except Exception:  # noqa: BLE001 - the original error matters more
                    pass
            raise
        return size

    def _upload_part(self, name: str, upload_id: str, parts: list[dict[str, Any]], data: bytes) -> None:
        number = len(parts) + 1
        answer = self.client.upload_part(Bucket=self.bucket, Key=name, UploadId=upload_id,
                                         PartNumber=number, Body=data)
        parts.append({"ETag": answer["ETag"], "PartNumber": number})

    def open_range(self, key: str, start: int, end: int, *, private: bool = False) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key, private),
                                            Range=f"bytes={start}-{end}")
        except ClientError as exc:
            if _is_missing(exc):
                raise FileNotFoundError(key) from exc
            raise
        body = answer["Body"]

        def gen() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK_SIZE)
            finally:
                body.close()

        return gen()

    def _head(self, key: str, private: bool) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            head: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=self._name(key, private))
            return head
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise

    def exists(self, key: str, *, private: bool = False) -> bool:
        return self._head(key, private) is not None

    def size(self, key: str, *, private: bool = False) -> int | None:
        head = self._head(key, private)
        return None if head is None else int(head["ContentLength"])

    def delete(self, key: str, *, private: bool = False) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key, private))

    def iter_keys(self, *, private: bool = False) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        if private:
            kwargs["Prefix"] = PRIVATE_PREFIX
        for page in paginator.paginate(**kwargs):
            for item in page.get("Contents", []):
                name = item["Key"]
                if private:
                    yield name[len(PRIVATE_PREFIX):]
                elif "/" not in name:
                    yield name

    def ping(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def presigned_url(self, key: str, seconds: int, *, content_type: str | None = None) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self._name(key, False)}
        if content_type:
            params["ResponseContentType"] = content_type
        return str(self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=int(seconds)))


def _is_missing(exc: Any) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")
