"""Ежедневные миссии: per-course "answer N questions correctly today" missions, saved through the service."""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.requests import Request

from admin_app.base_view import S7ModelView
from admin_app.helpers import run_service
from core.clock import utcnow
from core.models import DailyMission
from core.services import missions


def _course_id(value: Any) -> str:
    return str(getattr(value, "id", value) or "")


class DailyMissionAdmin(S7ModelView, model=DailyMission):
    name = "Ежедневная миссия"
    name_plural = "Ежедневные миссии"
    icon = "fa-solid fa-bullseye"
    identity = "daily-mission"
    can_delete = False  # completions and XP refer to it: deactivate instead
    column_list: ClassVar[list[Any]] = [DailyMission.title, DailyMission.course, DailyMission.target,
                                        DailyMission.xp_reward, DailyMission.is_active, DailyMission.created_at]
    column_sortable_list: ClassVar[list[Any]] = [DailyMission.title, DailyMission.created_at]
    column_default_sort: ClassVar[list[Any]] = [(DailyMission.created_at, True)]
    form_columns: ClassVar[list[Any]] = [DailyMission.course, DailyMission.title, DailyMission.target,
                                         DailyMission.xp_reward, DailyMission.is_active]
    form_ajax_refs: ClassVar[dict[str, dict[str, Any]]] = {"course": {"fields": ("title",), "limit": 20}}
    form_args: ClassVar[dict[str, Any]] = {
        "course": {"allow_blank": True},  # an empty choice reaches the service: «Выберите курс», in Russian
        "target": {"description": f"Сколько вопросов ответить правильно за день (1–{missions.MAX_TARGET})"},
        "xp_reward": {"description": f"XP за выполнение, один раз в день (0–{missions.MAX_REWARD})"},
    }
    column_labels: ClassVar[dict[Any, str]] = {
        DailyMission.title: "Название", DailyMission.course: "Курс", DailyMission.target: "Цель (правильных ответов)",
        DailyMission.xp_reward: "Награда XP", DailyMission.is_active: "Активна", DailyMission.created_at: "Создана",
    }

    async def insert_model(self, request: Request, data: dict) -> Any:
        course_id = _course_id(data.get("course"))
        return await run_service(request, lambda s, a: missions.create_mission(
            s, actor=a, course_id=course_id, values=data, now=utcnow()))

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        return await run_service(request, lambda s, a: missions.update_mission(
            s, actor=a, mission_id=pk, values=data, now=utcnow()))
