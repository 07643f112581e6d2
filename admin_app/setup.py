"""Mount the back-office on the main app."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqladmin import Admin, BaseView
from sqladmin.i18n import I18nConfig
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from admin_app.auth import AdminAuth, RoleAuthorization
from admin_app.forms import parse_form
from admin_app.home import render_home
from admin_app.menu import arrange
from admin_app.views.bank_statement import BankStatementView
from admin_app.views.bytesize import ByteSizeAdmin
from admin_app.views.certificates import CertificateRequestAdmin
from admin_app.views.club_quizzes import QuizAssignmentAdmin
from admin_app.views.club_records import AbsenceAlertAdmin, CheckinAdmin, InvitationAdmin
from admin_app.views.clubs import ClubClassAdmin, KruzhokAdmin
from admin_app.views.courses import CourseAdmin, LessonAdmin, ModuleAdmin
from admin_app.views.media_doctor import MediaDoctorView
from admin_app.views.messaging import AuditAdmin, NotificationAdmin, OutboxAdmin
from admin_app.views.missions import DailyMissionAdmin
from admin_app.views.play_check import PlayCheckView
from admin_app.views.programs import ProgramAdmin, ProgramLessonAdmin, QuizAdmin, QuizQuestionAdmin
from admin_app.views.purchases import PurchaseAdmin
from admin_app.views.reports import ReportsView
from admin_app.views.schedule import LessonSessionAdmin
from admin_app.views.search import SearchView
from admin_app.views.subscriptions import PlanAdmin, SubscriptionAdmin
from admin_app.views.users import UserAdmin
from core.db import Database
from core.errors import ServiceError
from core.services.media_check import Serve
from core.settings import Settings
from core.wiring import storage_of

TEMPLATES = Path(__file__).parent / "templates"
# The S7 mark as an inline SVG (no file to serve, no 404 for /favicon.ico on back-office pages).
FAVICON = ("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' "
           "height='32' rx='6' fill='%23206bc4'/%3E%3Ctext x='16' y='22' font-family='Arial' font-size='15' "
           "font-weight='700' fill='white' text-anchor='middle'%3ES7%3C/text%3E%3C/svg%3E")

# The views. Add new views here (and to the imports above); their menu group is set in admin_app/menu.py.
VIEWS: list[type[BaseView]] = [
    UserAdmin,
    SubscriptionAdmin,
    PlanAdmin,
    PurchaseAdmin,
    BankStatementView,
    CertificateRequestAdmin,
    KruzhokAdmin,
    ClubClassAdmin,
    LessonSessionAdmin,
    QuizAssignmentAdmin,
    CheckinAdmin,
    AbsenceAlertAdmin,
    InvitationAdmin,
    CourseAdmin,
    ModuleAdmin,
    LessonAdmin,
    DailyMissionAdmin,
    ByteSizeAdmin,
    ProgramAdmin,
    ProgramLessonAdmin,
    QuizAdmin,
    QuizQuestionAdmin,
    NotificationAdmin,
    AuditAdmin,
    MediaDoctorView,
    SearchView,
    ReportsView,
    PlayCheckView,
    OutboxAdmin,
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


class S7Admin(Admin):
    """SQLAdmin with its create/edit form parsing recorded for closing (admin_app/forms.py)."""

    async def index(self, request: Request) -> Response:
        """The home: what needs action now (admin_app/home.py)."""
        return await render_home(self, request)

    @staticmethod
    async def _handle_form_data(request: Request, obj: Any = None) -> FormData:
        await parse_form(request)  # Starlette caches it: SQLAdmin's own parse below reuses this FormData
        return await Admin._handle_form_data(request, obj)


def mount_admin(app: Starlette, db: Database, settings: Settings, *, serve_media: Serve) -> Admin:
    """`serve_media` is the composition root's in-process GET of a media URL (the media doctor's
    live check): the back-office never imports the API."""
    admin = S7Admin(
        app,
        session_maker=db.new_sessionmaker(),
        base_url="/admin",
        title="S7 Robotics — админ-панель",
        favicon_url=FAVICON,
        templates_dir=str(TEMPLATES),
        authentication_backend=AdminAuth(db=db, secret_key=settings.secret_key,
                                         https_only=settings.https_only_cookies,
                                         max_age=settings.admin_session_max_age,
                                         absolute_max_age=settings.admin_session_absolute_max_age),
        authorization_backend=RoleAuthorization(),
        # Russian always: staff browsers in headless/English setups must not switch the UI language.
        i18n_config=I18nConfig(default_locale="ru", language_cookie_name=None, language_header_name=None),
    )
    _quiet_expected_errors()
    # The back-office is a separate Starlette app: hand it the same typed parts (read via core.wiring).
    admin.admin.state.db = db
    admin.admin.state.settings = settings
    admin.admin.state.storage = storage_of(app.state)
    admin.admin.state.serve_media = serve_media
    for view in arrange(VIEWS):
        admin.add_view(view)
    return admin
