"""The audit log: every state-changing admin/support action writes one row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.models import AuditEvent, User


def record(session: Session, *, actor: User | None, action: str, entity: str, entity_id: str | None,
           now: datetime, data: dict[str, Any] | None = None) -> AuditEvent:
    event = AuditEvent(actor_id=actor.id if actor else None, action=action, entity=entity,
                       entity_id=entity_id, data=data or {}, at=now)
    session.add(event)
    return event
