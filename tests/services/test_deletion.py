"""The deletion service: a row with history below it is never deleted (409 `has_history`, nothing
changed); a history-free row goes with its content; deactivation keeps everything."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from core.clock import utcnow
from core.errors import Forbidden, HasHistory
from core.models import AuditEvent, Course, DailyMission, Lesson, LessonQuestion, LessonSession, Module, User
from core.services import courses, deletion
from core.services.pagination import Page
from tests.factories_history import contents, make_history_world

PARENTS = ["student", "plan", "club", "klass", "program", "program_lesson", "quiz", "question", "lesson_session",
           "course", "module", "lesson", "course_question", "mission"]


def test_every_parent_model_of_the_world_is_covered(session) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    assert {type(getattr(world, name)) for name in PARENTS} == set(world.parents())


@pytest.mark.parametrize("name", PARENTS)
def test_deleting_a_parent_with_history_is_refused_and_loses_nothing(session, make, name) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    admin = make.admin()
    row = getattr(world, name)
    before = contents(session)

    with pytest.raises(HasHistory) as refused:
        deletion.delete_row(session, actor=admin, model=type(row), pk=row.id, now=utcnow())

    error = refused.value
    assert (error.code, error.http_status) == ("has_history", 409)
    assert error.message.startswith("Нельзя удалить «") and error.details["history"]
    if deletion.can_deactivate(type(row)):
        assert "Деактивируйте" in error.message and error.details["canDeactivate"] is True
    else:
        assert "Удаление запрещено" in error.message
    session.expire_all()
    assert contents(session) == before


def test_refusal_names_the_history_in_russian(session, make) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    with pytest.raises(HasHistory) as refused:
        deletion.delete_row(session, actor=make.admin(), model=LessonSession, pk=world.lesson_session.id, now=utcnow())
    assert "отметки посещаемости: 1" in refused.value.message
    assert "тесты учеников: 1" in refused.value.message
    assert refused.value.details["history"] == {"attendance": 1, "club_quiz_assignments": 1}


def test_history_free_course_goes_with_its_content_and_is_audited(session, make) -> None:  # type: ignore[no-untyped-def]
    admin, now = make.admin(), utcnow()
    course = Course(title="Черновик", created_at=now, updated_at=now)
    session.add(course)
    session.flush()
    module = Module(course_id=course.id, title="М", created_at=now)
    mission = DailyMission(course_id=course.id, title="Миссия", created_at=now)
    session.add_all([module, mission])
    session.flush()
    lesson = Lesson(module_id=module.id, title="У", created_at=now, updated_at=now)
    session.add(lesson)
    session.flush()
    session.add(LessonQuestion(lesson_id=lesson.id, text="?", options=[], correct_answer="a", created_at=now))
    session.flush()

    removed = deletion.delete_row(session, actor=admin, model=Course, pk=course.id, now=now)

    assert removed == {"courses": 1, "course_modules": 1, "daily_missions": 1, "course_lessons": 1,
                       "course_questions": 1}
    assert session.scalar(select(Module.id).where(Module.course_id == course.id)) is None
    assert session.scalar(select(LessonQuestion.id).where(LessonQuestion.lesson_id == lesson.id)) is None
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == course.id)).one()
    assert (event.action, event.actor_id, event.data["title"]) == ("courses.delete", admin.id, "Черновик")


def test_history_deep_below_content_blocks_the_delete(session, make) -> None:  # type: ignore[no-untyped-def]
    """A course question (CASCADE content of its lesson) with a student's answer blocks the course."""
    world = make_history_world(session)
    plan = deletion.plan_delete(session, Course.__table__, {world.course.id})
    assert plan.history["question_answers"] == 1 and plan.history["lesson_completions"] == 1


def test_only_admins_delete(session, make) -> None:  # type: ignore[no-untyped-def]
    course = Course(title="Черновик", created_at=utcnow(), updated_at=utcnow())
    session.add(course)
    session.flush()
    with pytest.raises(Forbidden):
        deletion.delete_row(session, actor=make.support(), model=Course, pk=course.id, now=utcnow())
    assert session.get(Course, course.id) is not None


def test_deactivating_a_course_hides_it_from_the_catalogue_and_keeps_history(session, make) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    admin, now = make.admin(), utcnow()
    before = contents(session)
    deletion.set_active(session, actor=admin, model=Course, pk=world.course.id, active=False, now=now)
    assert world.course.archived_at == now
    listed, _ = courses.list_courses(session, page=Page(limit=100, offset=0))
    assert world.course.id not in {c.course.id for c in listed}
    after = contents(session)
    assert {k: v for k, v in after.items() if k != "courses"} == {k: v for k, v in before.items() if k != "courses"}

    deletion.set_active(session, actor=admin, model=Course, pk=world.course.id, active=True, now=now)
    assert world.course.archived_at is None
    listed, _ = courses.list_courses(session, page=Page(limit=100, offset=0))
    assert world.course.id in {c.course.id for c in listed}
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == world.course.id)
                              .order_by(AuditEvent.at, AuditEvent.action)).all()
    assert sorted(actions) == ["courses.deactivate", "courses.restore"]


def test_deactivating_a_club_uses_is_active(session, make) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    deletion.set_active(session, actor=make.admin(), model=type(world.club), pk=world.club.id, active=False,
                        now=utcnow())
    assert world.club.is_active is False


def test_users_cannot_be_deactivated_here(session, make) -> None:  # type: ignore[no-untyped-def]
    from core.errors import Invalid

    user = make.student()
    with pytest.raises(Invalid):
        deletion.set_active(session, actor=make.admin(), model=User, pk=user.id, active=False, now=utcnow())


def test_the_database_refuses_too(session) -> None:  # type: ignore[no-untyped-def]
    """RESTRICT keys: even a raw DELETE of a session with attendance fails."""
    world = make_history_world(session)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(delete(LessonSession).where(LessonSession.id == world.lesson_session.id))
