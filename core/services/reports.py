"""Reports and exports (SPEC §12): who may read which report, and the one way each is built.

    club_report / club_export    owner or assigned mentor of the club (others: 403; no club: 404)
    admin_report / admin_export  ADMIN, every club or one (`kruzhokId` among the filters)
    build_report                 the table of a view for checked filters (no permission check)
    export_report                the table as a CSV or PDF file

Views: report_lessons.py, report_students.py, report_quizzes.py; filters: report_filters.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.errors import ErrorCode, Invalid, field_error
from core.models import Kruzhok, User
from core.services.clean import get_row
from core.services.club_access import get_club, require_club_mentor
from core.services.permissions import require_admin, require_user
from core.services.report_export import ExportFile, export_report
from core.services.report_filters import (
    ExportFormat,
    ReportFilters,
    ReportView,
    parse_filters,
    parse_format,
    parse_view,
)
from core.services.report_lessons import lessons_report
from core.services.report_quizzes import quizzes_report
from core.services.report_students import students_report
from core.services.report_table import DEFAULT_LIMIT, EXPORT_PAGE, MAX_LIMIT, PDF_PAGE, ReportPage, ReportTable

__all__ = ["ExportFile", "ExportFormat", "ReportFilters", "ReportPage", "ReportTable", "ReportView",
           "admin_export", "admin_report", "build_report", "club_export", "club_report", "export_report",
           "page_of", "parse_filters"]

BUILDERS = {ReportView.LESSONS: lessons_report, ReportView.STUDENTS: students_report,
            ReportView.QUIZZES: quizzes_report}


def page_of(limit: int | None, offset: int | None, *, details: bool = True) -> ReportPage:
    limit = DEFAULT_LIMIT if limit is None else limit
    offset = 0 if offset is None else offset
    if not 1 <= limit <= MAX_LIMIT:
        raise field_error("limit", f"Параметр limit должен быть от 1 до {MAX_LIMIT}")
    if not 0 <= offset <= 1_000_000:
        raise field_error("offset", "Параметр offset должен быть от 0 до 1000000")
    return ReportPage(limit=limit, offset=offset, details=details)


def build_report(session: Session, *, view: ReportView, filters: ReportFilters, page: ReportPage = ReportPage()
                 ) -> ReportTable:
    """The report table of `view` for checked filters; `filters.kruzhok_id` None = every club."""
    return BUILDERS[view](session, filters=filters, page=page)


def _export_page(fmt: ExportFormat) -> ReportPage:
    return PDF_PAGE if fmt == ExportFormat.PDF else EXPORT_PAGE


def _club_filters(session: Session, actor: User | None, kruzhok_id: str, raw: Mapping[str, Any]) -> ReportFilters:
    user = require_user(actor)
    club = get_club(session, kruzhok_id)
    require_club_mentor(session, user, club)
    return parse_filters(session, club_id=club.id, raw=raw, tz=club.timezone)


def _admin_filters(session: Session, actor: User | None, raw: Mapping[str, Any], default_timezone: str
                   ) -> ReportFilters:
    require_admin(actor)
    values = dict(raw)
    club_id = values.pop("kruzhokId", None) or None
    timezone = default_timezone
    if club_id is not None:
        club = get_row(session, Kruzhok, club_id)
        if club is None:
            raise Invalid("Кружок не найден", code=ErrorCode.INVALID_REPORT_FILTER,
                          details={"fields": [{"field": "kruzhokId", "message": "Кружок не найден"}]})
        club_id, timezone = club.id, club.timezone
    return parse_filters(session, club_id=club_id, raw=values, tz=timezone)


def club_report(session: Session, *, actor: User | None, kruzhok_id: str, view: Any, raw: Mapping[str, Any],
                limit: int | None = None, offset: int | None = None) -> ReportTable:
    """One page of a club's report for its owner or a mentor (403 for others, 404 for no club)."""
    checked_view = parse_view(view)
    filters = _club_filters(session, actor, kruzhok_id, raw)
    return build_report(session, view=checked_view, filters=filters, page=page_of(limit, offset))


def admin_report(session: Session, *, actor: User | None, view: Any, raw: Mapping[str, Any], default_timezone: str,
                 limit: int | None = None, offset: int | None = None) -> ReportTable:
    """One page of a report over every club (or the one of `kruzhokId`), for admins."""
    checked_view = parse_view(view)
    filters = _admin_filters(session, actor, raw, default_timezone)
    return build_report(session, view=checked_view, filters=filters, page=page_of(limit, offset))


def club_export(session: Session, *, actor: User | None, kruzhok_id: str, view: Any, fmt: Any,
                raw: Mapping[str, Any], now: datetime) -> ExportFile:
    """A club's report as a file (at most MAX_EXPORT_ROWS rows in a CSV, MAX_PDF_ROWS in a PDF; the
    rest is noted in the file)."""
    checked_view, checked_format = parse_view(view), parse_format(fmt)
    filters = _club_filters(session, actor, kruzhok_id, raw)
    table = build_report(session, view=checked_view, filters=filters, page=_export_page(checked_format))
    club = get_club(session, kruzhok_id)
    return export_report(table, fmt=checked_format, subject=f"Кружок «{club.title}»", now=now)


def admin_export(session: Session, *, actor: User | None, view: Any, fmt: Any, raw: Mapping[str, Any],
                 default_timezone: str, now: datetime) -> ExportFile:
    """A report over every club (or one) as a file, for admins."""
    checked_view, checked_format = parse_view(view), parse_format(fmt)
    filters = _admin_filters(session, actor, raw, default_timezone)
    table = build_report(session, view=checked_view, filters=filters, page=_export_page(checked_format))
    subject = "Все кружки"
    if filters.kruzhok_id:
        club = session.get(Kruzhok, filters.kruzhok_id)
        subject = f"Кружок «{club.title}»" if club is not None else subject
    return export_report(table, fmt=checked_format, subject=subject, now=now)
