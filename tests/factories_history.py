"""A small world with history at every level (attendance, scores, payments, XP, enrolments,
sessions, completions), for the delete-matrix tests: `make.history_world()`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.models import (
    Attendance,
    Base,
    CertificateRequest,
    ClassEnrollment,
    ClassMembershipPeriod,
    ClubClass,
    ClubQuizAnswer,
    ClubQuizAssignment,
    Course,
    CourseEnrollment,
    DailyMission,
    Kruzhok,
    Lesson,
    LessonCompletion,
    LessonQuestion,
    LessonSession,
    MissionCompletion,
    Module,
    Program,
    ProgramLesson,
    Purchase,
    QuestionAnswer,
    Quiz,
    QuizQuestion,
    SubscriptionPlan,
    User,
    XpEvent,
)
from tests.factories import make_user, unique
from tests.factories_clubs import make_class, make_club, make_enrollment, make_mentor_user, make_plan, make_subscription


@dataclass
class HistoryWorld:
    owner: User
    student: User
    plan: SubscriptionPlan
    club: Kruzhok
    klass: ClubClass
    program: Program
    program_lesson: ProgramLesson
    quiz: Quiz
    question: QuizQuestion
    lesson_session: LessonSession
    course: Course
    module: Module
    lesson: Lesson
    course_question: LessonQuestion
    mission: DailyMission

    def parents(self) -> dict[type[Any], Any]:
        """One row per parent model, each with history below it."""
        rows = [self.student, self.plan, self.club, self.klass, self.program, self.program_lesson, self.quiz,
                self.question,
                self.lesson_session, self.course, self.module, self.lesson, self.course_question,
                self.mission]
        return {type(row): row for row in rows}


def _add(session: Session, *rows: Any) -> None:
    session.add_all(rows)
    session.flush()


def make_history_world(session: Session) -> HistoryWorld:
    now = utcnow()
    plan = make_plan(session)
    owner = make_mentor_user(session)
    make_subscription(session, owner, plan_id=plan.id)
    student = make_user(session, full_name="Ученик С Историей")
    club = make_club(session, owner)
    klass = make_class(session, club)
    enrollment: ClassEnrollment = make_enrollment(session, klass, student)
    _add(session, ClassMembershipPeriod(enrollment_id=enrollment.id, joined_at=enrollment.joined_at))
    quiz = Quiz(title=unique("Тест "), pass_percent=60, created_at=now)
    program = Program(title=unique("Программа "), created_at=now)
    _add(session, quiz, program)
    question = QuizQuestion(quiz_id=quiz.id, type="single", text="Сколько колёс у робота?", options=["2", "4"],
                            correct=["4"], created_at=now)
    program_lesson = ProgramLesson(program_id=program.id, title="Урок 1. Моторы", quiz_id=quiz.id, created_at=now)
    _add(session, question, program_lesson)
    lesson_session = LessonSession(class_id=klass.id, program_lesson_id=program_lesson.id, starts_at=now,
                                   duration_min=60, status="COMPLETED", created_by_id=owner.id, created_at=now)
    _add(session, lesson_session)
    assignment = ClubQuizAssignment(student_id=student.id, quiz_id=quiz.id, session_id=lesson_session.id,
                                    due_at=now + timedelta(days=1), status="GRADED", score=100,
                                    answers={"x": ["4"]}, graded_by_id=owner.id, graded_at=now)
    _add(session, assignment)
    _add(session,
         ClubQuizAnswer(assignment_id=assignment.id, question_id=question.id, answer=["4"], is_correct=True,
                        points=1, question_text=question.text, answered_at=now),
         Attendance(session_id=lesson_session.id, student_id=student.id, status="present", xp_awarded=100,
                    marked_by_id=owner.id, marked_at=now),
         XpEvent(user_id=student.id, amount=100, reason="Посещение", source="ATTENDANCE",
                 source_key=f"att:{uuid.uuid4()}", kruzhok_id=club.id, created_at=now),
         CertificateRequest(user_id=student.id, kruzhok_id=club.id, total_xp=100, threshold_xp=100,
                            task_description="Сертификат", created_at=now))
    course = Course(title=unique("Курс "), is_published=True, is_free=False, price=5000, created_at=now,
                    updated_at=now)
    _add(session, course)
    module = Module(course_id=course.id, title="Модуль 1", created_at=now)
    mission = DailyMission(course_id=course.id, title="Ответь на 3 вопроса", created_at=now)
    _add(session, module, mission)
    lesson = Lesson(module_id=module.id, title="Урок 1", created_at=now, updated_at=now)
    _add(session, lesson)
    course_question = LessonQuestion(lesson_id=lesson.id, text="2+2?", options=["3", "4"], correct_answer="4",
                                     created_at=now)
    _add(session, course_question)
    _add(session,
         CourseEnrollment(course_id=course.id, user_id=student.id, created_at=now),
         LessonCompletion(user_id=student.id, lesson_id=lesson.id, created_at=now),
         QuestionAnswer(user_id=student.id, question_id=course_question.id, answer="4", is_correct=True,
                        created_at=now),
         Purchase(course_id=course.id, user_id=student.id, amount=5000, sender_code=uuid.uuid4().hex[:8],
                  status="APPROVED", reviewed_by_id=owner.id, reviewed_at=now, created_at=now),
         MissionCompletion(mission_id=mission.id, user_id=student.id, day=now.date(), created_at=now))
    return HistoryWorld(owner=owner, student=student, plan=plan, club=club, klass=klass, program=program,
                        program_lesson=program_lesson, quiz=quiz, question=question, lesson_session=lesson_session,
                        course=course, module=module, lesson=lesson, course_question=course_question,
                        mission=mission)


def contents(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but the audit log, rate-limit marks and the ETag version counters, which
    any write bumps), for before/after comparisons."""
    out = {}
    for table in Base.metadata.sorted_tables:
        if table.name in ("audit_events", "rate_limit_hits", "cache_versions"):
            continue
        order = [table.c.id] if "id" in table.c else list(table.c)
        out[table.name] = [tuple(r) for r in session.execute(select(table).order_by(*order))]
    return out

