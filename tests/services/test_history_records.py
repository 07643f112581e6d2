"""History records added by issue 13 §4: what a held lesson session showed is snapshotted on it; club quiz
answers are kept per question; re-joining a class keeps the earlier membership period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.clock import utcnow
from core.models import ClassMembershipPeriod, ClubQuizAssignment, QuizQuestion
from core.services import membership, quiz_answers, snapshots
from core.services.quiz_answers import GradedAnswer
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


# ---- per-question quiz answers -----------------------------------------------------------------


def _assignment(session, world, student) -> ClubQuizAssignment:  # type: ignore[no-untyped-def]
    row = ClubQuizAssignment(student_id=student.id, quiz_id=world.quiz.id, session_id=world.lesson_session.id,
                             due_at=utcnow() + timedelta(days=1), status="SUBMITTED")
    session.add(row)
    session.flush()
    return row


def test_hardest_questions_is_one_bounded_query(session, make, count_queries) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    easy, hard = world.question, QuizQuestion(quiz_id=world.quiz.id, type="single", text="Трудный вопрос",
                                              options=["a", "b"], correct=["b"])
    text = QuizQuestion(quiz_id=world.quiz.id, type="text", text="Опишите робота", options=[], correct=[])
    session.add_all([hard, text])
    session.flush()
    for i in range(6):
        assignment = _assignment(session, world, make.student())
        quiz_answers.record_answers(session, assignment=assignment, now=utcnow(), answers=[
            GradedAnswer(easy, ["4"], True, 1),
            GradedAnswer(hard, ["a"], i == 0, 1 if i == 0 else 0),
            GradedAnswer(text, ["Колёса"], None, 0),
        ])

    with count_queries() as queries:
        stats = quiz_answers.hardest_questions(session, quiz_id=world.quiz.id, limit=5)
    assert queries() == 1
    assert [(s.text, s.answers, s.correct) for s in stats] == [("Трудный вопрос", 6, 1),
                                                                  ("Сколько колёс у робота?", 7, 7)]


def test_answer_rows_keep_the_question_text_as_asked(session, make) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    assignment = _assignment(session, world, make.student())
    [row] = quiz_answers.record_answers(session, assignment=assignment, now=utcnow(),
                                        answers=[GradedAnswer(world.question, ["2"], False, 0)])
    world.question.text = "Исправленный текст"
    session.flush()
    session.expire(row)
    assert row.question_text == "Сколько колёс у робота?"
    with pytest.raises(IntegrityError), session.begin_nested():
        quiz_answers.record_answers(session, assignment=assignment, now=utcnow(),
                                    answers=[GradedAnswer(world.question, ["4"], True, 1)])


def test_an_assignment_belongs_to_a_session_or_is_manual(session, make) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    student = make.student()
    due = utcnow() + timedelta(days=1)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(ClubQuizAssignment(student_id=student.id, quiz_id=world.quiz.id, session_id=None, due_at=due))
        session.flush()
    manual = ClubQuizAssignment(student_id=student.id, quiz_id=world.quiz.id, session_id=None, due_at=due,
                                is_manual=True)
    session.add(manual)
    session.flush()
    assert session.get(ClubQuizAssignment, manual.id).is_manual is True


# ---- membership periods ----------------------------------------------------------------------------


def test_rejoining_keeps_the_earlier_membership_period(session, make) -> None:  # type: ignore[no-untyped-def]
    owner = make.mentor_user()
    klass = getattr(make, "class")(make.club(owner))
    student = make.student()
    t0 = utcnow()
    membership.join_by_code(session, actor=student, code=klass.join_code, now=t0)
    membership.remove_student(session, actor=owner, class_id=klass.id, student_id=student.id,
                              now=t0 + timedelta(days=10))
    enrollment = membership.join_by_code(session, actor=student, code=klass.join_code, now=t0 + timedelta(days=20))

    periods = session.execute(select(ClassMembershipPeriod.joined_at, ClassMembershipPeriod.left_at)
                              .where(ClassMembershipPeriod.enrollment_id == enrollment.id)
                              .order_by(ClassMembershipPeriod.joined_at)).all()
    assert [tuple(p) for p in periods] == [(t0, t0 + timedelta(days=10)), (t0 + timedelta(days=20), None)]


def test_one_open_period_per_enrollment_in_the_database(session, make) -> None:  # type: ignore[no-untyped-def]
    world = make_history_world(session)
    enrollment_id = session.scalar(select(ClassMembershipPeriod.enrollment_id))
    assert enrollment_id is not None and world.student is not None
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(ClassMembershipPeriod(enrollment_id=enrollment_id, joined_at=utcnow()))
        session.flush()
