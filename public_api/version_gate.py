"""Cache versions for the event loop: one read shared by every request waiting for it, never older than
the request.

An anonymous GET of public JSON needs only the topic's version to answer from the per-process body
cache (or with 304). Reading it costs a unit of work in a worker thread; under a rush, many requests need
the same tiny table at once. `VersionGate.versions()` joins the next read that STARTS after the call:
a read already running may have begun before the caller arrived (and missed a commit the caller has
seen), so latecomers wait for the following one. Every answer therefore reflects every commit made
before its request arrived — as if each request had read the version itself — in any process, with one
statement per batch instead of one per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import anyio.to_thread
from anyio import CapacityLimiter

Versions = dict[str, int]


class VersionGate:
    def __init__(self, read: Callable[[], Versions]) -> None:
        self._read = read
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next: asyncio.Future[Versions] | None = None  # the read the next callers join
        self._running = False
        self._limiter: CapacityLimiter | None = None

    async def versions(self) -> Versions:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests start several): nothing carries over
            self._loop, self._next, self._running = loop, None, False
            self._limiter = CapacityLimiter(1)
        if self._next is None:
            self._next = loop.create_future()
        waiting = self._next
        if not self._running:
            self._running = True
            loop.create_task(self._reads())
        return await asyncio.shield(waiting)

    async def _reads(self) -> None:
        """Run reads while someone waits: each read serves the callers that arrived before it began."""
        try:
            while self._next is not None:
                batch, self._next = self._next, None
                try:
                    found = await anyio.to_thread.run_sync(self._read, limiter=self._limiter)
                except BaseException as error:  # noqa: BLE001 — handed to the waiting requests
                    if not batch.done():
                        batch.set_exception(error if isinstance(error, Exception) else RuntimeError(str(error)))
                        batch.exception()  # retrieved: nobody may be waiting any more
                    if not isinstance(error, Exception):
                        raise
                else:
                    if not batch.done():
                        batch.set_result(found)
        finally:
            self._running = False
