"""Register, login, tokens, logout-all, /api/me through real HTTP."""

from tests.factories import PASSWORD, token_for


def test_register_then_login_then_me(client):
    r = client.post("/api/auth/register", json={"email": "New.User@Example.kz", "password": "secret-pass",
                                                "fullName": "Айгерим Нурланова"})
    assert r.status_code == 201
    assert r.json()["user"]["email"] == "new.user@example.kz"
    r = client.post("/api/auth/login", json={"email": "new.user@example.kz", "password": "secret-pass"})
    assert r.status_code == 200
    me = client.get("/api/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.status_code == 200
    assert me.json()["fullName"] == "Айгерим Нурланова"
    assert me.json()["role"] == "USER"


def test_duplicate_email_is_a_conflict(client, make):
    user = make.student()
    r = client.post("/api/auth/register", json={"email": user.email.upper(), "password": "secret-pass",
                                                "fullName": "Кто-то"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "email_taken"


def test_short_password_is_refused_in_russian(client):
    r = client.post("/api/auth/register", json={"email": "a@b.kz", "password": "123", "fullName": "А"})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["fields"][0]["field"] == "password"
    assert "8" in r.json()["error"]["message"]


def test_wrong_password_is_401(client, make):
    user = make.student()
    r = client.post("/api/auth/login", json={"email": user.email, "password": "wrong-password"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_credentials"


def test_sixth_failed_login_within_15_minutes_is_rate_limited(client, make):
    user = make.student()
    for _ in range(5):
        assert client.post("/api/auth/login", json={"email": user.email, "password": "nope-nope"}).status_code == 401
    r = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    assert r.json()["error"]["code"] == "rate_limited"


def test_no_token_bad_token_and_expired_signature_are_401(app, client, make):
    from core.services.auth import TokenSigner

    user = make.student()
    assert client.get("/api/me").status_code == 401
    forged = TokenSigner("another-secret", 3600).issue(user)
    expired = _token_issued_days_ago(app, user, 31)
    assert client.get("/api/me", headers=_token_issued_days_ago(app, user, 1)).status_code == 200  # control
    for headers in ({"Authorization": "Bearer not-a-token"}, {"Authorization": f"Bearer {forged}"}, expired):
        r = client.get("/api/me", headers=headers)
        assert r.status_code == 401, headers
        assert r.json()["error"]["code"] == "invalid_token"


def test_logout_all_revokes_every_token(app, client, make):
    user = make.student()
    first, second = token_for(app, user), token_for(app, user)
    assert client.post("/api/auth/logout-all", headers=first).status_code == 200
    assert client.get("/api/me", headers=second).status_code == 401


def test_token_expires(app, client, make):
    from core.services.auth import TokenSigner

    user = make.student()
    signer = app.state.signer
    app.state.signer = TokenSigner(signer.secret_key, -1)
    try:
        headers = token_for(app, user)
        assert client.get("/api/me", headers=headers).status_code == 401
    finally:
        app.state.signer = signer


def _token_issued_days_ago(app, user, days: float) -> dict[str, str]:  # type: ignore[no-untyped-def]
    import time
    from unittest import mock

    signer = app.state.signer
    with mock.patch("itsdangerous.timed.time.time", return_value=time.time() - days * 86400):
        token = signer.issue(user)
    return {"Authorization": f"Bearer {token}"}


def test_token_lives_token_ttl_days_then_expires(app, client, make, settings):
    user = make.student()
    assert settings.token_ttl_days == 30
    assert client.get("/api/me", headers=_token_issued_days_ago(app, user, 29)).status_code == 200
    r = client.get("/api/me", headers=_token_issued_days_ago(app, user, 31))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_token"


def test_blocked_user_cannot_log_in_or_use_a_token(app, client, make, session):
    user = make.student()
    headers = token_for(app, user)
    assert client.get("/api/me", headers=headers).status_code == 200
    user.is_blocked, user.blocked_reason = True, "Спам"
    session.flush()
    for r in (client.get("/api/me", headers=headers),
              client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})):
        assert r.status_code in (401, 403)
        assert r.json()["error"]["code"] == "account_blocked"
        assert r.json()["error"]["message"]
