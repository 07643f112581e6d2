"""Every number is bounded at the edge and in the database; dates never overflow into a 500;
admin bodies take strict numbers and bounded texts (through real HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from core.models import Course
from tests.admin.helpers import ORIGIN, csrf_of, login
from tests.factories import token_for
from tests.factories_clubs import default_plan, make_subscription


def _plan_form(plan, **changes):  # type: ignore[no-untyped-def]
    data = {"title": plan.title, "price": str(plan.price), "duration_days": str(plan.duration_days),
            "max_kruzhoks": str(plan.max_kruzhoks), "max_classes_per_kruzhok": str(plan.max_classes_per_kruzhok),
            "max_students_per_class": str(plan.max_students_per_class), "is_active": "y", "save": "Save"}
    return {**data, **changes}


@pytest.mark.parametrize("field", ["duration_days", "price", "max_students_per_class"])
def test_the_back_office_refuses_a_plan_with_a_huge_number(client, make, session, field):
    plan = default_plan(session, "MONTHLY_SUBSCRIPTION")
    before = getattr(plan, field)
    login(client, make.admin())
    r = client.post(f"/admin/subscription-plan/edit/{plan.id}", headers=ORIGIN, follow_redirects=True,
                    data={"csrf_token": csrf_of(client), **_plan_form(plan, **{field: "10000000000"})})
    assert r.status_code == 400 and "не больше" in r.text
    session.expire_all()
    assert getattr(default_plan(session, "MONTHLY_SUBSCRIPTION"), field) == before


def test_the_database_refuses_a_plan_duration_past_ten_years(session):
    plan = default_plan(session, "MONTHLY_SUBSCRIPTION")
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(text("UPDATE subscription_plans SET duration_days = 10000000 WHERE id = :id"),
                        {"id": plan.id})
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Course(title="Дорогой курс", price=10**9, is_free=False))
        session.flush()


def test_approving_a_renewal_past_year_9999_is_a_russian_422_not_a_500(app, client, make, session):
    user = make.student()
    make_subscription(session, user, expires_at=datetime(9999, 12, 1, tzinfo=UTC))
    pending = make_subscription(session, user, status="PENDING")
    r = client.post(f"/api/subscriptions/{pending.id}/approve", json={}, headers=token_for(app, make.admin()))
    assert r.status_code == 422, r.text
    assert "Срок действия" in r.json()["error"]["message"]


@pytest.mark.parametrize("price", ["5", True, 5.5, 10**8])
def test_admin_course_prices_are_strict_bounded_numbers(app, client, make, price):
    r = client.post("/api/admin-courses", headers=token_for(app, make.admin()),
                    json={"title": "Курс", "isFree": False, "price": price})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["fields"][0]["field"] == "price"


def test_texts_in_admin_bodies_are_bounded(app, client, make):
    r = client.post("/api/admin-courses", headers=token_for(app, make.admin()),
                    json={"title": "Курс", "description": "д" * 900_000})
    assert r.status_code in (413, 422), r.text
    r = client.post("/api/admin-courses", headers=token_for(app, make.admin()),
                    json={"title": "Курс", "description": "д" * 20_001})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "description"


def test_a_bool_is_not_a_number_and_a_number_is_not_a_bool(app, client, make):
    r = client.post("/api/admin-courses", headers=token_for(app, make.admin()),
                    json={"title": "Курс", "isPublished": 1})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "isPublished"
