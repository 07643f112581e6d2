"""Subscription jobs: expiry and the 7-day reminder happen once — run twice, interleaved, or on two workers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from core.clock import utcnow
from core.db import Database
from core.models import EmailOutbox, Notification, Subscription, User
from core.services import subscription_lifecycle as lifecycle
from jobs.schedule import JOBS
from jobs.subscriptions import expire_subscriptions, remind_expiring_subscriptions
from tests.concurrency import delete_history_free_children, run_concurrently
from tests.factories import make_user
from tests.factories_clubs import make_subscription


def _count(session, user_id: str, type_: str) -> int:
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user_id, Notification.type == type_))


def _setup(db, **sub):
    with db.transaction() as session:
        user = make_user(session)
        row = make_subscription(session, user, **sub)
        return user.id, row.id


def test_jobs_are_registered():
    names = {job.name for job in JOBS}
    assert {"expire_subscriptions", "remind_expiring_subscriptions"} <= names


def test_expired_subscription_is_marked_and_notified_once(db):
    now = utcnow()
    user_id, sub_id = _setup(db, expires_at=now - timedelta(minutes=1))
    keep_id = _setup(db, expires_at=now + timedelta(days=100))[1]
    assert expire_subscriptions(db, now=now) >= 1
    assert expire_subscriptions(db, now=now) == 0
    with db.transaction() as session:
        sub = session.get(Subscription, sub_id)
        assert (sub.status, sub.expired_at) == ("EXPIRED", now)
        assert session.get(Subscription, keep_id).status == "ACTIVE"
        assert _count(session, user_id, "SUBSCRIPTION_EXPIRED") == 1


def test_reminder_seven_days_before_once(db, settings):
    now = utcnow()
    soon_user, soon_id = _setup(db, expires_at=now + timedelta(days=5))
    later_user, _ = _setup(db, expires_at=now + timedelta(days=10))
    remind_expiring_subscriptions(db, settings=settings, now=now)
    remind_expiring_subscriptions(db, settings=settings, now=now + timedelta(hours=1))
    with db.transaction() as session:
        assert _count(session, soon_user, "SUBSCRIPTION_EXPIRING") == 1
        assert _count(session, later_user, "SUBSCRIPTION_EXPIRING") == 0
        assert session.get(Subscription, soon_id).reminder_sent_at == now
        email = session.get(User, soon_user).email
        assert session.scalar(select(func.count()).select_from(EmailOutbox).where(EmailOutbox.to_addr == email)) == 1


def test_interleaved_runs_notify_once(db, settings):
    """Run A lists its candidates, run B does all the work, then A acts on its stale list."""
    now = utcnow()
    user_id, sub_id = _setup(db, expires_at=now + timedelta(days=3))
    with db.transaction() as session:
        stale = lifecycle.due_for_reminder(session, now=now)
    assert sub_id in stale
    remind_expiring_subscriptions(db, settings=settings, now=now)
    with db.transaction() as session:
        assert lifecycle.remind_subscription(session, subscription_id=sub_id, now=now,
                                              timezone=settings.default_timezone) is False
        assert _count(session, user_id, "SUBSCRIPTION_EXPIRING") == 1
    exp_user, exp_id = _setup(db, expires_at=now - timedelta(seconds=1))
    with db.transaction() as session:
        stale = lifecycle.due_for_expiry(session, now=now)
    assert exp_id in stale
    expire_subscriptions(db, now=now)
    with db.transaction() as session:
        assert [i for i in stale if lifecycle.expire_subscription(session, subscription_id=i, now=now)] == []
        assert _count(session, exp_user, "SUBSCRIPTION_EXPIRED") == 1


@pytest.mark.postgres_only
def test_two_workers_at_once_notify_once(engine, settings):
    db = Database(engine)  # real commits: both workers see the same committed rows
    now = utcnow()
    made = [_setup(db, expires_at=now - timedelta(minutes=i + 1)) for i in range(10)]
    made += [_setup(db, expires_at=now + timedelta(days=2, minutes=i)) for i in range(10)]
    user_ids = [u for u, _ in made]

    def worker() -> None:
        expire_subscriptions(db, now=now)
        remind_expiring_subscriptions(db, settings=settings, now=now)

    try:
        errors = [r for r in run_concurrently([worker, worker]) if isinstance(r, BaseException)]
        assert not errors
        with db.transaction() as session:
            for user_id in user_ids[:10]:
                assert _count(session, user_id, "SUBSCRIPTION_EXPIRED") == 1
            for user_id in user_ids[10:]:
                assert _count(session, user_id, "SUBSCRIPTION_EXPIRING") == 1
            for user_id in user_ids:  # one email each too (expiry or reminder), not one per worker
                assert len(_emails(session, user_id)) == 1
    finally:
        with db.transaction() as session:
            emails = list(session.scalars(select(User.email).where(User.id.in_(user_ids))))
            session.execute(delete(EmailOutbox).where(EmailOutbox.to_addr.in_(emails)))
            session.execute(delete(Notification).where(Notification.user_id.in_(user_ids)))
            session.execute(delete(Subscription).where(Subscription.user_id.in_(user_ids)))
            delete_history_free_children(session, users=user_ids)
            session.execute(delete(User).where(User.id.in_(user_ids)))


def _emails(session, user_id: str) -> list[EmailOutbox]:
    email = session.get(User, user_id).email
    return list(session.scalars(select(EmailOutbox).where(EmailOutbox.to_addr == email)))


def test_expiry_also_emails_once_in_russian(db):
    now = utcnow()
    user_id, _ = _setup(db, expires_at=now - timedelta(minutes=1))
    expire_subscriptions(db, now=now)
    expire_subscriptions(db, now=now + timedelta(minutes=5))
    with db.transaction() as session:
        notes = session.scalars(select(Notification).where(Notification.user_id == user_id)).all()
        assert [(n.title, n.message) for n in notes] == [
            ("Подписка истекла", "Срок вашей подписки истёк. Продлите подписку, чтобы и дальше вести кружки.")]
        mails = _emails(session, user_id)
        assert len(mails) == 1 and mails[0].subject == "S7 Robotics: подписка истекла"
        assert "Срок вашей подписки истёк" in mails[0].body_text


def test_reminder_text_is_russian_with_the_local_expiry_date(db, settings):
    """20:00 UTC on 10 March is already 11 March in Almaty (UTC+5): the user sees the local date."""
    from datetime import UTC, datetime
    expires = datetime(2031, 3, 10, 20, 0, tzinfo=UTC)
    user_id, _ = _setup(db, expires_at=expires)
    remind_expiring_subscriptions(db, settings=settings, now=expires - timedelta(days=6))
    with db.transaction() as session:
        note = session.scalars(select(Notification).where(Notification.user_id == user_id)).one()
        assert note.title == "Подписка скоро истечёт"
        assert note.message == ("Ваша подписка истекает 11.03.2031. Продлите её, чтобы не потерять доступ "
                                "к созданию кружков.")
        assert [m.subject for m in _emails(session, user_id)] == ["S7 Robotics: подписка скоро истечёт"]


def test_renewed_user_gets_no_expiry_or_reminder_for_the_old_subscription(db, settings):
    """After a renewal the old row still expires (and is marked), but telling the user «истекла» or
    «скоро истечёт» would be false: a later ACTIVE subscription continues."""
    now = utcnow()
    with db.transaction() as session:
        user = make_user(session)
        old = make_subscription(session, user, expires_at=now + timedelta(days=3))
        make_subscription(session, user, expires_at=now + timedelta(days=368))
        user_id, old_id = user.id, old.id
    remind_expiring_subscriptions(db, settings=settings, now=now)
    expire_subscriptions(db, now=now + timedelta(days=4))
    with db.transaction() as session:
        sub = session.get(Subscription, old_id)
        assert sub.status == "EXPIRED" and sub.reminder_sent_at is not None  # handled, just silently
        assert _count(session, user_id, "SUBSCRIPTION_EXPIRING") == 0
        assert _count(session, user_id, "SUBSCRIPTION_EXPIRED") == 0
        assert _emails(session, user_id) == []
