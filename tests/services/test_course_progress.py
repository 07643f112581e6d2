"""Lesson completion and question answers award XP exactly once (SPEC §4, §7)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.errors import Forbidden, NotFound
from core.models import Course, Lesson, LessonQuestion, Module, User, XpEvent
from core.services import course_progress, xp


@pytest.fixture
def course(session):  # type: ignore[no-untyped-def]
    course = Course(title="Бесплатный", is_published=True, is_free=True, price=0)
    module = Module(title="М", order_index=0)
    lesson = Lesson(title="Л", order_index=0)
    lesson.questions.append(LessonQuestion(text="2+2?", options=["3", "4"], correct_answer="4"))
    module.lessons.append(lesson)
    course.modules.append(module)
    session.add(course)
    session.flush()
    return course


def _xp(session, user) -> int:  # type: ignore[no-untyped-def]
    session.expire(user)
    return session.get(User, user.id).experience_points


def test_completing_a_lesson_awards_10_xp_once(session, course, make):  # type: ignore[no-untyped-def]
    student = make.student()
    lesson = course.modules[0].lessons[0]
    first = course_progress.complete_lesson(session, actor=student, course_id=course.id, lesson_id=lesson.id,
                                            now=utcnow())
    second = course_progress.complete_lesson(session, actor=student, course_id=course.id, lesson_id=lesson.id,
                                             now=utcnow())
    assert (first.xp_awarded, second.xp_awarded) == (10, 0)
    assert _xp(session, student) == 10


def test_reanswering_never_farms_xp(session, course, make):  # type: ignore[no-untyped-def]
    student = make.student()
    question = course.modules[0].lessons[0].questions[0]

    def answer(text: str) -> course_progress.AnswerChecked:
        return course_progress.answer_question(session, actor=student, course_id=course.id, question_id=question.id,
                                               answer=text, now=utcnow())

    checked = course_progress.AnswerChecked
    assert answer("3") == checked(is_correct=False, xp_awarded=0)
    assert answer(" 4 ") == checked(is_correct=True, xp_awarded=20)
    assert answer("4") == checked(is_correct=True, xp_awarded=0)
    assert answer("3").xp_awarded == 0 and answer("4").xp_awarded == 0
    assert _xp(session, student) == 20
    rows = session.scalar(select(func.count()).select_from(XpEvent).where(XpEvent.user_id == student.id))
    assert rows == 1


def test_question_of_another_course_is_404(session, course, make):  # type: ignore[no-untyped-def]
    other = Course(title="Другой", is_published=True, is_free=True, price=0)
    session.add(other)
    session.flush()
    question = course.modules[0].lessons[0].questions[0]
    with pytest.raises(NotFound):
        course_progress.answer_question(session, actor=make.student(), course_id=other.id,
                                        question_id=question.id, answer="4", now=utcnow())


def test_locked_lesson_cannot_be_completed(session, course, make):  # type: ignore[no-untyped-def]
    course.is_free, course.price = False, 1000
    session.flush()
    with pytest.raises(Forbidden):
        course_progress.complete_lesson(session, actor=make.student(), course_id=course.id,
                                        lesson_id=course.modules[0].lessons[0].id, now=utcnow())


def test_award_xp_same_source_key_twice_is_refused(session, make):  # type: ignore[no-untyped-def]
    student = make.student()
    kwargs = {"user_id": student.id, "amount": 50, "reason": "r", "source": "ADJUSTMENT",
              "source_key": f"test:{student.id}", "now": utcnow()}
    assert xp.award_xp(session, **kwargs) is True
    assert xp.award_xp(session, **kwargs) is False
    assert student.experience_points == 50
