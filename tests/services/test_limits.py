"""Effective limits: over ACTIVE unexpired subscriptions, clubs summed, the other two maxima."""

from datetime import timedelta

import pytest

from core.clock import utcnow
from core.errors import Forbidden, LimitExceeded
from core.services import clubs, limits


def test_no_subscription_means_no_limits(session, make):
    got = limits.effective_limits(session, make.student().id, now=utcnow())
    assert got == limits.Limits(active=False, max_kruzhoks=0, max_classes_per_kruzhok=0, max_students_per_class=0)


def test_clubs_summed_other_limits_maxed(session, make):
    user, now = make.student(), utcnow()
    make.subscription(user, max_kruzhoks=1, max_classes_per_kruzhok=2, max_students_per_class=30)
    make.subscription(user, max_kruzhoks=2, max_classes_per_kruzhok=5, max_students_per_class=10)
    make.subscription(user, status="EXPIRED", max_kruzhoks=10)
    make.subscription(user, status="PENDING", max_kruzhoks=10)
    make.subscription(user, status="REJECTED", max_kruzhoks=10)
    got = limits.effective_limits(session, user.id, now=now)
    assert (got.max_kruzhoks, got.max_classes_per_kruzhok, got.max_students_per_class) == (3, 5, 30)


def test_past_expiry_counts_at_once(session, make):
    user, now = make.student(), utcnow()
    make.subscription(user, expires_at=now + timedelta(seconds=5))
    assert limits.effective_limits(session, user.id, now=now).active
    assert not limits.effective_limits(session, user.id, now=now + timedelta(seconds=5)).active
    assert not limits.is_mentor(session, user, now=now + timedelta(seconds=6))


def test_is_mentor_by_subscription_or_assignment(session, make):
    now = utcnow()
    assert limits.is_mentor(session, make.mentor_user(), now=now)
    assigned = make.student()
    make.mentor(make.club(), assigned)
    assert limits.is_mentor(session, assigned, now=now)
    assert not limits.is_mentor(session, make.student(), now=now)
    assert not limits.is_mentor(session, None, now=now)


def test_limit_exceeded_carries_the_upgrade_offer(session, make):
    owner = make.mentor_user()
    clubs.create_club(session, actor=owner, title="Первый", now=utcnow(), default_timezone="Asia/Almaty")
    with pytest.raises(LimitExceeded) as err:
        clubs.create_club(session, actor=owner, title="Второй", now=utcnow(), default_timezone="Asia/Almaty")
    error = err.value
    assert error.http_status == 403 and error.code == "limit_exceeded"
    assert error.message == "Вы достигли лимита кружков. Обновите подписку для увеличения лимита."
    assert error.details["limit"] == "maxKruzhoks" and error.details["current"] == 1 and error.details["max"] == 1
    codes = {p["code"] for p in error.details["upgrade"]["plans"]}
    assert {"ONETIME_PURCHASE", "MONTHLY_SUBSCRIPTION"} <= codes
    plan = next(p for p in error.details["upgrade"]["plans"] if p["code"] == "ONETIME_PURCHASE")
    assert set(plan) >= {"code", "title", "price", "currency", "durationDays", "limits"}


def test_without_subscription_create_club_is_subscription_required(session, make):
    with pytest.raises(Forbidden) as err:
        clubs.create_club(session, actor=make.student(), title="Кружок", now=utcnow(), default_timezone="Asia/Almaty")
    assert err.value.code == "subscription_required"
