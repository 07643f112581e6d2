"""Password and display-name rules are the same at every door (API register and change-password,
the back-office user form, `s7 create-admin`), and a password is never altered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import User
from tests.admin.helpers import ORIGIN, csrf_of, login
from tests.factories import PASSWORD, token_for


def _register(client, email: str, password: str, name: str = "Айгерим Нурланова"):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/register", json={"email": email, "password": password, "fullName": name})


def _field_error(r) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    return r.status_code, r.json()["error"]["details"]["fields"][0]["field"]


@pytest.mark.parametrize("password", ["password", "12345678", "Qwerty123", "iloveyou"])
def test_common_passwords_are_refused_at_registration(client, password):
    assert _field_error(_register(client, "common@example.kz", password)) == (422, "password")


def test_a_password_equal_to_the_email_is_refused(client):
    assert _field_error(_register(client, "Aigerim.N@example.kz", "aigerim.n@EXAMPLE.kz")) == (422, "password")


def test_a_password_is_never_trimmed(client):
    assert _register(client, "spaces@example.kz", "  spaced secret 9  ").status_code == 201
    login = lambda p: client.post("/api/auth/login", json={"email": "spaces@example.kz", "password": p})  # noqa: E731
    assert login("spaced secret 9").status_code == 401
    assert login("  spaced secret 9  ").status_code == 200


def test_change_password_applies_the_same_rules(app, client, make):
    user = make.student()
    r = client.post("/api/auth/change-password", headers=token_for(app, user),
                    json={"currentPassword": PASSWORD, "newPassword": "password1"})
    assert _field_error(r) == (422, "newPassword")
    r = client.post("/api/auth/change-password", headers=token_for(app, user),
                    json={"currentPassword": PASSWORD, "newPassword": user.email.upper()})
    assert _field_error(r) == (422, "newPassword")


def test_create_admin_refuses_a_common_password(tmp_path, monkeypatch, capsys):
    from core.settings import get_settings
    from s7.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    try:
        assert main(["migrate"]) == 0
        assert main(["create-admin", "--email", "boss@s7.kz", "--password", "qwerty123"]) == 2
        assert "распространён" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("name", ["\u200b\u200b\u200b", "\u202eреваН", "Ай\u200dгерим", "А", "  ", "x" * 101,
                                  "А\u0301\u0301"])
def test_invisible_spoofed_or_out_of_range_names_are_refused(client, name):
    assert _field_error(_register(client, "names@example.kz", "good-secret-77", name)) == (422, "fullName")


def test_names_are_nfc_normalised_and_spaces_collapsed(client, session):
    r = _register(client, "nfc@example.kz", "good-secret-77", "  И\u0306ылдыз \u00a0  Нурланова ")
    assert r.status_code == 201
    assert r.json()["user"]["fullName"] == "Йылдыз Нурланова"


def test_the_back_office_user_form_refuses_an_invisible_name(client, make, session):
    admin, target = make.admin(), make.student(full_name="Было")
    login(client, admin)
    r = client.post(f"/admin/user/edit/{target.id}", data={"csrf_token": csrf_of(client),
                    "full_name": "\u200b\u200b", "role": "USER"}, headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 400
    session.expire_all()
    assert session.scalar(select(User.full_name).where(User.id == target.id)) == "Было"
