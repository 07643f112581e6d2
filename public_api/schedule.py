"""Schedule (SPEC §9) and batch attendance (SPEC §10) routes of a club."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field
from starlette.responses import Response

from core.csv_export import iter_csv
from core.models import AttendanceStatus
from core.services import attendance, attendance_matrix, attendance_pdf, calendar_feed, schedule
from public_api.checkin import CheckinOut
from public_api.http import Ctx, api
from public_api.openapi import NO_NUL, register_path
from public_api.validation import ApiModel, MultiLine, OneLine, OutModel, QueryModel, declared

# Declared; checked (with its Russian message) by core's schedule service.
Duration = Annotated[int, declared(minimum=schedule.MIN_DURATION, maximum=schedule.MAX_DURATION)]


class SessionIn(ApiModel):
    class_id: str = Field(max_length=64)
    scheduled_date: datetime
    duration: Duration
    location: OneLine | None = Field(default=None, max_length=schedule.MAX_LOCATION)
    program_lesson_id: str | None = Field(default=None, max_length=64)
    mentor_notes: MultiLine | None = Field(default=None, max_length=schedule.MAX_NOTES)
    auto_send_quiz: bool = True


class SessionPatch(ApiModel):
    scheduled_date: datetime | None = None
    duration: Duration | None = None
    location: OneLine | None = Field(default=None, max_length=schedule.MAX_LOCATION)
    program_lesson_id: str | None = Field(default=None, max_length=64)
    mentor_notes: MultiLine | None = Field(default=None, max_length=schedule.MAX_NOTES)
    auto_send_quiz: bool | None = None


class ScheduleQuery(QueryModel):
    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")
    class_id: str | None = Field(default=None, max_length=64)


class SessionOut(OutModel):
    id: str
    kruzhok_id: str
    class_id: str
    class_name: str
    program_lesson_id: str | None
    lesson_title: str | None
    starts_at: datetime
    ends_at: datetime
    local_date: date
    time_range: str
    timezone: str
    duration: int
    location: str | None
    mentor_notes: str | None
    status: str
    auto_send_quiz: bool
    in_progress: bool


class SessionListOut(OutModel):
    items: list[SessionOut]


class MarkIn(ApiModel):
    student_id: str = Field(max_length=64)
    session_id: str = Field(max_length=64)
    status: Annotated[str, declared(enum=[s.value for s in AttendanceStatus])] = Field(max_length=32)


class BatchIn(ApiModel):
    records: list[MarkIn] = Field(max_length=attendance.MAX_RECORDS)


class MarkOut(OutModel):
    student_id: str
    session_id: str
    status: str
    changed: bool
    xp_delta: int


class BatchOut(OutModel):
    saved: int
    changed: int
    xp_total_delta: int
    records: list[MarkOut]


class MatrixQuery(QueryModel):
    class_id: str = Field(max_length=64)
    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")
    format: Literal["json", "csv", "pdf"] = "json"


class MatrixRowOut(OutModel):
    student_id: str
    full_name: str
    enrollment_status: str
    cells: dict[str, str]
    percent: float | None


class MatrixOut(OutModel):
    kruzhok_id: str
    kruzhok_title: str
    class_id: str
    class_name: str
    date_from: date
    date_to: date
    sessions: list[SessionOut]
    students: list[MatrixRowOut]
    sessions_held: int
    class_average: float | None


class SessionStudentOut(OutModel):
    student_id: str
    full_name: str
    enrollment_status: str
    status: str | None


class SessionMaterialOut(OutModel):
    kind: str
    key: str
    url: str


class LessonPageOut(OutModel):
    session: SessionOut
    has_scenario: bool
    has_presentation: bool
    materials: list[SessionMaterialOut]
    quiz_id: str | None
    quiz_title: str | None
    quiz_sent: bool
    quiz_assigned_count: int
    students: list[SessionStudentOut]
    checkin: CheckinOut | None


MAX_CALENDAR_TOKEN = 1000


class CalendarQuery(QueryModel):
    token: str = Field(max_length=MAX_CALENDAR_TOKEN)


class CalendarLinkOut(OutModel):
    url: str
    token: str


@api("/api/kruzhok/{kruzhok_id}/schedule", "POST", body=SessionIn, response=SessionOut, status=201, tag="schedule")
def create_session(ctx: Ctx, body: SessionIn, kruzhok_id: str) -> object:
    """Owner or mentor: schedule a lesson session (date in the club's timezone, 30–180 minutes)."""
    return schedule.create_session(
        ctx.session, actor=ctx.actor, kruzhok_id=kruzhok_id, class_id=body.class_id,
        scheduled_date=body.scheduled_date, duration=body.duration, location=body.location,
        program_lesson_id=body.program_lesson_id, mentor_notes=body.mentor_notes,
        auto_send_quiz=body.auto_send_quiz, now=ctx.now)


@api("/api/kruzhok/{kruzhok_id}/schedule", "GET", query=ScheduleQuery, response=SessionListOut, tag="schedule")
def list_schedule(ctx: Ctx, query: ScheduleQuery, kruzhok_id: str) -> dict:
    """Mentor or enrolled student: sessions between two local dates (default 31 days from today)."""
    items = schedule.list_schedule(ctx.session, actor=ctx.actor, kruzhok_id=kruzhok_id, now=ctx.now,
                                   date_from=query.date_from, date_to=query.date_to, class_id=query.class_id)
    return {"items": items}


@api("/api/kruzhok/{kruzhok_id}/schedule/today", "GET", response=SessionListOut, tag="schedule")
def club_today(ctx: Ctx, kruzhok_id: str) -> dict:
    """Today's sessions of the club (its timezone), the one in progress or the next first."""
    return {"items": schedule.today_for_club(ctx.session, actor=ctx.actor, kruzhok_id=kruzhok_id, now=ctx.now)}


@api("/api/mentor/today", "GET", response=SessionListOut, tag="schedule")
def mentor_today(ctx: Ctx) -> dict:
    """Today's sessions across every club the caller owns or mentors."""
    return {"items": schedule.mentor_today(ctx.session, actor=ctx.actor, now=ctx.now)}


@api("/api/kruzhok/schedule/{session_id}", "PUT", body=SessionPatch, response=SessionOut, tag="schedule")
def update_session(ctx: Ctx, body: SessionPatch, session_id: str) -> object:
    """Owner or mentor: change a scheduled session (only the fields sent)."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    return schedule.update_session(ctx.session, actor=ctx.actor, session_id=session_id, changes=changes,
                                   now=ctx.now)


@api("/api/kruzhok/schedule/{session_id}/cancel", "POST", response=SessionOut, tag="schedule")
def cancel_session(ctx: Ctx, session_id: str) -> object:
    """Owner or mentor: cancel a scheduled session (it stays in the schedule as CANCELLED)."""
    return schedule.cancel_session(ctx.session, actor=ctx.actor, session_id=session_id, now=ctx.now)


@api("/api/kruzhok/{kruzhok_id}/attendance/batch", "POST", body=BatchIn, response=BatchOut, tag="attendance")
def save_attendance(ctx: Ctx, body: BatchIn, kruzhok_id: str) -> object:
    """Owner or mentor: save marks all-or-nothing (422 invalid_attendance lists every bad record)."""
    marks = [attendance.MarkIn(student_id=r.student_id, session_id=r.session_id, status=r.status)
             for r in body.records]
    return attendance.save_batch(ctx.session, actor=ctx.actor, kruzhok_id=kruzhok_id, marks=marks, now=ctx.now,
                                thresholds=ctx.settings.xp_thresholds)


@api("/api/kruzhok/{kruzhok_id}/attendance", "GET", query=MatrixQuery, response=MatrixOut, tag="attendance")
def get_attendance_matrix(ctx: Ctx, query: MatrixQuery, kruzhok_id: str) -> object:
    """Owner or mentor: the class's attendance matrix (sessions × students); `format=csv`/`pdf` export it."""
    result = attendance_matrix.attendance_matrix(ctx.session, actor=ctx.actor, kruzhok_id=kruzhok_id,
                                                 class_id=query.class_id, date_from=query.date_from,
                                                 date_to=query.date_to, now=ctx.now)
    if query.format == "csv":
        header, rows = attendance_matrix.matrix_csv_rows(result)
        name = f"attendance-{result.date_from:%Y%m%d}-{result.date_to:%Y%m%d}.csv"
        return Response("\ufeff" + "".join(iter_csv(header, rows)), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    if query.format == "pdf":
        name = f"attendance-{result.date_from:%Y%m%d}-{result.date_to:%Y%m%d}.pdf"
        return Response(attendance_pdf.render_matrix_pdf(result), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return result


@api("/api/kruzhok/lesson/{session_id}", "GET", response=LessonPageOut, tag="schedule")
def lesson_page(ctx: Ctx, session_id: str) -> object:
    """Owner or mentor: the lesson page — session, materials, students with their marks, quiz sent or not."""
    return schedule.lesson_page(ctx.session, actor=ctx.actor, session_id=session_id, now=ctx.now,
                                secret_key=ctx.settings.secret_key)


@api("/api/kruzhok/{kruzhok_id}/schedule/calendar-link", "GET", response=CalendarLinkOut, tag="schedule")
def calendar_link(ctx: Ctx, kruzhok_id: str) -> dict:
    """Mentor or enrolled student: the caller's own .ics subscription link for this club."""
    token = calendar_feed.issue_calendar_token(ctx.session, actor=ctx.actor, kruzhok_id=kruzhok_id,
                                               secret_key=ctx.settings.secret_key)
    base = ctx.settings.public_base_url.rstrip("/")
    return {"url": f"{base}/api/kruzhok/{kruzhok_id}/schedule.ics?token={token}", "token": token}


@api("/api/kruzhok/{kruzhok_id}/schedule.ics", "GET", query=CalendarQuery, response=str, auth_mode="optional",
     tag="schedule")
def club_calendar(ctx: Ctx, query: CalendarQuery, kruzhok_id: str) -> Response:
    """The club's schedule as iCalendar (TZID = the club's timezone); `token` from calendar-link."""
    body = calendar_feed.calendar_feed(ctx.session, kruzhok_id=kruzhok_id, token=query.token,
                                       secret_key=ctx.settings.secret_key, now=ctx.now)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="schedule.ics"', "Cache-Control": "private"})


# The feed is text/calendar, not JSON: documented by hand (replaces the generated operation).
register_path("/api/kruzhok/{kruzhok_id}/schedule.ics", "GET", {
    "summary": "Расписание кружка в формате iCalendar (подписка по ссылке из calendar-link)",
    "tags": ["schedule"], "operationId": "calendar",
    "parameters": [{"name": "kruzhok_id", "in": "path", "required": True, "schema": {"type": "string"}},
                   {"name": "token", "in": "query", "required": True,
                    "schema": {"type": "string", "maxLength": MAX_CALENDAR_TOKEN, "pattern": NO_NUL}}],
    "responses": {"200": {"description": "VCALENDAR с TZID часового пояса кружка",
                          "content": {"text/calendar": {"schema": {"type": "string"}}}},
                  "401": {"description": "Недействительная ссылка", "content": {"application/json": {
                      "schema": {"$ref": "#/components/schemas/Error"}}}}},
})

routes = [create_session, list_schedule, club_today, mentor_today, update_session, cancel_session, save_attendance,
          get_attendance_matrix, lesson_page, calendar_link, club_calendar]
