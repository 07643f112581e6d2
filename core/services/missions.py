"""Daily missions of a course ("answer N questions correctly today", SPEC §4) and the leaderboard.

"Today" is the local day in DEFAULT_TIMEZONE. When a correct answer brings today's count of
correct answers in the course to a mission's target, the mission's XP is awarded once per mission,
user and day: a `MissionCompletion` row (unique mission+user+day) and an XP source_key of the same
three parts, so retries and races award it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import local_date
from core.errors import ErrorCode, Forbidden, NotFound, field_error
from core.models import (
    AuditAction,
    Course,
    CourseEnrollment,
    DailyMission,
    Lesson,
    LessonQuestion,
    MissionCompletion,
    Module,
    QuestionAnswer,
    User,
    XpSource,
)
from core.services import audit, clean, xp
from core.services.courses import is_enrolled
from core.services.permissions import require_admin, require_user

MAX_TARGET = 100
MAX_REWARD = 1000


@dataclass(frozen=True)
class MissionProgress:
    mission: DailyMission
    progress: int
    completed: bool


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of a local day, as aware datetimes (compared with UTC timestamps)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def correct_answers_on(session: Session, *, user_id: str, course_id: str, day: date, timezone: str) -> int:
    start, end = day_bounds(day, timezone)
    return session.scalar(
        select(func.count()).select_from(QuestionAnswer)
        .join(LessonQuestion, LessonQuestion.id == QuestionAnswer.question_id)
        .join(Lesson, Lesson.id == LessonQuestion.lesson_id).join(Module, Module.id == Lesson.module_id)
        .where(QuestionAnswer.user_id == user_id, QuestionAnswer.is_correct.is_(True), Module.course_id == course_id,
               QuestionAnswer.created_at >= start, QuestionAnswer.created_at < end)) or 0


def _active_missions(session: Session, course_id: str) -> list[DailyMission]:
    return list(session.scalars(select(DailyMission).where(DailyMission.course_id == course_id,
                                                           DailyMission.is_active.is_(True))
                                .order_by(DailyMission.target, DailyMission.id)))


def on_correct_answer(session: Session, *, user_id: str, course_id: str, now: datetime, timezone: str,
                      thresholds: Sequence[int] = xp.DEFAULT_THRESHOLDS) -> int:
    """After a first correct answer: complete the missions whose target is reached today; returns XP awarded."""
    missions = _active_missions(session, course_id)
    if not missions:
        return 0
    day = local_date(now, timezone)
    count = correct_answers_on(session, user_id=user_id, course_id=course_id, day=day, timezone=timezone)
    awarded = 0
    for mission in missions:
        if count < mission.target:
            continue
        try:
            with session.begin_nested():
                session.add(MissionCompletion(mission_id=mission.id, user_id=user_id, day=day, created_at=now))
                session.flush()
        except IntegrityError:
            continue  # already completed today
        if xp.award_xp(session, user_id=user_id, amount=mission.xp_reward, source=XpSource.DAILY_MISSION,
                       reason=f"Ежедневная миссия: {mission.title}", now=now, course_id=course_id,
                       source_key=f"mission:{mission.id}:{user_id}:{day.isoformat()}", thresholds=thresholds):
            awarded += mission.xp_reward
    return awarded


def _course_for_member(session: Session, actor: User, course_id: str) -> Course:
    """The course, if the caller is enrolled in it (or an admin); 404 unknown/unpublished, 403 not enrolled."""
    course = clean.get_row(session, Course, course_id)
    if course is None or (not course.is_published and not actor.is_admin):
        raise NotFound("Курс не найден")
    if not actor.is_admin and not is_enrolled(session, user_id=actor.id, course_id=course.id):
        raise Forbidden("Доступно после записи на курс", code=ErrorCode.NOT_ENROLLED)
    return course


def today_missions(session: Session, *, actor: User | None, course_id: str, now: datetime,
                   timezone: str) -> tuple[date, list[MissionProgress]]:
    """Today's (local day) progress of the caller on each active mission of the course: 3 queries."""
    actor = require_user(actor)
    course = _course_for_member(session, actor, course_id)
    day = local_date(now, timezone)
    missions = _active_missions(session, course.id)
    if not missions:
        return day, []
    count = correct_answers_on(session, user_id=actor.id, course_id=course.id, day=day, timezone=timezone)
    done = set(session.scalars(select(MissionCompletion.mission_id).where(
        MissionCompletion.user_id == actor.id, MissionCompletion.day == day,
        MissionCompletion.mission_id.in_([m.id for m in missions]))))
    return day, [MissionProgress(m, min(count, m.target), m.id in done) for m in missions]


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    clean_values: dict[str, Any] = {}
    if "title" in values:
        clean_values["title"] = clean.clean_title(values["title"], label="Название миссии")
    if "target" in values:
        clean_values["target"] = clean.clean_int(values["target"], field="target", label="Цель (правильных ответов)",
                                                 minimum=1, maximum=MAX_TARGET)
    if "xp_reward" in values:
        clean_values["xp_reward"] = clean.clean_int(values["xp_reward"], field="xp_reward", label="Награда XP",
                                                    minimum=0, maximum=MAX_REWARD)
    if "is_active" in values:
        clean_values["is_active"] = bool(values["is_active"])
    return clean_values


def create_mission(session: Session, *, actor: User | None, course_id: str, values: dict[str, Any],
                   now: datetime) -> DailyMission:
    """Admin: a new daily mission for a course; audited."""
    actor = require_admin(actor)
    if clean.get_row(session, Course, course_id) is None:
        raise field_error("course", "Выберите курс")
    values_ok = _clean({"title": values.get("title"), "target": values.get("target"),
                    "xp_reward": values.get("xp_reward"), "is_active": values.get("is_active", True)})
    mission = DailyMission(course_id=course_id, created_at=now, **values_ok)
    session.add(mission)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.MISSION_CREATE, entity="daily_mission", entity_id=mission.id,
                 now=now, data={"courseId": course_id, **values_ok})
    return mission


def update_mission(session: Session, *, actor: User | None, mission_id: str, values: dict[str, Any],
                   now: datetime) -> DailyMission:
    """Admin: change a mission's title, target, reward or active flag (the course stays); audited."""
    actor = require_admin(actor)
    mission = clean.get_row(session, DailyMission, mission_id)
    if mission is None:
        raise NotFound("Миссия не найдена")
    values_ok = _clean({k: v for k, v in values.items() if k in ("title", "target", "xp_reward", "is_active")})
    before = {k: getattr(mission, k) for k in values_ok}
    for key, value in values_ok.items():
        setattr(mission, key, value)
    audit.record(session, actor=actor, action=AuditAction.MISSION_UPDATE, entity="daily_mission", entity_id=mission.id,
                 now=now, data={"before": before, "after": values_ok})
    return mission


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    user_id: str
    full_name: str
    experience_points: int


def leaderboard(session: Session, *, actor: User | None, course_id: str, limit: int,
                offset: int = 0) -> tuple[list[LeaderboardRow], LeaderboardRow | None, int]:
    """Enrolled students by total XP (ties share a rank), the caller's own row, and the total: 3 queries."""
    actor = require_user(actor)
    course = _course_for_member(session, actor, course_id)
    ranked = (select(User.id.label("user_id"), User.full_name, User.experience_points,
                     func.rank().over(order_by=User.experience_points.desc()).label("rank"))
              .join(CourseEnrollment, CourseEnrollment.user_id == User.id)
              .where(CourseEnrollment.course_id == course.id).subquery())
    rows = session.execute(select(ranked).order_by(ranked.c.rank, ranked.c.full_name, ranked.c.user_id)
                           .limit(limit).offset(offset)).all()
    mine = session.execute(select(ranked).where(ranked.c.user_id == actor.id)).first()
    total = session.scalar(select(func.count()).select_from(CourseEnrollment)
                           .where(CourseEnrollment.course_id == course.id)) or 0

    def out(row: Any) -> LeaderboardRow:
        return LeaderboardRow(int(row.rank), row.user_id, row.full_name, int(row.experience_points))

    return [out(r) for r in rows], (out(mine) if mine is not None else None), int(total)
