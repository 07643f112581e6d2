"""The email outbox job against a real SMTP server on loopback: delivery, retries, nothing lost."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from core.db import Database
from core.models import EmailOutbox
from core.services.outbox import enqueue_email
from jobs.email_outbox import backoff, send_outbox
from tests.concurrency import run_concurrently
from tests.net import free_port
from tests.smtp import SmtpSink

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SUBJECT = "Ваш сертификат готов — S7 Robotics"
BODY = "Здравствуйте, Айгерим!\nСертификат «Основы робототехники» выдан. Ёлки-палки: ӘҒҚҢӨҰҮҺІ."


def _enqueue(db: Database, *, to: str = "aigerim@example.kz", subject: str = SUBJECT, now: datetime = NOW) -> str:
    with db.transaction() as session:
        mail = enqueue_email(session, to=to, subject=subject, body_text=BODY, now=now,
                             body_html="<p>Здравствуйте, <b>Айгерим</b>!</p>")
        session.flush()
        return mail.id


def _row(db: Database, mail_id: str) -> EmailOutbox:
    with db.transaction() as session:
        return session.get(EmailOutbox, mail_id)


def _with(settings, **changes):  # type: ignore[no-untyped-def]
    return settings.model_copy(update=changes)


def test_enqueued_email_is_delivered_with_cyrillic_intact(db, settings, smtp):
    mail_id = _enqueue(db)
    assert send_outbox(db, settings=_with(settings, smtp_url=smtp.url), now=NOW) == 1
    [message] = smtp.messages
    assert message["Subject"] == SUBJECT
    assert message["To"] == "aigerim@example.kz"
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == BODY
    assert "<b>Айгерим</b>" in message.get_body(preferencelist=("html",)).get_content()
    row = _row(db, mail_id)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("SENT", 1, NOW, None)


def test_smtp_down_then_up_loses_nothing_and_sends_once(db, settings):
    port = free_port()  # nothing listens here yet
    conf = _with(settings, smtp_url=f"smtp://127.0.0.1:{port}")
    mail_id = _enqueue(db)

    assert send_outbox(db, settings=conf, now=NOW) == 0
    row = _row(db, mail_id)
    assert (row.status, row.attempts) == ("PENDING", 1)
    assert row.last_error and "Connection" in row.last_error
    assert row.next_attempt_at == NOW + backoff(1) > NOW

    early = NOW + backoff(1) - timedelta(seconds=1)
    assert send_outbox(db, settings=conf, now=early) == 0
    assert _row(db, mail_id).attempts == 1  # not due: not even tried

    sink = SmtpSink(port).start()
    try:
        later = NOW + backoff(1) + timedelta(seconds=1)
        assert send_outbox(db, settings=conf, now=later) == 1
        assert send_outbox(db, settings=conf, now=later + timedelta(hours=1)) == 0
    finally:
        sink.stop()
    assert sink.subjects() == [SUBJECT]
    row = _row(db, mail_id)
    assert (row.status, row.attempts, row.sent_at) == ("SENT", 2, later)


def test_backoff_grows_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30) == timedelta(hours=1)


def test_after_max_attempts_the_email_is_failed_and_left_alone(db, settings):
    conf = _with(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}", email_max_attempts=3)
    mail_id = _enqueue(db)
    now = NOW
    for attempt in (1, 2, 3):
        send_outbox(db, settings=conf, now=now)
        row = _row(db, mail_id)
        assert row.attempts == attempt
        now = row.next_attempt_at + timedelta(seconds=1)
    assert row.status == "FAILED"
    assert send_outbox(db, settings=conf, now=now + timedelta(days=1)) == 0
    assert _row(db, mail_id).attempts == 3


def test_without_smtp_url_emails_go_to_the_log_when_email_to_log_says_so(db, settings, caplog):
    mail_id = _enqueue(db)
    with caplog.at_level(logging.INFO, logger="s7.jobs.email"):
        assert send_outbox(db, settings=_with(settings, smtp_url="", email_to_log=True), now=NOW) == 1
    row = _row(db, mail_id)
    assert (row.status, row.sent_at) == ("SENT_TO_LOG", NOW)
    assert SUBJECT in caplog.text and "aigerim@example.kz" in caplog.text


def test_without_smtp_url_and_email_to_log_emails_wait_for_smtp(db, settings, smtp):
    mail_id = _enqueue(db)
    assert send_outbox(db, settings=_with(settings, smtp_url="", email_to_log=False), now=NOW) == 0
    row = _row(db, mail_id)
    assert (row.status, row.sent_at, row.attempts) == ("PENDING", None, 0)
    # configured later: the same email goes out for real
    assert send_outbox(db, settings=_with(settings, smtp_url=smtp.url), now=NOW) == 1
    assert _row(db, mail_id).status == "SENT"


def test_one_bad_email_does_not_hold_up_the_others(db, settings, smtp):
    bad = _enqueue(db, to="reject-me@example.kz")
    good = _enqueue(db, to="good@example.kz", now=NOW + timedelta(seconds=1))
    send_outbox(db, settings=_with(settings, smtp_url=smtp.url), now=NOW + timedelta(seconds=2))
    assert _row(db, good).status == "SENT"
    assert [str(m["To"]) for m in smtp.messages] == ["good@example.kz"]
    row = _row(db, bad)
    assert (row.status, row.attempts) == ("PENDING", 1)
    assert "550" in row.last_error


def test_emails_not_yet_due_wait(db, settings, smtp):
    mail_id = _enqueue(db, now=NOW + timedelta(minutes=5))
    assert send_outbox(db, settings=_with(settings, smtp_url=smtp.url), now=NOW) == 0
    assert _row(db, mail_id).status == "PENDING"
    assert smtp.messages == []


# --- two workers at once on committed rows (needs real row locks: PostgreSQL) ------------------------



@pytest.mark.postgres_only
def test_two_workers_deliver_each_email_exactly_once(engine, settings):
    db = Database(engine)  # real commits, not the rolled-back test transaction
    sink = SmtpSink(delay=0.02).start()
    marker = uuid.uuid4().hex[:8]
    subjects = [f"Письмо {marker} №{i}" for i in range(20)]
    ids = [_enqueue(db, to=f"u{i}@example.kz", subject=s) for i, s in enumerate(subjects)]
    conf = _with(settings, smtp_url=sink.url)

    def worker() -> int:
        return send_outbox(db, settings=conf, now=NOW + timedelta(seconds=1))

    try:
        counts = run_concurrently([worker, worker])
        errors = [c for c in counts if isinstance(c, BaseException)]
        assert not errors
        mine = sorted(s for s in sink.subjects() if marker in s)
        assert mine == sorted(subjects)  # every one arrived, none twice
        assert sum(counts) >= len(subjects)
        assert all(c > 0 for c in counts), counts  # both workers really took part
        with db.transaction() as session:
            statuses = session.scalars(select(EmailOutbox.status).where(EmailOutbox.id.in_(ids))).all()
        assert statuses == ["SENT"] * len(ids)
    finally:
        sink.stop()
        with db.transaction() as session:
            session.execute(delete(EmailOutbox).where(EmailOutbox.id.in_(ids)))
