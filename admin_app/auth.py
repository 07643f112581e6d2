"""Back-office login (ADMIN and SUPPORT only) and per-role permissions (SUPPORT is read-only)."""

from __future__ import annotations

from datetime import timedelta

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
from core.services import admin_sessions, auth
from core.services.admin_sessions import SessionPolicy

READ_ACTIONS = {"list", "details", "export"}
STAFF_ONLY = "Вход в админ-панель доступен только администраторам и сотрудникам поддержки"


class AdminAuth(AuthenticationBackend):
    def __init__(self, *, db: Database, secret_key: str, https_only: bool, max_age: int,
                 absolute_max_age: int = 12 * 3600) -> None:
        self.db = db
        # The cookie only carries the id of a server-side AdminSession (core/services/admin_sessions.py).
        self.policy = SessionPolicy(idle=timedelta(seconds=max_age), absolute=timedelta(seconds=absolute_max_age))
        # Own middleware list: the session first, then CSRF (which needs the session).
        self.middlewares = [
            Middleware(SessionMiddleware, secret_key=secret_key, session_cookie="s7_admin",
                       same_site="strict", https_only=https_only, max_age=absolute_max_age, path="/admin"),
            Middleware(CSRFMiddleware),
            Middleware(CloseFormsMiddleware),
        ]

    async def login(self, request: Request) -> bool:
        form = await parse_form(request)
        email, password = str(form.get("username", "")), str(form.get("password", ""))
        ip = request.client.host if request.client else "unknown"

        def check() -> tuple[User, str] | str:
            try:
                with self.db.transaction() as session:
                    now = utcnow()
                    user = auth.authenticate_password(session, email=email, password=password, ip=ip, now=now)
                    if not user.is_staff:
                        return STAFF_ONLY
                    row = admin_sessions.start_session(session, user=user, ip=ip, policy=self.policy, now=now)
                    return user, row.id
            except ServiceError as error:
                return error.message

        result = await run_in_threadpool(check)
        if isinstance(result, str):
            # SQLAdmin's own message is English; our login.html shows this one instead.
            request.state.s7_login_error = result
            return False
        user, sid = result
        request.session.clear()  # the pre-login CSRF token goes too: a planted one must not survive login
        request.session.update({"sid": sid, "uid": user.id, "role": user.role, "name": user.full_name})
        ensure_token(request.session)
        return True

    async def logout(self, request: Request) -> bool:
        sid = request.session.get("sid")
        request.session.clear()
        if isinstance(sid, str):
            def end() -> None:
                with self.db.transaction() as session:
                    admin_sessions.end_session(session, session_id=sid, now=utcnow())

            await run_in_threadpool(end)
        return True

    async def authenticate(self, request: Request) -> Response | bool:
        sid = request.session.get("sid")
        if not isinstance(sid, str):
            request.session.pop("uid", None)  # a cookie from before server-side sessions
            return False

        def load() -> User | None:
            with self.db.transaction() as session:
                return admin_sessions.resume_session(session, session_id=sid, policy=self.policy, now=utcnow())

        user = await run_in_threadpool(load)
        if user is None:
            request.session.clear()
            return RedirectResponse(request.url_for("admin:login"), status_code=302)
        request.session.update({"uid": user.id, "role": user.role})
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
