"""Auth and the current user: register, login, logout-all, me."""

from __future__ import annotations

from datetime import datetime

from core.services import auth
from public_api.http import Ctx, api
from public_api.validation import ApiModel, DisplayName, Email, NewPassword, OutModel, Password


class RegisterIn(ApiModel):
    email: Email
    password: NewPassword
    full_name: DisplayName


class LoginIn(ApiModel):
    email: Email  # only such addresses can register; any other is a failed login (401)
    password: Password


class ChangePasswordIn(ApiModel):
    current_password: Password
    new_password: NewPassword


class UserOut(OutModel):
    id: str
    email: str
    full_name: str
    role: str
    experience_points: int
    created_at: datetime


class AuthOut(OutModel):
    token: str
    user: UserOut


class OkOut(OutModel):
    ok: bool = True


@api("/api/auth/register", "POST", body=RegisterIn, response=AuthOut, status=201, auth_mode="none", tag="auth")
def register(ctx: Ctx, body: RegisterIn) -> dict:
    """Register a new account and get a token."""
    user = auth.register(ctx.session, email=body.email, password=body.password, full_name=body.full_name,
                         now=ctx.now, ip=ctx.client_ip)
    ctx.session.flush()
    return {"token": ctx.signer.issue(user), "user": user}


@api("/api/auth/login", "POST", body=LoginIn, response=AuthOut, auth_mode="none", tag="auth")
def login(ctx: Ctx, body: LoginIn) -> dict:
    """Log in with email and password."""
    token, user = auth.login(ctx.session, signer=ctx.signer, email=body.email, password=body.password,
                             ip=ctx.client_ip, now=ctx.now)
    return {"token": token, "user": user}


@api("/api/auth/logout-all", "POST", response=OkOut, tag="auth")
def logout_all(ctx: Ctx) -> dict:
    """Invalidate all tokens of the caller."""
    auth.logout_all(ctx.session, actor=ctx.actor, now=ctx.now)  # type: ignore[arg-type]
    return {"ok": True}


@api("/api/auth/change-password", "POST", body=ChangePasswordIn, response=AuthOut, tag="auth")
def change_password(ctx: Ctx, body: ChangePasswordIn) -> dict:
    """Change the password; every other token and back-office session ends. Returns a new token."""
    user = auth.change_password(ctx.session, actor=ctx.actor, current_password=body.current_password,  # type: ignore[arg-type]
                                new_password=body.new_password, ip=ctx.client_ip, now=ctx.now)
    ctx.session.flush()
    return {"token": ctx.state.signer.issue(user), "user": user}


@api("/api/me", "GET", response=UserOut, tag="auth")
def me(ctx: Ctx) -> object:
    """The current user."""
    return ctx.actor


routes = [register, login, logout_all, change_password, me]
