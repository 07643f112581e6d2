"""The media doctor's scan results kept: each scan stores its summary; the back-office home reads the
last one (one indexed row) instead of scanning every media reference per page view."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditAction, MediaScanResult, User
from core.services import audit
from core.services.media_doctor import Report
from core.services.permissions import require_staff


def record_scan(session: Session, report: Report, *, actor: User | None, now: datetime) -> MediaScanResult:
    """Store a finished scan's counts (audited: who ran it and what it found)."""
    require_staff(actor)
    problems = len(report.problems())
    total = sum(report.counts.values())
    result = MediaScanResult(scanned_at=now, total=total, problems=problems, counts=dict(report.counts),
                             actor_id=actor.id if actor else None)
    session.add(result)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.MEDIA_SCAN, entity="media", entity_id=result.id,
                 now=now, data={"total": total, "problems": problems})
    return result


def last_scan(session: Session) -> MediaScanResult | None:
    return session.scalars(select(MediaScanResult).order_by(MediaScanResult.scanned_at.desc()).limit(1)).first()
