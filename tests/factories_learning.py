"""Builders for courses with questions, enrolments and daily missions (auto-discovered by `make`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.models import Course, CourseEnrollment, Lesson, LessonQuestion, Module, User
from tests.factories import unique


def make_course(session: Session, *, questions: int = 6, **overrides: Any) -> Course:
    """A published free course: one module, one lesson with `questions` questions (answer of question i: "i")."""
    values: dict[str, Any] = {"title": f"Курс {unique('c')}", "is_published": True, "is_free": True, "price": 0,
                              "created_at": utcnow()}
    values.update(overrides)
    course = Course(**values)
    module = Module(title="Модуль 1", order_index=0)
    lesson = Lesson(title="Урок 1", order_index=0)
    for i in range(questions):
        lesson.questions.append(LessonQuestion(text=f"Вопрос {i}?", options=[str(i), "x"], correct_answer=str(i),
                                               order_index=i))
    module.lessons.append(lesson)
    course.modules.append(module)
    session.add(course)
    session.flush()
    return course


def questions_of(course: Course) -> list[LessonQuestion]:
    return [q for m in course.modules for lesson in m.lessons for q in lesson.questions]


def make_course_enrollment(session: Session, course: Course, user: User) -> CourseEnrollment:
    row = CourseEnrollment(course_id=course.id, user_id=user.id, created_at=utcnow())
    session.add(row)
    session.flush()
    return row
