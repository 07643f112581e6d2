"""Back-office «Ежедневные миссии»: created and edited through missions.create/update_mission (audited)."""

from __future__ import annotations

from sqlalchemy import select

from core.models import AuditEvent, DailyMission
from tests.admin.helpers import ORIGIN, csrf_of, login


def _form(client, course_id, **values):
    data = {"csrf_token": csrf_of(client), "course": course_id, "title": "Пять верных ответов", "target": "5",
            "xp_reward": "40", "is_active": "y", "save": "Save", **values}
    return client.post("/admin/daily-mission/create", data=data, headers=ORIGIN, follow_redirects=False)


def test_admin_creates_a_mission_for_a_course(client, make, session):
    course = make.course()
    login(client, make.admin())
    assert client.get("/admin/daily-mission/list").status_code == 200
    assert client.get("/admin/daily-mission/create").status_code == 200
    r = _form(client, course.id)
    assert r.status_code == 302, r.text[:1000]
    mission = session.scalar(select(DailyMission).where(DailyMission.course_id == course.id))
    assert (mission.title, mission.target, mission.xp_reward, mission.is_active) == ("Пять верных ответов", 5, 40, True)
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.entity_id == mission.id)) == "mission.create"
    page = client.get("/admin/daily-mission/list").text
    assert "Пять верных ответов" in page and course.title in page


def test_bad_target_is_a_russian_form_error_and_nothing_is_saved(client, make, session):
    course = make.course()
    login(client, make.admin())
    r = _form(client, course.id, target="0")
    assert r.status_code == 400 and "Цель (правильных ответов)" in r.text
    assert session.scalar(select(DailyMission).where(DailyMission.course_id == course.id)) is None
