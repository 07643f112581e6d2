"""Builders for certificate requests (the XP threshold hook creates them in production)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.models import CertificateRequest, User
from tests.factories import make_student


def make_certificate_request(session: Session, user: User | None = None, **overrides: Any) -> CertificateRequest:
    """A PENDING request for 100 XP (pass `threshold_xp` for a second one of the same user)."""
    user = user or make_student(session, full_name="Айгерим Нурланқызы")
    values: dict[str, Any] = {"user_id": user.id, "total_xp": 110, "threshold_xp": 100,
                              "task_description": "Пройдены уроки и тесты курса «Основы робототехники»",
                              "status": "PENDING", "created_at": utcnow()}
    values.update(overrides)
    req = CertificateRequest(**values)
    session.add(req)
    session.flush()
    return req
