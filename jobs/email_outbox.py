"""Send the email outbox over SMTP with retries and exponential backoff; nothing is lost."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from core import mailer
from core.db import Database
from core.models import EmailOutbox, EmailStatus
from core.settings import Settings
from core.storage import Storage

log = logging.getLogger("s7.jobs.email")


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _attachment(storage: Storage | None, mail: EmailOutbox) -> tuple[str, bytes, str] | None:
    if not mail.attachment_key or storage is None:
        return None
    return (mail.attachment_name or mail.attachment_key, storage.read_bytes(mail.attachment_key, private=True),
            "application/pdf")


def send_outbox(db: Database, *, settings: Settings, now: datetime, storage: Storage | None = None,
                batch: int = 50) -> int:
    """Deliver due emails one row per transaction (claimed with SKIP LOCKED); returns how many went out.

    Without SMTP_URL, emails go to the log only when EMAIL_TO_LOG says so; otherwise they stay
    PENDING, to be sent once SMTP is configured (the worker warns at start)."""
    delivered = 0
    if not settings.smtp_url and not settings.email_to_log:
        return 0
    for _ in range(batch):
        with db.transaction() as session:
            mail = session.scalars(
                select(EmailOutbox)
                .where(EmailOutbox.status == EmailStatus.PENDING, EmailOutbox.next_attempt_at <= now)
                .order_by(EmailOutbox.next_attempt_at, EmailOutbox.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if mail is None:
                break
            if not settings.smtp_url:
                log.info("email to %s: %s\n%s", mail.to_addr, mail.subject, mail.body_text)
                mail.status, mail.sent_at = EmailStatus.SENT_TO_LOG, now
                delivered += 1
                continue
            try:
                message = mailer.build_message(sender=settings.mail_from, to=mail.to_addr, subject=mail.subject,
                                               text=mail.body_text, html=mail.body_html,
                                               attachment=_attachment(storage, mail))
                mailer.send(settings.smtp_url, message)
            except Exception as exc:  # noqa: BLE001 - any delivery failure is retried later
                mail.attempts += 1
                mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                mail.next_attempt_at = now + backoff(mail.attempts)
                if mail.attempts >= settings.email_max_attempts:
                    mail.status = EmailStatus.FAILED
                log.warning("email %s to %s failed (attempt %s): %s", mail.id, mail.to_addr, mail.attempts, exc)
            else:
                mail.attempts += 1
                mail.status, mail.sent_at, mail.last_error = EmailStatus.SENT, now, None
                delivered += 1
    return delivered
