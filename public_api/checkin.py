"""Self check-in of a running lesson session: the mentor's rotating code and the student's mark."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from core.services import checkin
from public_api.http import Ctx, api
from public_api.validation import ApiModel, OutModel, declared


class CheckinOut(OutModel):
    session_id: str
    is_open: bool
    code: str | None
    code_expires_at: datetime | None
    opened_at: datetime | None
    closes_at: datetime | None
    rotation_seconds: int


class CheckinIn(ApiModel):
    code: Annotated[str, declared(pattern=checkin.CODE_PATTERN)] = Field(max_length=32)


class CheckinResultOut(OutModel):
    session_id: str
    status: str
    marked: bool
    xp_delta: int


@api("/api/kruzhok/lesson/{session_id}/checkin/open", "POST", response=CheckinOut, tag="attendance")
def open_checkin(ctx: Ctx, session_id: str) -> object:
    """Owner or mentor: open self check-in of a running session; the current code and when it rotates."""
    return checkin.open_checkin(ctx.session, actor=ctx.actor, session_id=session_id,
                                secret_key=ctx.settings.secret_key, now=ctx.now)


@api("/api/kruzhok/lesson/{session_id}/checkin/close", "POST", response=CheckinOut, tag="attendance")
def close_checkin(ctx: Ctx, session_id: str) -> object:
    """Owner or mentor: close self check-in now."""
    return checkin.close_checkin(ctx.session, actor=ctx.actor, session_id=session_id,
                                 secret_key=ctx.settings.secret_key, now=ctx.now)


@api("/api/kruzhok/lesson/{session_id}/checkin", "GET", response=CheckinOut, tag="attendance")
def checkin_state(ctx: Ctx, session_id: str) -> object:
    """Owner or mentor: whether self check-in is open, with the current code (poll it as it rotates)."""
    return checkin.checkin_state(ctx.session, actor=ctx.actor, session_id=session_id,
                                 secret_key=ctx.settings.secret_key, now=ctx.now)


@api("/api/kruzhok/lesson/{session_id}/checkin", "POST", body=CheckinIn, response=CheckinResultOut,
     tag="attendance")
def check_in(ctx: Ctx, body: CheckinIn, session_id: str) -> object:
    """Student of the class: mark yourself present with the code the mentor shows (wrong codes are limited)."""
    return checkin.check_in(ctx.session, actor=ctx.actor, session_id=session_id, code=body.code,
                            ip=ctx.client_ip, secret_key=ctx.settings.secret_key, now=ctx.now,
                            thresholds=ctx.settings.xp_thresholds)


routes = [open_checkin, close_checkin, checkin_state, check_in]
