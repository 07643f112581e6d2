"""History records added by issue 13 §4: what a held lesson session showed is snapshotted on it."""

from __future__ import annotations

from datetime import timedelta

from core.clock import utcnow
from core.services import snapshots
from tests.factories_history import make_history_world

# ---- snapshots -------------------------------------------------------------------------------


def test_snapshot_keeps_what_the_session_showed_after_the_program_changes(session) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    lesson = world.program_lesson
    lesson.scenario_key, lesson.presentation_key = "scn-1", "pres-1"
    now, quiz_title, class_name = utcnow(), world.quiz.title, world.klass.name

    snapshots.snapshot_session(session, lesson_session=world.lesson_session.id, now=now)
    lesson.title, lesson.scenario_key, world.quiz.title, world.klass.name = "Новое", "scn-2", "Другой", "Б"
    session.flush()
    again = snapshots.snapshot_session(session, lesson_session=world.lesson_session, now=now + timedelta(hours=1))

    assert (again.title_snapshot, again.lesson_title_snapshot, again.quiz_title_snapshot,
            again.class_name_snapshot) == ("Урок 1. Моторы", "Урок 1. Моторы", quiz_title, class_name)
    assert again.materials_snapshot == [{"kind": "scenario", "key": "scn-1"}, {"kind": "presentation", "key": "pres-1"}]
    assert again.snapshot_at == now

    refreshed = snapshots.snapshot_session(session, lesson_session=world.lesson_session, now=now, refresh=True)
    assert (refreshed.lesson_title_snapshot, refreshed.quiz_title_snapshot, refreshed.class_name_snapshot) == \
           ("Новое", "Другой", "Б")


def test_session_without_program_lesson_is_titled_by_its_class(session) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    row = world.lesson_session
    row.program_lesson_id = None
    session.flush()
    session.expire(row, ["program_lesson"])
    snapshots.snapshot_session(session, lesson_session=row, now=utcnow())
    assert row.title_snapshot == f"Занятие класса «{world.klass.name}»"
    assert (row.lesson_title_snapshot, row.quiz_title_snapshot, row.materials_snapshot) == (None, None, [])
