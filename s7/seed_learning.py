"""Demo learning step: a daily mission on the demo course, and a paid course with one PENDING
purchase (so Платежи and Ежедневные миссии have something to show). Idempotent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.models import Course, DailyMission, Lesson, LessonQuestion, Module, Purchase
from core.services import purchases
from s7.seed_clubs import free_payment_comment

PAID_TITLE = "Arduino: продвинутый уровень"


def _paid_course(session: Any, now: Any) -> Course:
    course = session.scalar(select(Course).where(Course.title == PAID_TITLE))
    if course is None:
        course = Course(title=PAID_TITLE, description="Прерывания, ШИМ, протоколы I2C и SPI.", is_published=True,
                        is_free=False, price=15000, created_at=now)
        lesson = Lesson(title="Прерывания", order_index=0, content="Что такое прерывание и зачем оно нужно.")
        lesson.questions.append(LessonQuestion(text="Сколько внешних прерываний у Arduino Uno?", options=["1", "2"],
                                               correct_answer="2", order_index=0))
        module = Module(title="Модуль 1", order_index=0)
        module.lessons.append(lesson)
        course.modules.append(module)
        session.add(course)
        session.flush()
    return course


def seed_learning(session: Any, *, users: dict[str, Any], now: Any, settings: Any) -> dict[str, Any]:
    demo = session.scalar(select(Course).where(Course.title == "Основы робототехники"))
    if demo is not None and session.scalar(select(DailyMission.id).where(DailyMission.course_id == demo.id)) is None:
        session.add(DailyMission(course_id=demo.id, title="Ответь правильно на 3 вопроса", target=3, xp_reward=30,
                                 is_active=True, created_at=now))
    course = _paid_course(session, now)
    students = [s for s in users.get("students", []) if s is not None]
    if students and session.scalar(select(Purchase.id).where(Purchase.course_id == course.id)) is None:
        code = free_payment_comment(session)  # free in both kinds (payment_codes)
        purchases.request_purchase(session, actor=students[0], course_id=course.id, sender_code=code,
                                   payer_full_name=students[0].full_name, now=now)
    session.flush()
    return {"paidCourse": course.id}
