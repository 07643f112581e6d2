"""WTForms' own validation messages in back-office forms are Russian."""

from core.models import SubscriptionPlan
from tests.admin.helpers import ORIGIN, csrf_of, login


def test_a_non_number_and_an_empty_required_field_get_russian_messages(client, make, session):
    plan = make.plan(price=500)
    login(client, make.admin())
    data = {"csrf_token": csrf_of(client), "title": "", "price": "abc", "duration_days": "30",
            "max_kruzhoks": "1", "max_classes_per_kruzhok": "2", "max_students_per_class": "30"}
    r = client.post(f"/admin/subscription-plan/edit/{plan.id}", data=data, headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 400
    assert "Not a valid integer value" not in r.text and "This field is required" not in r.text
    assert "Недопустимое целое число" in r.text or "целое" in r.text
    session.expire_all()
    assert session.get(SubscriptionPlan, plan.id).price == 500
