"""Wire shapes that two places produce must agree: the upgrade offer inside an error's details is
written by core (errors have no response model), GET /api/plans by the API's response model."""

from tests.factories import token_for


def test_upgrade_offer_lists_plans_exactly_as_get_plans(app, client, make):
    r = client.post("/api/kruzhok", headers=token_for(app, make.student()), json={"title": "Мой кружок"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "subscription_required"
    offered = r.json()["error"]["details"]["upgrade"]["plans"]
    listed = client.get("/api/plans").json()["items"]
    # /api/plans adds each plan's payment instructions (settings); the plans themselves are the same.
    assert all(item.pop("payment")["amount"] == item["price"] for item in listed)
    assert offered and offered == listed
