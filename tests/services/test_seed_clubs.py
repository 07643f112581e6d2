"""The demo seed step gives the demo mentor one ACTIVE subscription, idempotently."""

from sqlalchemy import func, select

from core.clock import utcnow
from core.models import Subscription
from core.services import limits
from s7.seed_clubs import seed_clubs


def test_seed_gives_the_mentor_one_active_subscription(session, make):
    mentor, admin = make.student(), make.admin()
    for _ in range(2):
        summary = seed_clubs(session, users={"mentor": mentor, "admin": admin, "students": []}, now=utcnow(),
                             settings=None)
    assert summary["mentorSubscription"]["expiresAt"]
    assert session.scalar(select(func.count()).select_from(Subscription)
                          .where(Subscription.user_id == mentor.id)) == 1
    assert limits.is_mentor(session, mentor, now=utcnow())
