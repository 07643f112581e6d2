from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.smtp import SmtpSink


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A running SMTP server on loopback collecting the messages it receives."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()
