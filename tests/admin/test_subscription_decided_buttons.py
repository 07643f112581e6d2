"""A decided request's details page offers no Одобрить / Отклонить (the service would answer 409)."""

from __future__ import annotations

import pytest

from tests.admin.helpers import login


@pytest.mark.parametrize("status", ["ACTIVE", "REJECTED", "EXPIRED"])
def test_decided_request_has_no_decision_buttons(client, make, status):  # type: ignore[no-untyped-def]
    sub = make.subscription(make.student(), status=status)
    login(client, make.admin())
    page = client.get(f"/admin/subscription/details/{sub.id}")
    assert page.status_code == 200
    assert 'data-s7-open="modal-approve"' not in page.text
    assert 'data-s7-open="modal-reject"' not in page.text


def test_pending_request_has_both_buttons(client, make):  # type: ignore[no-untyped-def]
    sub = make.subscription(make.student(), status="PENDING")
    login(client, make.admin())
    page = client.get(f"/admin/subscription/details/{sub.id}").text
    assert 'data-s7-open="modal-approve"' in page and 'data-s7-open="modal-reject"' in page
