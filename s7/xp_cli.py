"""`s7 xp backfill-certificate-requests`: create the certificate requests missing for users who
crossed an XP threshold before the threshold hook existed. Idempotent; run by the release step."""

from __future__ import annotations

import argparse
from typing import Any

from core.clock import utcnow
from core.db import Database
from core.services import xp_thresholds
from core.settings import get_settings

BATCH = 500


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("xp", help="XP maintenance")
    xp_sub = p.add_subparsers(dest="xp_command", required=True)
    b = xp_sub.add_parser("backfill-certificate-requests",
                          help="create missing certificate requests for users already over a threshold")
    b.set_defaults(func=cmd_backfill)


def backfill(db: Database, *, thresholds: list[int]) -> int:
    """Small transactions of at most BATCH requests each, until nothing is missing."""
    total = 0
    while True:
        with db.transaction() as session:
            created = xp_thresholds.backfill_requests(session, thresholds=thresholds, now=utcnow(), limit=BATCH)
        total += created
        if created < BATCH:
            return total


def cmd_backfill(_args: argparse.Namespace) -> int:
    settings = get_settings()
    db = Database.from_url(settings.database_url)
    try:
        created = backfill(db, thresholds=settings.xp_thresholds)
    finally:
        db.engine.dispose()
    print(f"Создано запросов на сертификат: {created}")
    return 0
