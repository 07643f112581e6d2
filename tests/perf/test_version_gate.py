"""VersionGate: callers share reads, but never one that began before they arrived."""

from __future__ import annotations

import asyncio
import threading

import pytest

from public_api.version_gate import VersionGate


class SlowCounter:
    """A read that returns 1, 2, 3… and can be held open to let callers arrive while it runs."""

    def __init__(self) -> None:
        self.reads = 0
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self) -> dict[str, int]:
        self.reads += 1
        number = self.reads
        self.started.set()
        assert self.release.wait(5)
        return {"feed": number}


def test_a_caller_arriving_during_a_read_waits_for_the_next_one() -> None:
    read = SlowCounter()
    gate = VersionGate(read)

    async def scenario() -> tuple[dict[str, int], dict[str, int]]:
        read.release.clear()
        first = asyncio.ensure_future(gate.versions())
        await asyncio.to_thread(read.started.wait, 5)  # read 1 is running
        second = asyncio.ensure_future(gate.versions())  # arrives during read 1
        await asyncio.sleep(0.01)
        assert not second.done()
        read.release.set()
        return await first, await second

    first, second = asyncio.run(scenario())
    assert first == {"feed": 1}
    assert second == {"feed": 2}  # read 1 may have missed a commit the second caller saw
    assert read.reads == 2


def test_callers_arriving_together_share_one_read() -> None:
    read = SlowCounter()
    gate = VersionGate(read)

    async def scenario() -> list[dict[str, int]]:
        return await asyncio.gather(*(gate.versions() for _ in range(50)))

    answers = asyncio.run(scenario())
    assert answers == [{"feed": 1}] * 50 and read.reads == 1


def test_a_failed_read_fails_its_callers_and_the_next_call_reads_again() -> None:
    calls = {"n": 0}

    def flaky() -> dict[str, int]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database is down")
        return {"feed": 7}

    gate = VersionGate(flaky)

    async def scenario() -> dict[str, int]:
        with pytest.raises(RuntimeError, match="down"):
            await gate.versions()
        return await gate.versions()

    assert asyncio.run(scenario()) == {"feed": 7}


def test_a_new_event_loop_starts_afresh() -> None:
    read = SlowCounter()
    gate = VersionGate(read)
    assert asyncio.run(gate.versions()) == {"feed": 1}
    assert asyncio.run(gate.versions()) == {"feed": 2}
