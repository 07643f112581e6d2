"""Back-office login (ADMIN and SUPPORT only) and per-role permissions (SUPPORT is read-only)."""

from __future__ import annotations

from sqladmin.authentication import AuthenticationBackend
from sqladmin.authorization import AuthorizationBackend
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.csrf import CSRFMiddleware, ensure_token
from admin_app.forms import CloseFormsMiddleware, parse_form
from core.clock import utcnow
from core.db import Database
from core.errors import ServiceError
from core.models import Role, User
from core.services import auth

READ_ACTIONS = {"list", "details", "export"}
STAFF_ONLY = "Вход в админ-панель доступен только администраторам и сотрудникам поддержки"


class AdminAuth(AuthenticationBackend):
    def __init__(self, *, db: Database, secret_key: str, https_only: bool, max_age: int) -> None:
        self.db = db
        # Own middleware list: the session first, then CSRF (which needs the session).
        self.middlewares = [
            Middleware(SessionMiddleware, secret_key=secret_key, session_cookie="s7_admin",
                       same_site="strict", https_only=https_only, max_age=max_age, path="/admin"),
            Middleware(CSRFMiddleware),
            Middleware(CloseFormsMiddleware),
        ]

    async def login(self, request: Request) -> bool:
        form = await parse_form(request)
        email, password = str(form.get("username", "")), str(form.get("password", ""))
        ip = request.client.host if request.client else "unknown"

        def check() -> User | str:
            try:
                with self.db.transaction() as session:
                    user = auth.authenticate_password(session, email=email, password=password, ip=ip,
                                                      now=utcnow())
                    return user if user.is_staff else STAFF_ONLY
            except ServiceError as error:
                return error.message

        user = await run_in_threadpool(check)
        if isinstance(user, str):
            # SQLAdmin's own message is English; our login.html shows this one instead.
            request.state.s7_login_error = user
            return False
        request.session.clear()  # the pre-login CSRF token goes too: a planted one must not survive login
        request.session.update({"uid": user.id, "v": user.token_version, "role": user.role,
                                "name": user.full_name})
        ensure_token(request.session)
        return True

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> Response | bool:
        uid = request.session.get("uid")
        if not uid:
            return False

        def load() -> User | None:
            with self.db.transaction() as session:
                return auth.staff_for_session(session, user_id=uid, token_version=request.session.get("v"))

        user = await run_in_threadpool(load)
        if user is None:
            request.session.clear()
            return RedirectResponse(request.url_for("admin:login"), status_code=302)
        request.session["role"] = user.role
        return True


class RoleAuthorization(AuthorizationBackend):
    """ADMIN may do everything; SUPPORT may read, export and use the form actions listed here (none yet:
    the media doctor page checks its own permissions through its services)."""

    support_actions: frozenset[str] = frozenset()

    def has_permission(self, request: Request, identity: str, action: str, obj: object | None = None) -> bool:
        role = request.session.get("role")
        if role == Role.ADMIN:
            return True
        if role == Role.SUPPORT:
            return str(action) in READ_ACTIONS or str(action) in self.support_actions
        return False
