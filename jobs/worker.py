"""The worker loop: run every due job; a failing job is logged and retried next round."""

from __future__ import annotations

import logging
import time

from core.clock import utcnow
from core.db import Database
from core.settings import Settings
from core.storage import Storage
from jobs.schedule import JOBS

log = logging.getLogger("s7.worker")


def run_once(db: Database, *, settings: Settings, storage: Storage | None = None,
             only: str | None = None) -> dict[str, int]:
    results: dict[str, int] = {}
    for job in JOBS:
        if only and job.name != only:
            continue
        try:
            results[job.name] = job.run(db, settings=settings, now=utcnow(), storage=storage)
        except Exception:  # noqa: BLE001 - one broken job must not stop the others
            log.exception("job %s failed", job.name)
            results[job.name] = -1
    return results


def run_forever(db: Database, *, settings: Settings, storage: Storage | None = None, tick: float = 5.0) -> None:
    last: dict[str, float] = {}
    while True:
        moment = time.monotonic()
        for job in JOBS:
            if moment - last.get(job.name, -1e9) >= job.every_seconds:
                last[job.name] = moment
                try:
                    count = job.run(db, settings=settings, now=utcnow(), storage=storage)
                    if count:
                        log.info("job %s: %s", job.name, count)
                except Exception:  # noqa: BLE001
                    log.exception("job %s failed", job.name)
        time.sleep(tick)
