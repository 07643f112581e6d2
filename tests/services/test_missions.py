"""Daily missions: progress per local day (DEFAULT_TIMEZONE), XP once per mission per day (SPEC §4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import Forbidden, Invalid, NotFound
from core.models import AuditEvent, DailyMission, MissionCompletion, XpEvent
from core.services import course_progress, missions
from tests.factories_learning import questions_of
from tests.xp_ledger import assert_xp_matches_ledger

TZ = "Asia/Almaty"  # UTC+5
# 18:30 UTC = 23:30 in Almaty; 19:30 UTC is already the next local day.
LATE = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)


def _mission(session, make, course, **values):
    return missions.create_mission(session, actor=make.admin(), course_id=course.id,
                                   values={"title": "Ответь на 3 вопроса", "target": 3, "xp_reward": 30, **values},
                                   now=LATE)


def _answer(session, course, student, question, now, answer=None):
    return course_progress.answer_question(session, actor=student, course_id=course.id, question_id=question.id,
                                           answer=answer or question.correct_answer, now=now, timezone=TZ)


def test_reaching_the_target_awards_the_mission_once_per_day(session, make):
    course = make.course(questions=8)
    mission = _mission(session, make, course)
    student = make.student()
    make.course_enrollment(course, student)
    qs = questions_of(course)
    assert _answer(session, course, student, qs[0], LATE, answer="неверно").mission_xp_awarded == 0
    assert [_answer(session, course, student, q, LATE).mission_xp_awarded for q in qs[:4]] == [0, 0, 30, 0]
    day, [row] = missions.today_missions(session, actor=student, course_id=course.id, now=LATE, timezone=TZ)
    assert (str(day), row.mission.id, row.progress, row.completed) == ("2026-03-02", mission.id, 3, True)
    # The next local day (19:30 UTC = 00:30 Almaty) starts from zero and can award again.
    tomorrow = LATE + timedelta(hours=1)
    day, [row] = missions.today_missions(session, actor=student, course_id=course.id, now=tomorrow, timezone=TZ)
    assert (str(day), row.progress, row.completed) == ("2026-03-03", 0, False)
    assert [_answer(session, course, student, q, tomorrow).mission_xp_awarded for q in qs[4:7]] == [0, 0, 30]
    rewards = session.scalars(select(XpEvent.amount).where(XpEvent.user_id == student.id,
                                                           XpEvent.source == "DAILY_MISSION")).all()
    assert rewards == [30, 30]
    assert session.scalar(select(func.count()).select_from(MissionCompletion)
                          .where(MissionCompletion.user_id == student.id)) == 2
    assert_xp_matches_ledger(session, [student.id])


def test_reanswered_questions_and_other_courses_do_not_count(session, make):
    course, other = make.course(questions=3), make.course(questions=3)
    _mission(session, make, course, target=2)
    student = make.student()
    make.course_enrollment(course, student)
    for q in questions_of(other):
        _answer(session, other, student, q, LATE)
    q = questions_of(course)[0]
    _answer(session, course, student, q, LATE)
    _answer(session, course, student, q, LATE, answer="нет")
    assert _answer(session, course, student, q, LATE).mission_xp_awarded == 0
    _, [row] = missions.today_missions(session, actor=student, course_id=course.id, now=LATE, timezone=TZ)
    assert (row.progress, row.completed) == (1, False)


def test_inactive_missions_are_hidden_and_never_awarded(session, make):
    course = make.course(questions=2)
    admin = make.admin()
    mission = _mission(session, make, course, target=1)
    missions.update_mission(session, actor=admin, mission_id=mission.id, values={"is_active": False}, now=LATE)
    student = make.student()
    make.course_enrollment(course, student)
    assert _answer(session, course, student, questions_of(course)[0], LATE).mission_xp_awarded == 0
    assert missions.today_missions(session, actor=student, course_id=course.id, now=LATE, timezone=TZ)[1] == []


def test_missions_need_enrolment(session, make):
    course = make.course()
    with pytest.raises(Forbidden):
        missions.today_missions(session, actor=make.student(), course_id=course.id, now=LATE, timezone=TZ)
    with pytest.raises(NotFound):
        missions.today_missions(session, actor=make.student(), course_id="nope", now=LATE, timezone=TZ)
    hidden = make.course(is_published=False)
    with pytest.raises(NotFound):
        missions.leaderboard(session, actor=make.student(), course_id=hidden.id, limit=20)


@pytest.mark.parametrize("values,field", [
    ({"target": 0}, "target"), ({"target": 101}, "target"), ({"target": "abc"}, "target"),
    ({"target": 1.5}, "target"), ({"xp_reward": -1}, "xp_reward"), ({"xp_reward": 1001}, "xp_reward"),
    ({"title": "  "}, "title"), ({"title": "x" * 201}, "title"),
])
def test_bad_mission_values_are_422_and_nothing_is_created(session, make, values, field):
    course = make.course()
    with pytest.raises(Invalid) as err:
        _mission(session, make, course, **values)
    assert err.value.details["fields"][0]["field"] == field
    assert session.scalar(select(func.count()).select_from(DailyMission)
                          .where(DailyMission.course_id == course.id)) == 0


def test_missions_are_admin_only_and_audited(session, make):
    course = make.course()
    with pytest.raises(Forbidden):
        missions.create_mission(session, actor=make.student(), course_id=course.id,
                                values={"title": "x", "target": 1, "xp_reward": 1}, now=LATE)
    mission = _mission(session, make, course)
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.entity_id == mission.id)) == "mission.create"
