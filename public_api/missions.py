"""Daily missions and the leaderboard of a course (students enrolled in it, and admins)."""

from __future__ import annotations

from datetime import date

from core.services import missions
from core.services.pagination import Page
from public_api.http import Ctx, api
from public_api.validation import OutModel, PageQuery


class MissionOut(OutModel):
    id: str
    title: str
    target: int
    xp_reward: int
    progress: int
    completed: bool


class MissionsOut(OutModel):
    day: date
    timezone: str
    items: list[MissionOut]


class LeaderRowOut(OutModel):
    rank: int
    user_id: str
    full_name: str
    experience_points: int


class LeaderboardOut(OutModel):
    items: list[LeaderRowOut]
    me: LeaderRowOut | None
    total: int
    limit: int
    offset: int


@api("/api/courses/{course_id}/missions", "GET", response=MissionsOut, tag="courses")
def course_missions(ctx: Ctx, course_id: str) -> dict:
    """Today's daily missions of the course with the caller's progress (local day, DEFAULT_TIMEZONE)."""
    timezone = ctx.settings.default_timezone
    day, rows = missions.today_missions(ctx.session, actor=ctx.actor, course_id=course_id, now=ctx.now,
                                        timezone=timezone)
    return {"day": day, "timezone": timezone, "items": [
        {"id": r.mission.id, "title": r.mission.title, "target": r.mission.target, "xpReward": r.mission.xp_reward,
         "progress": r.progress, "completed": r.completed} for r in rows]}


@api("/api/courses/{course_id}/leaderboard", "GET", query=PageQuery, response=LeaderboardOut, tag="courses")
def course_leaderboard(ctx: Ctx, query: PageQuery, course_id: str) -> dict:
    """Students enrolled in the course ranked by XP (equal XP, equal rank), with the caller's own rank."""
    page = Page.of(query.limit, query.offset)
    rows, me, total = missions.leaderboard(ctx.session, actor=ctx.actor, course_id=course_id, limit=page.limit,
                                           offset=page.offset)
    return {"items": rows, "me": me, "total": total, "limit": page.limit, "offset": page.offset}


routes = [course_missions, course_leaderboard]
