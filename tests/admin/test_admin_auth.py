"""Back-office login: who may enter, what the session cookie looks like, what SUPPORT may do."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from core.models import AuditEvent, User
from tests.admin.helpers import ORIGIN, block_form, csrf_of, login, model_views
from tests.factories import token_for


def _set_cookie(response) -> str:  # type: ignore[no-untyped-def]
    return "; ".join(v for k, v in response.headers.multi_items() if k == "set-cookie" and "s7_admin=" in v)


@pytest.mark.parametrize("role", ["admin", "support"])
def test_admin_and_support_can_log_in(client, make, role):
    user = getattr(make, role)()
    r = login(client, user)
    assert r.status_code == 302
    assert r.headers["location"].endswith("/admin/")
    assert client.get("/admin/user/list").status_code == 200


def test_plain_user_is_refused_in_russian(client, make):
    r = login(client, make.student())
    assert r.status_code == 400
    assert "только администраторам" in r.text
    assert "Invalid credentials" not in r.text
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302


def test_wrong_password_is_refused_in_russian(client, make):
    r = login(client, make.admin(), password="wrong-password")
    assert r.status_code == 400
    assert "Неверный email или пароль" in r.text
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302


def test_unknown_email_is_refused(client):
    r = client.post("/admin/login", data={"username": "nobody@example.kz", "password": "whatever-1"},
                    headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 400
    assert "Неверный email или пароль" in r.text


def test_blocked_admin_is_refused(client, make):
    r = login(client, make.admin(is_blocked=True, blocked_reason="Уволен"))
    assert r.status_code == 400
    assert "заблокирована" in r.text


def test_login_with_foreign_origin_is_refused(client, make):
    r = client.post("/admin/login", data={"username": make.admin().email, "password": "correct-horse-1"},
                    headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302  # not logged in


def test_session_cookie_is_httponly_strict_and_scoped_to_admin(client, make):
    cookie = _set_cookie(login(client, make.admin())).lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/admin" in cookie
    assert "secure" not in cookie  # plain-HTTP default; see the next test


def test_session_cookie_is_secure_behind_https(settings, db, make):
    from s7.app import create_app

    app = create_app(settings.model_copy(update={"https_only_cookies": True}), db=db)
    with TestClient(app, base_url="https://testserver") as c:
        r = c.post("/admin/login", data={"username": make.admin().email, "password": "correct-horse-1"},
                   headers={"Origin": "https://testserver"}, follow_redirects=False)
    assert r.status_code == 302
    assert "secure" in _set_cookie(r).lower()


def test_logout_everywhere_ends_the_admin_session(app, client, make):
    admin = make.admin()
    assert login(client, admin).status_code == 302
    assert client.get("/admin/user/list").status_code == 200
    assert client.post("/api/auth/logout-all", headers=token_for(app, admin)).status_code == 200
    r = client.get("/admin/user/list", follow_redirects=False)
    assert r.status_code == 302
    assert "/admin/login" in r.headers["location"]


def test_blocking_a_staff_member_ends_their_session(client, make, session):
    support = make.support()
    assert login(client, support).status_code == 302
    support.is_blocked = True
    session.flush()
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302


def test_support_sees_every_list_and_detail(client, make):
    support = make.support()
    login(client, support)
    for view in model_views():
        assert client.get(f"/admin/{view.identity}/list").status_code == 200, view.identity
    assert client.get(f"/admin/user/details/{support.id}").status_code == 200


def test_support_gets_403_on_create_edit_and_delete(client, make, session):
    target = make.student(full_name="Было")
    login(client, make.support())
    token = csrf_of(client)
    headers = {**ORIGIN, "X-CSRF-Token": token}
    for view in model_views():
        if view.can_create:
            assert client.get(f"/admin/{view.identity}/create").status_code == 403, view.identity
            assert client.post(f"/admin/{view.identity}/create", data={"csrf_token": token},
                               headers=ORIGIN).status_code == 403, view.identity
        if view.can_delete:
            assert client.delete(f"/admin/{view.identity}/delete?pks=x", headers=headers).status_code == 403
    assert client.get(f"/admin/user/edit/{target.id}").status_code == 403
    r = client.post(f"/admin/user/edit/{target.id}", data={"csrf_token": token, "full_name": "Стало",
                                                          "role": "ADMIN"}, headers=ORIGIN)
    assert r.status_code == 403
    session.expire_all()
    assert (target.full_name, target.role) == ("Было", "USER")


def test_support_cannot_block(client, make, session):
    target = make.student()
    login(client, make.support())
    token = csrf_of(client)
    assert client.get(f"/admin/user/action/block?pks={target.id}").status_code == 403
    r = client.post("/admin/user/form-action/block", data=block_form(target.id, token), headers=ORIGIN,
                    follow_redirects=False)
    assert r.status_code == 403
    session.expire_all()
    assert session.get(User, target.id).is_blocked is False
    assert session.query(AuditEvent).filter_by(entity_id=target.id).count() == 0


def test_support_does_not_see_the_block_button(client, make):
    target = make.student()
    login(client, make.support())
    page = client.get(f"/admin/user/details/{target.id}").text
    assert 'data-s7-open="modal-block"' not in page


def test_admin_sees_the_block_dialog_on_the_details_page(client, make):
    target = make.student()
    login(client, make.admin())
    page = client.get(f"/admin/user/details/{target.id}")
    assert page.status_code == 200
    assert 'data-s7-open="modal-block"' in page.text
    assert 'id="modal-block"' in page.text
    assert 'name="csrf_token"' in page.text


def test_logout_ends_the_session_and_shows_the_login_form(client, make):
    assert login(client, make.admin()).status_code == 302
    assert client.get("/admin/user/list").status_code == 200
    r = client.get("/admin/logout", follow_redirects=False)
    assert r.status_code == 302
    r = client.get("/admin/user/list", follow_redirects=False)
    assert r.status_code == 302 and "/admin/login" in r.headers["location"]
    page = client.get("/admin/login")
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text
    assert "Пароль" in page.text
