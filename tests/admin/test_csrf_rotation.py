"""The pre-login CSRF token does not survive login (issue 12 item 13): a token planted or read before
login cannot be used for the logged-in session."""

from __future__ import annotations

import re

from tests.admin.helpers import ORIGIN, block_form, csrf_of, login


def _login_page_token(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/admin/login")
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert match
    return match.group(1)


def test_login_rotates_the_csrf_token(client, make, session):
    admin, target = make.admin(), make.student(full_name="Было")
    before = _login_page_token(client)
    assert login(client, admin).status_code == 302
    after = csrf_of(client)
    assert after and after != before

    stale = client.post("/admin/user/form-action/block", data=block_form(target.id, before), headers=ORIGIN,
                        follow_redirects=False)
    assert stale.status_code == 403
    session.refresh(target)
    assert not target.is_blocked

    fresh = client.post("/admin/user/form-action/block", data=block_form(target.id, after), headers=ORIGIN,
                        follow_redirects=False)
    assert fresh.status_code in (302, 303)
    session.refresh(target)
    assert target.is_blocked
