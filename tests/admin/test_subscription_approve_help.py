"""The approve dialog states the limits of the request's own plan, not constants."""

from __future__ import annotations

import secrets

from core.clock import utcnow
from core.services import subscriptions
from tests.admin.helpers import login
from tests.factories_clubs import default_plan


def test_approve_help_reads_the_plan_of_the_request(client, make, session):
    plan = default_plan(session)
    plan.max_kruzhoks, plan.max_classes_per_kruzhok, plan.max_students_per_class = 4, 7, 45
    session.flush()
    sub = subscriptions.request_subscription(session, actor=make.student(), type=plan.code,
                                             payment_comment=f"{secrets.randbelow(10**8):08d}", now=utcnow())
    login(client, make.admin())
    page = client.get(f"/admin/subscription/details/{sub.id}").text
    for value in (4, 7, 45):
        assert f"Пусто — как в тарифе заявки (по умолчанию {value})" in page
    assert "(по умолчанию 30)" not in page
