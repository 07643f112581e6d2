"""Back-office sessions are server-side: logout, a password change and the maximum ages end every
copy of the cookie, through real HTTP."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from starlette.testclient import TestClient

from core.clock import utcnow
from core.models import AdminSession
from tests.admin.helpers import login
from tests.factories import PASSWORD, token_for


def _copy(app, client: TestClient) -> TestClient:  # type: ignore[no-untyped-def]
    """A second browser holding a copy of the client's admin cookie."""
    thief = TestClient(app)
    thief.cookies.set("s7_admin", client.cookies["s7_admin"], path="/admin")
    return thief


def _opens_user_list(c: TestClient) -> bool:
    return c.get("/admin/user/list", follow_redirects=False).status_code == 200


def test_a_cookie_copied_before_logout_no_longer_opens_the_back_office(app, client, make):
    assert login(client, make.admin()).status_code == 302
    with _copy(app, client) as copy:
        assert _opens_user_list(copy)
        assert client.get("/admin/logout", follow_redirects=False).status_code == 302
        assert not _opens_user_list(copy)


def test_a_password_change_ends_every_session_and_token_but_returns_a_new_token(app, client, make):
    admin = make.admin()
    old_token = token_for(app, admin)
    assert login(client, admin).status_code == 302
    with _copy(app, client) as copy:
        r = client.post("/api/auth/change-password", headers=old_token,
                        json={"currentPassword": PASSWORD, "newPassword": "brand-new-secret-7"})
        assert r.status_code == 200, r.text
        assert not _opens_user_list(copy)
        assert not _opens_user_list(client)
    assert client.get("/api/me", headers=old_token).status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Bearer {r.json()['token']}"}).status_code == 200
    assert login(client, admin).status_code != 302  # the old password is gone
    assert login(client, admin, password="brand-new-secret-7").status_code == 302


def test_change_password_needs_the_current_one(app, client, make):
    user = make.student()
    r = client.post("/api/auth/change-password", headers=token_for(app, user),
                    json={"currentPassword": "not-my-password", "newPassword": "brand-new-secret-7"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "wrong_password"
    assert client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 200


def test_a_session_past_its_absolute_age_ends_however_active(client, make, session):
    admin = make.admin()
    assert login(client, admin).status_code == 302
    assert _opens_user_list(client)
    row = session.scalar(select(AdminSession).where(AdminSession.user_id == admin.id))
    row.expires_at = utcnow() - timedelta(seconds=1)  # created 12 h ago, used every minute since
    session.flush()
    assert not _opens_user_list(client)


def test_an_idle_session_ends(client, make, session):
    admin = make.admin()
    assert login(client, admin).status_code == 302
    row = session.scalar(select(AdminSession).where(AdminSession.user_id == admin.id))
    row.last_seen_at = utcnow() - timedelta(hours=9)
    session.flush()
    assert not _opens_user_list(client)
