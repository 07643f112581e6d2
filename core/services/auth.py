"""Accounts: registration, login (throttled by login_throttle), password change, API tokens, blocking."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import (
    AccountBlocked,
    Conflict,
    ErrorCode,
    LoginFailed,
    NotFound,
    Unauthorized,
    WrongCurrentPassword,
    field_error,
)
from core.models import AuditAction, Role, User
from core.services import admin_sessions, audit, clean, login_throttle, names, passwords, ratelimit
from core.services.permissions import require_admin

_hasher = PasswordHasher()
TOKEN_SALT = "s7-api-token"


@dataclass(frozen=True)
class TokenSigner:
    secret_key: str
    ttl_seconds: int

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=TOKEN_SALT)

    def issue(self, user: User) -> str:
        return self._serializer().dumps({"uid": user.id, "v": user.token_version})

    def read(self, token: str) -> dict[str, Any] | None:
        try:
            data = self._serializer().loads(token, max_age=self.ttl_seconds)
        except (SignatureExpired, BadSignature, ValueError):
            return None
        return data if isinstance(data, dict) else None


def normalize_email(email: str) -> str:
    """The address as stored (`clean.clean_email`: the one email rule, also declared in the API schema)."""
    return clean.clean_email(email)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def register(session: Session, *, email: str, password: str, full_name: str, now: datetime,
             role: Role = Role.USER, ip: str | None = None) -> User:
    """Create a USER account (at most 20 an hour per client `ip` when given).
    Raises Invalid, RateLimited, or Conflict `email_taken`."""
    email = normalize_email(email)
    passwords.check_password(password, email=email)
    full_name = names.clean_display_name(full_name)
    if ip is not None:
        ratelimit.hit(session, "register_ip", ip[:64], now=now)
    if find_user_by_email(session, email) is not None:
        raise Conflict("Пользователь с таким email уже зарегистрирован", code=ErrorCode.EMAIL_TAKEN)
    user = User(email=email, password_hash=hash_password(password), full_name=full_name, role=role,
                created_at=now)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        raise Conflict("Пользователь с таким email уже зарегистрирован", code=ErrorCode.EMAIL_TAKEN) from exc
    from core.services import invitations  # imported here: invitations builds on auth

    invitations.deliver_invitations(session, user=user, now=now)
    return user


def authenticate_password(session: Session, *, email: str, password: str, ip: str, now: datetime) -> User:
    """Check credentials, throttled by `login_throttle` (per (email, IP), per IP, per account).

    Unknown emails verify the password against a dummy hash, so both cases do the same work and
    get the same answer. Raises RateLimited, LoginFailed (the failure is committed) or AccountBlocked.
    """
    email_key = (email or "").strip().lower()[:254]
    login_throttle.check_allowed(session, email_key=email_key, ip=ip, now=now)
    user = find_user_by_email(session, email_key) if email_key else None
    ok = _verify(user.password_hash if user else _dummy_hash(), password or "")
    if user is None or not ok:
        login_throttle.record_failure(session, email_key=email_key, ip=ip, user=user, now=now)
        raise LoginFailed()
    if user.is_blocked:
        raise AccountBlocked()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


@cache
def _dummy_hash() -> str:
    """An Argon2 hash with the real parameters, verified against for unknown emails."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def login(session: Session, *, signer: TokenSigner, email: str, password: str, ip: str,
          now: datetime) -> tuple[str, User]:
    user = authenticate_password(session, email=email, password=password, ip=ip, now=now)
    return signer.issue(user), user


def user_from_token(session: Session, *, signer: TokenSigner, token: str) -> User:
    """The user a bearer token belongs to; Unauthorized if bad, expired, revoked or blocked."""
    data = signer.read(token)
    if not data:
        raise Unauthorized("Сессия недействительна или истекла. Войдите снова.", code=ErrorCode.INVALID_TOKEN)
    user = session.get(User, data.get("uid"))
    if user is None or user.token_version != data.get("v"):
        raise Unauthorized("Сессия недействительна или истекла. Войдите снова.", code=ErrorCode.INVALID_TOKEN)
    if user.is_blocked:
        raise AccountBlocked()
    return user


def staff_for_session(session: Session, *, user_id: object, token_version: object = None) -> User | None:
    """The staff member a back-office session names, or None: unknown, not ADMIN/SUPPORT, blocked, or
    (when `token_version` is given) signed out everywhere since the session was made."""
    user = clean.get_row(session, User, user_id)
    if user is None or not user.is_staff or user.is_blocked:
        return None
    if token_version is not None and user.token_version != token_version:
        return None
    return user


def logout_all(session: Session, *, actor: User, now: datetime) -> None:
    """End every API token and back-office session of the caller."""
    admin_sessions.end_all_sessions(session, user=actor, now=now)


def change_password(session: Session, *, actor: User, current_password: str, new_password: str, ip: str,
                    now: datetime) -> User:
    """Change the caller's password (the current one is checked and throttled like a login);
    every other token and back-office session ends. Raises WrongCurrentPassword, RateLimited or Invalid."""
    email_key = actor.email.lower()
    login_throttle.check_allowed(session, email_key=email_key, ip=ip, now=now)
    if not _verify(actor.password_hash, current_password or ""):
        login_throttle.record_failure(session, email_key=email_key, ip=ip, user=actor, now=now)
        raise WrongCurrentPassword(details={"fields": [{"field": "currentPassword",
                                                         "message": WrongCurrentPassword.message}]})
    passwords.check_password(new_password, email=actor.email, field="newPassword")
    if _verify(actor.password_hash, new_password):
        raise field_error("newPassword", "Новый пароль совпадает с текущим")
    actor.password_hash = hash_password(new_password)
    admin_sessions.end_all_sessions(session, user=actor, now=now)
    audit.record(session, actor=actor, action=AuditAction.USER_CHANGE_PASSWORD, entity="User", entity_id=actor.id,
                 now=now)
    return actor


def block_user(session: Session, *, actor: User, user_id: str, reason: str, now: datetime) -> User:
    """Block an account (reason required): it can no longer log in, and its tokens stop working."""
    require_admin(actor)
    if not (reason or "").strip():
        raise field_error("reason", "Укажите причину блокировки")
    reason = clean.clean_text(reason, field="reason", label="Причина блокировки", max_length=2000,
                              multiline=True) or ""
    user = clean.get_row(session, User, user_id)
    if user is None:
        raise NotFound("Пользователь не найден")
    if user.id == actor.id:
        raise Conflict("Нельзя заблокировать самого себя", code=ErrorCode.CANNOT_BLOCK_SELF)
    if user.is_blocked:
        raise Conflict("Пользователь уже заблокирован", code=ErrorCode.ALREADY_BLOCKED)
    user.is_blocked = True
    user.blocked_reason = reason[:2000]
    admin_sessions.end_all_sessions(session, user=user, now=now)
    audit.record(session, actor=actor, action=AuditAction.USER_BLOCK, entity="User", entity_id=user.id, now=now,
                 data={"reason": user.blocked_reason})
    return user


def admin_edit_user(session: Session, *, actor: User, user_id: str, values: dict[str, Any], now: datetime) -> User:
    """Back-office edit of a user's name and role (ADMIN; audited). A role change revokes the user's
    tokens; an admin cannot take the ADMIN role from themselves (nobody could give it back)."""
    require_admin(actor)
    user = clean.get_row(session, User, user_id)
    if user is None:
        raise NotFound("Пользователь не найден")
    changed: dict[str, object] = {}
    if "full_name" in values:
        name = names.clean_display_name(values["full_name"], field="full_name")
        if name != user.full_name:
            changed["full_name"] = name
    if "role" in values and values["role"] != user.role:
        role = values["role"]
        if role not in tuple(Role):
            raise field_error("role", "Роль должна быть USER, SUPPORT или ADMIN")
        if user.id == actor.id:
            raise Conflict("Нельзя изменить собственную роль", code=ErrorCode.CANNOT_CHANGE_OWN_ROLE)
        changed["role"] = role
        admin_sessions.end_all_sessions(session, user=user, now=now)
    for key, value in changed.items():
        setattr(user, key, value)
    if changed:
        audit.record(session, actor=actor, action=AuditAction.USER_EDIT, entity="User", entity_id=user.id, now=now,
                     data=changed)
    return user


def unblock_user(session: Session, *, actor: User, user_id: str, now: datetime) -> User:
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Пользователь не найден")
    if not user.is_blocked:
        raise Conflict("Пользователь не заблокирован", code=ErrorCode.NOT_BLOCKED)
    user.is_blocked = False
    user.blocked_reason = None
    audit.record(session, actor=actor, action=AuditAction.USER_UNBLOCK, entity="User", entity_id=user.id, now=now)
    return user


def ensure_admin(session: Session, *, email: str, password: str, full_name: str, now: datetime,
                 promote: bool = False) -> tuple[User, bool]:
    """Create the admin account, or set an existing admin's password (idempotent). An existing
    non-admin account becomes ADMIN only with `promote`; a changed password ends every token and
    back-office session of the account (token_version). Raises Conflict when promotion is needed."""
    email = normalize_email(email)
    passwords.check_password(password, email=email)
    user = find_user_by_email(session, email)
    if user is None:
        return register(session, email=email, password=password, full_name=full_name, now=now,
                        role=Role.ADMIN), True
    if user.role != Role.ADMIN:
        if not promote:
            raise Conflict(f"Аккаунт {email} уже существует с ролью {user.role}: чтобы сделать его "
                           "администратором, повторите команду с --promote")
        user.role = Role.ADMIN
    if not _verify(user.password_hash, password):
        user.password_hash = hash_password(password)
        admin_sessions.end_all_sessions(session, user=user, now=now)
    return user, False
