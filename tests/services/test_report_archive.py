"""The archive guarantee (issue 10 item 5): nothing a report shows is lost by later edits. Each test
takes every report of the club, makes one edit through the real service, and finds the past exactly
as it was: marks, scores, titles and the materials' keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.clock import utcnow
from core.errors import HasHistory
from core.models import ClubQuizAssignment, LessonSession, QuizQuestion
from core.services import (
    attendance,
    deletion,
    membership,
    program_materials,
    programs,
    quiz_taking,
    quizzes,
    reports,
    schedule,
)
from core.storage import make_storage
from tests import factories_media as fm
from tests.factories import make_admin, make_user
from tests.factories_clubs import make_class, make_club, make_enrollment, make_mentor_user
from tests.factories_reports import make_program_lesson, make_quiz
from tests.factories_schedule import make_lesson_session

KEY = "fedcba9876543210fedcba9876543210.pdf"


@pytest.fixture
def club(session) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A session held through the real attendance service (which writes the snapshot), with a quiz."""
    owner = make_mentor_user(session)
    club = make_club(session, owner)
    klass = make_class(session, club, name="Класс Роботов")
    anna, boris = make_user(session, full_name="Анна"), make_user(session, full_name="Борис")
    for s in (anna, boris):
        make_enrollment(session, klass, s)
    quiz = make_quiz(session, questions=["Сколько колёс?", "Какой датчик?"], title="Тест 1")
    lesson = make_program_lesson(session, quiz=quiz, title="Урок 1. Колёса", scenario_key=KEY)
    now = utcnow()
    held = make_lesson_session(session, klass, program_lesson_id=lesson.id, starts_at=now - timedelta(days=2))
    attendance.save_batch(session, actor=owner, kruzhok_id=club.id, now=now, marks=[
        attendance.MarkIn(student_id=anna.id, session_id=held.id, status="present"),
        attendance.MarkIn(student_id=boris.id, session_id=held.id, status="late")])
    session.refresh(held)
    assert held.status == "COMPLETED" and held.snapshot_at is not None
    # The attendance save assigned the lesson's quiz to both; they answer through the real submission.
    questions = list(quiz.questions)
    for student, choices in ((anna, [0, 1]), (boris, [1, 1])):
        assignment = session.scalars(select(ClubQuizAssignment).where(
            ClubQuizAssignment.student_id == student.id, ClubQuizAssignment.session_id == held.id)).one()
        quiz_taking.submit(session, actor=student, assignment_id=assignment.id, now=now, answers=[
            quiz_taking.AnswerIn(question_id=q.id, answer=c) for q, c in zip(questions, choices, strict=True)])
    return {"owner": owner, "club": club, "klass": klass, "anna": anna, "boris": boris, "quiz": quiz,
            "lesson": lesson, "held": held, "admin": make_admin(session)}


def _everything(session, c) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {view: reports.club_report(session, actor=c["owner"], kruzhok_id=c["club"].id, view=view, raw={},
                                      limit=100).rows
            for view in ("lessons", "students", "quizzes")}


def test_what_the_archive_shows(session, club):
    past = _everything(session, club)
    [lesson] = past["lessons"]
    assert (lesson.title, lesson.lesson_title, lesson.class_name) == ("Урок 1. Колёса", "Урок 1. Колёса",
                                                                      "Класс Роботов")
    assert [(s.full_name, s.status, s.score) for s in lesson.students] == [("Анна", "present", 50.0),
                                                                          ("Борис", "late", 0.0)]
    assert [m.key for m in lesson.materials] == [KEY]
    assert [(r.full_name, r.attendance_percent, r.xp_earned) for r in past["students"]] == [
        ("Анна", 100.0, 100), ("Борис", 100.0, 50)]
    assert [q.text for q in past["quizzes"][0].questions] == ["Какой датчик?", "Сколько колёс?"]


def test_removing_a_student_keeps_their_marks_and_scores(session, club):
    past = _everything(session, club)
    membership.remove_student(session, actor=club["owner"], class_id=club["klass"].id, student_id=club["boris"].id,
                              now=utcnow())
    assert _everything(session, club) == past


def test_cancelling_a_future_session_changes_nothing_in_the_past(session, club):
    past = _everything(session, club)
    upcoming = make_lesson_session(session, club["klass"], program_lesson_id=club["lesson"].id,
                                   starts_at=utcnow() + timedelta(days=3))
    schedule.cancel_session(session, actor=club["owner"], session_id=upcoming.id, now=utcnow())
    assert session.get(LessonSession, upcoming.id).status == "CANCELLED"
    assert _everything(session, club) == past


def test_editing_the_program_lesson_keeps_the_title_and_materials_used(session, club, settings):
    past = _everything(session, club)
    admin = club["admin"]
    programs.update_program_lesson(session, actor=admin, lesson_id=club["lesson"].id,
                                   fields={"title": "Урок 1. Переименован"}, now=utcnow())
    program_materials.attach_material(
        session, make_storage(settings), actor=admin, lesson_id=club["lesson"].id, kind="scenario",
        stream=[fm.pdf_bytes()], filename="new.pdf", declared_type="application/pdf", max_bytes=10**6, now=utcnow())
    session.flush()
    assert club["lesson"].title == "Урок 1. Переименован" and club["lesson"].scenario_key != KEY
    assert _everything(session, club) == past
    # A renamed class: the lesson history keeps the name the session was held under (the students view
    # lists the classes a student is in now, under their current names).
    club["klass"].name = "Класс переименован"
    session.flush()
    assert _everything(session, club)["lessons"] == past["lessons"]


def test_editing_or_deleting_quiz_questions_keeps_scores_and_the_questions_as_asked(session, club):
    past = _everything(session, club)
    admin = club["admin"]
    asked = club["quiz"].questions[0]
    quizzes.update_question(session, actor=admin, question_id=asked.id, fields={"text": "Сколько колёс у робота?"},
                            now=utcnow())
    with pytest.raises(HasHistory):  # a question with answers is never deleted
        deletion.delete_row(session, actor=admin, model=QuizQuestion, pk=asked.id, now=utcnow())
    unused = quizzes.create_question(session, actor=admin, quiz_id=club["quiz"].id, now=utcnow(), fields={
        "type": "single", "text": "Новый вопрос", "options": ["да", "нет"], "correct": ["да"]})
    deletion.delete_row(session, actor=admin, model=QuizQuestion, pk=unused.id, now=utcnow())
    assert _everything(session, club) == past
