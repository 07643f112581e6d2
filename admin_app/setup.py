"""Mount the back-office on the main app."""

from __future__ import annotations

import logging
from importlib import import_module
from pathlib import Path

from sqladmin import Admin
from sqladmin.i18n import I18nConfig
from starlette.applications import Starlette

from admin_app.auth import AdminAuth, RoleAuthorization
from core.db import Database
from core.errors import ServiceError
from core.services.media_check import Serve
from core.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"

# "module:Class" in menu order. Add new views here.
VIEWS = [
    "admin_app.views.users:UserAdmin",
    "admin_app.views.subscriptions:SubscriptionAdmin",
    "admin_app.views.subscriptions:PlanAdmin",
    "admin_app.views.clubs:KruzhokAdmin",
    "admin_app.views.clubs:ClubClassAdmin",
    "admin_app.views.courses:CourseAdmin",
    "admin_app.views.courses:ModuleAdmin",
    "admin_app.views.courses:LessonAdmin",
    "admin_app.views.bytesize:ByteSizeAdmin",
    "admin_app.views.messaging:NotificationAdmin",
    "admin_app.views.messaging:AuditAdmin",
    "admin_app.views.media_doctor:MediaDoctorView",
    "admin_app.views.messaging:OutboxAdmin",
]


class _SkipServiceErrors(logging.Filter):
    """SQLAdmin logs a traceback for every exception of a save; a ServiceError is the user's mistake
    (shown to them as the form's Russian message), not a server fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else record.msg
        return not isinstance(error, ServiceError)


def _quiet_expected_errors() -> None:
    sqladmin_log = logging.getLogger("sqladmin.application")
    if not any(isinstance(f, _SkipServiceErrors) for f in sqladmin_log.filters):
        sqladmin_log.addFilter(_SkipServiceErrors())


def mount_admin(app: Starlette, db: Database, settings: Settings, *, serve_media: Serve) -> Admin:
    """`serve_media` is the composition root's in-process GET of a media URL (the media doctor's
    live check): the back-office never imports the API."""
    admin = Admin(
        app,
        session_maker=db.new_sessionmaker(),
        base_url="/admin",
        title="S7 Robotics — админ-панель",
        templates_dir=str(TEMPLATES),
        authentication_backend=AdminAuth(db=db, secret_key=settings.secret_key,
                                         https_only=settings.https_only_cookies,
                                         max_age=settings.admin_session_max_age),
        authorization_backend=RoleAuthorization(),
        # Russian always: staff browsers in headless/English setups must not switch the UI language.
        i18n_config=I18nConfig(default_locale="ru", language_cookie_name=None, language_header_name=None),
    )
    _quiet_expected_errors()
    admin.admin.state.s7_db = db
    admin.admin.state.settings = settings
    admin.admin.state.storage = getattr(app.state, "storage", None)
    admin.admin.state.serve_media = serve_media
    for spec in VIEWS:
        module, _, name = spec.partition(":")
        admin.add_view(getattr(import_module(module), name))
    return admin
