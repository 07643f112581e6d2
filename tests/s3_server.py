"""A real S3 protocol server (moto in server mode) on a free loopback port, for storage tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from core.settings import Settings
from tests.net import free_port


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_settings(settings: Settings, s3_endpoint: str) -> Settings:
    """Settings pointing at a fresh bucket on the moto server."""
    import boto3

    bucket = f"s7-test-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(Bucket=bucket)
    return settings.model_copy(update={
        "media_backend": "s3", "s3_bucket": bucket, "s3_endpoint_url": s3_endpoint,
        "s3_access_key_id": "test", "s3_secret_access_key": "test", "s3_region": "us-east-1"})
