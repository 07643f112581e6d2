"""The email outbox: emails are rows written in the caller's transaction; a job sends them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.models import EmailOutbox, EmailStatus


def enqueue_email(session: Session, *, to: str, subject: str, body_text: str, now: datetime,
                  body_html: str | None = None, attachment_key: str | None = None,
                  attachment_name: str | None = None) -> EmailOutbox:
    mail = EmailOutbox(to_addr=to, subject=subject, body_text=body_text, body_html=body_html,
                       attachment_key=attachment_key, attachment_name=attachment_name,
                       status=EmailStatus.PENDING, next_attempt_at=now, created_at=now)
    session.add(mail)
    return mail
