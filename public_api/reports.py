"""Reports of a club (SPEC §12): lesson history, student progress, quiz analytics, and their export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field
from starlette.responses import Response

from core.services import reports
from core.services.report_filters import DAY_PATTERN, ExportFormat, ReportView
from core.services.report_table import ReportTable
from public_api.http import Ctx, api
from public_api.openapi import register_path
from public_api.validation import ApiModel, OutModel, QueryModel, declared


class FiltersIn(ApiModel):
    # Checked by core's parse_filters (invalid_report_filter); declared here.
    date_from: Annotated[str, declared(pattern=DAY_PATTERN)] | None = Field(default=None, alias="from", max_length=64)
    date_to: Annotated[str, declared(pattern=DAY_PATTERN)] | None = Field(default=None, alias="to", max_length=64)
    class_id: str | None = Field(default=None, max_length=64)
    program_id: str | None = Field(default=None, max_length=64)
    student_id: str | None = Field(default=None, max_length=64)

    def raw(self) -> dict[str, Any]:
        """The filters under their wire names, as core's parse_filters reads them."""
        return self.model_dump(by_alias=True, exclude_none=True, include=set(FiltersIn.model_fields))


class ReportQuery(QueryModel, FiltersIn):
    limit: int = 20
    offset: int = 0


class ExportIn(ApiModel):
    # Checked by core (unknown_report_view / unknown_export_format); declared here.
    view: Annotated[str, declared(enum=[v.value for v in ReportView])] = Field(max_length=32)
    format: Annotated[str, declared(enum=[f.value for f in ExportFormat])] = Field(max_length=16)
    filters: FiltersIn | None = None


class ColumnOut(OutModel):
    key: str
    label: str


class ChartOut(OutModel):
    title: str
    labels: list[str]
    values: list[float]
    unit: str
    max_value: float


class LessonStudentOut(OutModel):
    student_id: str
    full_name: str
    status: str | None
    score: float | None


class MaterialOut(OutModel):
    kind: str
    key: str
    url: str


class LessonRowOut(OutModel):
    session_id: str
    kruzhok_id: str
    date: date
    time_range: str
    duration_min: int
    title: str
    class_name: str
    program_title: str | None
    lesson_title: str | None
    quiz_title: str | None
    attended: int
    marked: int
    attendance_percent: float | None
    quiz_average: float | None
    quiz_graded: int
    mentor_notes: str | None
    materials: list[MaterialOut]
    students: list[LessonStudentOut]


class ActivityOut(OutModel):
    at: datetime
    kind: str
    title: str
    value: str


class StudentRowOut(OutModel):
    student_id: str
    full_name: str
    classes: str
    attendance_percent: float | None
    sessions_attended: int
    sessions_marked: int
    quiz_average: float | None
    quizzes_graded: int
    xp_earned: int
    timeline: list[ActivityOut]


class QuestionRowOut(OutModel):
    question_id: str
    text: str
    answers: int
    correct: int
    correct_rate: float


class QuizRowOut(OutModel):
    quiz_id: str
    title: str
    pass_percent: int
    assigned: int
    attempts: int
    graded: int
    average: float | None
    pass_rate: float | None
    questions: list[QuestionRowOut]


class _ReportOut(OutModel):
    view: str
    title: str
    columns: list[ColumnOut]
    total: int
    limit: int
    offset: int
    filters: str
    chart: ChartOut | None


class LessonsOut(_ReportOut):
    items: list[LessonRowOut]


class StudentsOut(_ReportOut):
    items: list[StudentRowOut]


class QuizzesOut(_ReportOut):
    items: list[QuizRowOut]


def report_out(table: ReportTable) -> dict[str, Any]:
    return {"view": table.view.value, "title": table.title, "total": table.total, "limit": table.limit,
            "offset": table.offset, "filters": table.filters.describe(), "chart": table.chart,
            "columns": [{"key": key, "label": label} for key, label in table.columns], "items": table.rows}


def _report(ctx: Ctx, query: ReportQuery, kruzhok_id: str, view: reports.ReportView) -> dict[str, Any]:
    table = reports.club_report(ctx.session, actor=ctx.actor, kruzhok_id=kruzhok_id, view=view, raw=query.raw(),
                                limit=query.limit, offset=query.offset)
    return report_out(table)


@api("/api/kruzhok/{kruzhok_id}/reports/lessons", "GET", query=ReportQuery, response=LessonsOut, tag="reports")
def lessons(ctx: Ctx, query: ReportQuery, kruzhok_id: str) -> dict[str, Any]:
    """Owner or mentor: held sessions newest first, with marks, scores and materials as they were."""
    return _report(ctx, query, kruzhok_id, reports.ReportView.LESSONS)


@api("/api/kruzhok/{kruzhok_id}/reports/students", "GET", query=ReportQuery, response=StudentsOut, tag="reports")
def students(ctx: Ctx, query: ReportQuery, kruzhok_id: str) -> dict[str, Any]:
    """Owner or mentor: per student attendance %, quiz average, XP in the club, recent activity."""
    return _report(ctx, query, kruzhok_id, reports.ReportView.STUDENTS)


@api("/api/kruzhok/{kruzhok_id}/reports/quizzes", "GET", query=ReportQuery, response=QuizzesOut, tag="reports")
def quizzes(ctx: Ctx, query: ReportQuery, kruzhok_id: str) -> dict[str, Any]:
    """Owner or mentor: per quiz attempts, average, pass rate and the hardest questions."""
    return _report(ctx, query, kruzhok_id, reports.ReportView.QUIZZES)


@api("/api/kruzhok/{kruzhok_id}/reports/export", "POST", body=ExportIn, response=bytes, tag="reports")
def export(ctx: Ctx, body: ExportIn, kruzhok_id: str) -> Response:
    """Owner or mentor: a report as a CSV (UTF-8 with BOM, `;`) or PDF (title, filters, chart, table) file."""
    raw = body.filters.raw() if body.filters is not None else {}
    file = reports.club_export(ctx.session, actor=ctx.actor, kruzhok_id=kruzhok_id, view=body.view,
                               fmt=body.format, raw=raw, now=ctx.now)
    return Response(file.content, media_type=file.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"',
                             "Cache-Control": "private, no-store"})


_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
# The export answers with a file, not JSON: documented by hand (replaces the generated operation).
register_path("/api/kruzhok/{kruzhok_id}/reports/export", "POST", {
    "summary": "Выгрузка отчёта кружка в CSV или PDF (владелец или ментор кружка)",
    "tags": ["reports"], "operationId": "export_report",
    "parameters": [{"name": "kruzhok_id", "in": "path", "required": True, "schema": {"type": "string"}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/ExportIn"}}}},
    "responses": {
        "200": {"description": "Файл отчёта (Content-Disposition: attachment)", "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        "403": {"description": "Не владелец и не ментор кружка", **_ERROR},
        "404": {"description": "Кружок не найден", **_ERROR},
        "422": {"description": "Неизвестный отчёт/формат или неверные фильтры", **_ERROR},
    },
})

routes = [lessons, students, quizzes, export]
