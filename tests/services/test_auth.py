"""Accounts at the service layer: registration rules, Argon2, blocking rules and their audit rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher

from core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from core.models import AuditEvent, User
from core.services import auth
from tests.factories import PASSWORD

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _signer() -> auth.TokenSigner:
    return auth.TokenSigner("test-secret", 3600)


def _events(session, user: User, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    session.flush()
    return session.query(AuditEvent).filter_by(entity="User", entity_id=user.id, action=action).all()


# --- register ---------------------------------------------------------------------------------------

def test_register_normalises_email_and_hashes_with_argon2id(session):
    user = auth.register(session, email="  Aigerim.N@Example.KZ ", password="secret-pass", full_name=" Айгерим ",
                         now=NOW)
    assert user.email == "aigerim.n@example.kz"
    assert user.full_name == "Айгерим"
    assert user.role == "USER"
    assert user.password_hash.startswith("$argon2id$")
    assert "secret-pass" not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, "secret-pass")


def test_two_users_with_one_password_get_different_hashes(session):
    a = auth.register(session, email="a1@example.kz", password="same-password", full_name="Аня", now=NOW)
    b = auth.register(session, email="b1@example.kz", password="same-password", full_name="Боря", now=NOW)
    assert a.password_hash != b.password_hash  # salted


@pytest.mark.parametrize("email,password,full_name,field", [
    ("not-an-email", "secret-pass", "Имя", "email"),
    ("", "secret-pass", "Имя", "email"),
    ("a b@example.kz", "secret-pass", "Имя", "email"),
    ("x" * 250 + "@e.kz", "secret-pass", "Имя", "email"),
    ("ok@example.kz", "short", "Имя", "password"),
    ("ok@example.kz", "x" * 129, "Имя", "password"),
    ("ok@example.kz", "secret-pass", "   ", "fullName"),
    ("ok@example.kz", "secret-pass", "Я" * 201, "fullName"),
])
def test_register_refuses_bad_input_with_a_russian_field_error(session, email, password, full_name, field):
    with pytest.raises(Invalid) as caught:
        auth.register(session, email=email, password=password, full_name=full_name, now=NOW)
    assert caught.value.details["fields"][0]["field"] == field
    assert any("а" <= ch <= "я" for ch in caught.value.message.lower())
    assert session.query(User).filter_by(email="ok@example.kz").count() == 0


def test_register_twice_is_a_conflict_whatever_the_case(session):
    auth.register(session, email="dup@example.kz", password="secret-pass", full_name="Первый", now=NOW)
    with pytest.raises(Conflict) as caught:
        auth.register(session, email="DUP@example.kz", password="secret-pass", full_name="Второй", now=NOW)
    assert caught.value.code == "email_taken"
    assert session.query(User).filter_by(email="dup@example.kz").count() == 1


# --- passwords and tokens ---------------------------------------------------------------------------

def test_authenticate_accepts_the_right_password_only(session, make):
    user = make.student()
    assert auth.authenticate_password(session, email=user.email.upper(), password=PASSWORD, ip="1.1.1.1",
                                      now=NOW) is user
    with pytest.raises(auth.LoginFailed):
        auth.authenticate_password(session, email=user.email, password="wrong-pass", ip="1.1.1.1", now=NOW)


def test_outdated_argon2_parameters_are_upgraded_on_login(session, make):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user = make.student(password_hash=weak)
    auth.authenticate_password(session, email=user.email, password=PASSWORD, ip="1.1.1.2", now=NOW)
    assert user.password_hash != weak
    assert not PasswordHasher().check_needs_rehash(user.password_hash)


def test_a_corrupt_hash_is_a_failed_login_not_a_crash(session, make):
    user = make.student(password_hash="not-a-hash")
    with pytest.raises(auth.LoginFailed):
        auth.authenticate_password(session, email=user.email, password=PASSWORD, ip="1.1.1.3", now=NOW)


def test_logout_all_revokes_earlier_tokens(session, make):
    user = make.student()
    token = _signer().issue(user)
    assert auth.user_from_token(session, signer=_signer(), token=token) is user
    auth.logout_all(session, actor=user, now=NOW)
    with pytest.raises(Unauthorized):
        auth.user_from_token(session, signer=_signer(), token=token)


# --- block / unblock --------------------------------------------------------------------------------

def test_admin_blocks_with_a_reason_and_an_audit_row(session, make):
    admin, user = make.admin(), make.student()
    token = _signer().issue(user)
    auth.block_user(session, actor=admin, user_id=user.id, reason="  Спам  ", now=NOW)
    assert (user.is_blocked, user.blocked_reason) == (True, "Спам")
    [event] = _events(session, user, "user.block")
    assert (event.actor_id, event.data, event.at) == (admin.id, {"reason": "Спам"}, NOW)
    with pytest.raises(Unauthorized):
        auth.user_from_token(session, signer=_signer(), token=token)
    with pytest.raises(auth.AccountBlocked):
        auth.authenticate_password(session, email=user.email, password=PASSWORD, ip="1.1.1.4", now=NOW)


def test_a_blocked_user_with_a_current_token_is_refused(session, make):
    user = make.student(is_blocked=True)
    with pytest.raises(auth.AccountBlocked) as caught:
        auth.user_from_token(session, signer=_signer(), token=_signer().issue(user))
    assert caught.value.http_status == 403


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_block_needs_a_reason(session, make, reason):
    admin, user = make.admin(), make.student()
    with pytest.raises(Invalid) as caught:
        auth.block_user(session, actor=admin, user_id=user.id, reason=reason, now=NOW)  # type: ignore[arg-type]
    assert caught.value.details["fields"][0]["field"] == "reason"
    assert caught.value.message == "Укажите причину блокировки"
    assert user.is_blocked is False
    assert _events(session, user, "user.block") == []


def test_admin_cannot_block_themselves(session, make):
    admin = make.admin()
    with pytest.raises(Conflict) as caught:
        auth.block_user(session, actor=admin, user_id=admin.id, reason="Тест", now=NOW)
    assert caught.value.code == "cannot_block_self"
    assert admin.is_blocked is False


def test_second_block_is_a_conflict(session, make):
    admin, user = make.admin(), make.student()
    auth.block_user(session, actor=admin, user_id=user.id, reason="Первый раз", now=NOW)
    with pytest.raises(Conflict) as caught:
        auth.block_user(session, actor=admin, user_id=user.id, reason="Второй раз", now=NOW)
    assert caught.value.http_status == 409
    assert caught.value.code == "already_blocked"
    assert user.blocked_reason == "Первый раз"
    assert len(_events(session, user, "user.block")) == 1


@pytest.mark.parametrize("role", ["student", "support"])
def test_only_an_admin_may_block_or_unblock(session, make, role):
    actor, user = getattr(make, role)(), make.student()
    with pytest.raises(Forbidden):
        auth.block_user(session, actor=actor, user_id=user.id, reason="Спам", now=NOW)
    blocked = make.student(is_blocked=True, blocked_reason="Спам")
    with pytest.raises(Forbidden):
        auth.unblock_user(session, actor=actor, user_id=blocked.id, now=NOW)
    assert (user.is_blocked, blocked.is_blocked) == (False, True)


def test_block_of_a_missing_user_is_not_found(session, make):
    with pytest.raises(NotFound):
        auth.block_user(session, actor=make.admin(), user_id="no-such-id", reason="Спам", now=NOW)


def test_unblock_restores_login_and_is_audited(session, make):
    admin, user = make.admin(), make.student()
    auth.block_user(session, actor=admin, user_id=user.id, reason="Спам", now=NOW)
    auth.unblock_user(session, actor=admin, user_id=user.id, now=NOW)
    assert (user.is_blocked, user.blocked_reason) == (False, None)
    assert len(_events(session, user, "user.unblock")) == 1
    assert auth.authenticate_password(session, email=user.email, password=PASSWORD, ip="1.1.1.5", now=NOW) is user
    with pytest.raises(Conflict) as caught:
        auth.unblock_user(session, actor=admin, user_id=user.id, now=NOW)
    assert caught.value.code == "not_blocked"


# --- ensure_admin -----------------------------------------------------------------------------------

def test_ensure_admin_creates_once_and_is_idempotent(session):
    first, created = auth.ensure_admin(session, email="Boss@S7.kz", password="admin-pass-1", full_name="Босс",
                                       now=NOW)
    hash_before = first.password_hash
    again, created_again = auth.ensure_admin(session, email="boss@s7.kz", password="admin-pass-1",
                                             full_name="Другое имя", now=NOW)
    assert (created, created_again) == (True, False)
    assert again is first
    assert first.password_hash == hash_before  # same password: not re-hashed
    assert session.query(User).filter_by(email="boss@s7.kz").count() == 1


def test_ensure_admin_promotes_an_existing_user_only_when_asked_and_sets_the_password(session, make):
    user = make.student()
    version = user.token_version
    with pytest.raises(Conflict):
        auth.ensure_admin(session, email=user.email, password="new-admin-pass", full_name="X", now=NOW)
    assert user.role == "USER"
    admin, created = auth.ensure_admin(session, email=user.email, password="new-admin-pass", full_name="X", now=NOW,
                                       promote=True)
    assert (admin, created, admin.role) == (user, False, "ADMIN")
    assert admin.token_version == version + 1  # the new password ends the old tokens
    assert auth.authenticate_password(session, email=user.email, password="new-admin-pass", ip="1.1.1.6",
                                      now=NOW) is user


def test_ensure_admin_validates_its_input(session):
    with pytest.raises(Invalid):
        auth.ensure_admin(session, email="boss@s7.kz", password="short", full_name="Босс", now=NOW)
    assert session.query(User).filter_by(email="boss@s7.kz").count() == 0


def test_only_admins_edit_users_and_roles_are_checked(session, make):
    support, target, admin = make.support(), make.student(), make.admin()
    with pytest.raises(Forbidden):
        auth.admin_edit_user(session, actor=support, user_id=target.id, values={"role": "ADMIN"}, now=NOW)
    with pytest.raises(Invalid):
        auth.admin_edit_user(session, actor=admin, user_id=target.id, values={"role": "ROOT"}, now=NOW)
    version_before = target.token_version
    unchanged = auth.admin_edit_user(session, actor=admin, user_id=target.id, values={"role": "USER"}, now=NOW)
    assert unchanged.token_version == version_before  # same role: tokens stay valid
    renamed = auth.admin_edit_user(session, actor=admin, user_id=target.id, values={"full_name": "Новое Имя"},
                                   now=NOW)
    assert (renamed.full_name, renamed.token_version) == ("Новое Имя", version_before)
    promoted = auth.admin_edit_user(session, actor=admin, user_id=target.id, values={"role": "SUPPORT"}, now=NOW)
    assert (promoted.role, promoted.token_version) == ("SUPPORT", version_before + 1)
