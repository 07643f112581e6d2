"""The club schedule as an iCalendar feed (SPEC §9) a calendar app can subscribe to.

Calendar apps send no headers, so the URL carries a per-user, per-club token signed with the secret
key (salt `s7-calendar`). It holds the user's `token_version`: "log out everywhere", a block or a
password change ends it like a bearer token. Access is checked again on every fetch (a student who
left the class stops seeing it). Times carry the club's timezone as TZID with its VTIMEZONE.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from core.clock import local_date
from core.errors import ErrorCode, Forbidden, Unauthorized
from core.models import SessionStatus, User
from core.services.club_access import get_club, is_club_mentor, is_club_student
from core.services.permissions import require_user
from core.services.schedule import MSG_VIEW, list_schedule

SALT = "s7-calendar"
PAST_DAYS, FUTURE_DAYS = 30, 180
MSG_BAD_TOKEN = "Ссылка на календарь недействительна. Получите новую ссылку в расписании кружка."


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def issue_calendar_token(session: Session, *, actor: User | None, kruzhok_id: str, secret_key: str) -> str:
    """A feed token for the caller and this club (mentor or enrolled student)."""
    actor = require_user(actor)
    club = get_club(session, kruzhok_id)
    if not (is_club_mentor(session, actor, club) or is_club_student(session, actor, club)):
        raise Forbidden(MSG_VIEW)
    return str(_serializer(secret_key).dumps({"uid": actor.id, "k": club.id, "v": actor.token_version}))


def _reader(session: Session, token: str, kruzhok_id: str, secret_key: str) -> User:
    bad = Unauthorized(MSG_BAD_TOKEN, code=ErrorCode.INVALID_TOKEN)
    try:
        data: Any = _serializer(secret_key).loads(token)
    except (BadSignature, ValueError) as exc:
        raise bad from exc
    if not isinstance(data, dict) or data.get("k") != kruzhok_id or not isinstance(data.get("uid"), str):
        raise bad
    user = session.get(User, data["uid"])
    if user is None or user.token_version != data.get("v") or user.is_blocked:
        raise bad
    return user


def calendar_feed(session: Session, *, kruzhok_id: str, token: str, secret_key: str, now: datetime) -> bytes:
    """The .ics body: the sessions the token's user may see, 30 days back to 180 days ahead."""
    user = _reader(session, token, kruzhok_id, secret_key)
    club = get_club(session, kruzhok_id)
    today = local_date(now, club.timezone)
    items = list_schedule(session, actor=user, kruzhok_id=club.id, now=now,
                          date_from=today - timedelta(days=PAST_DAYS), date_to=today + timedelta(days=FUTURE_DAYS))
    tz = ZoneInfo(club.timezone)
    cal = Calendar()
    cal.add("prodid", "-//S7 Robotics//Расписание//RU")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{club.title}")
    cal.add("x-wr-timezone", club.timezone)
    for item in items:
        event = Event()
        event.add("uid", f"{item.id}@s7robotics")
        event.add("dtstamp", now)
        event.add("dtstart", item.starts_at.astimezone(tz))
        event.add("dtend", item.ends_at.astimezone(tz))
        event.add("summary", f"{item.lesson_title or 'Занятие'} — {item.class_name}")
        if item.location:
            event.add("location", item.location)
        event.add("status", "CANCELLED" if item.status == SessionStatus.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
