"""A small club history for the report tests: two classes, three students, a program lesson with a
quiz and materials, held and cancelled sessions, graded quizzes — and a second club that must never
show up in the first one's reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from core.models import ClubClass, Kruzhok, LessonSession, ProgramLesson, Quiz, User
from tests.factories import make_user
from tests.factories_clubs import make_class, make_club, make_enrollment, make_mentor_user
from tests.factories_reports import make_graded_assignment, make_held_session, make_program_lesson, make_quiz

DAY = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 10:00 in Asia/Almaty
SCENARIO_KEY = "0123456789abcdef0123456789abcdef.pdf"


@dataclass
class World:
    owner: User
    club: Kruzhok
    klass: ClubClass
    other_class: ClubClass
    anna: User
    boris: User
    vera: User
    quiz: Quiz
    lesson: ProgramLesson
    first: LessonSession  # klass, DAY, the program lesson
    second: LessonSession  # klass, DAY + 7 days, the program lesson
    third: LessonSession  # other_class, DAY + 3 days, no program lesson
    foreign_club: Kruzhok
    foreign_class: ClubClass
    foreign_student: User
    foreign_session: LessonSession


def build_world(session: Session) -> World:
    owner = make_mentor_user(session, full_name="Руководитель Кружка")
    club = make_club(session, owner, title="Робототехника")
    klass = make_class(session, club, name="Класс А")
    other_class = make_class(session, club, name="Класс Б")
    anna, boris, vera = (make_user(session, full_name=n) for n in ("Анна Иванова", "Борис Петров", "Вера Сидорова"))
    for s in (anna, boris):
        make_enrollment(session, klass, s)
    make_enrollment(session, other_class, vera)
    quiz = make_quiz(session, questions=["Лёгкий вопрос", "Трудный вопрос"], title="Тест по моторам", pass_percent=60)
    lesson = make_program_lesson(session, quiz=quiz, title="Урок 1. Моторы", scenario_key=SCENARIO_KEY)
    first = make_held_session(session, klass, starts_at=DAY, lesson=lesson,
                              marks={anna: "present", boris: "absent"})
    second = make_held_session(session, klass, starts_at=DAY + timedelta(days=7), lesson=lesson,
                               marks={anna: "late", boris: "present"})
    third = make_held_session(session, other_class, starts_at=DAY + timedelta(days=3), marks={vera: "excused"})
    make_graded_assignment(session, student=anna, quiz=quiz, lesson_session=first, correct=[True, False])
    make_graded_assignment(session, student=anna, quiz=quiz, lesson_session=second, correct=[True, True])
    make_graded_assignment(session, student=boris, quiz=quiz, lesson_session=second, correct=[False, False])

    foreign_club = make_club(session, title="Чужой кружок")
    foreign_class = make_class(session, foreign_club, name="Чужой класс")
    foreign_student = make_user(session, full_name="Чужой Ученик")
    make_enrollment(session, foreign_class, foreign_student)
    foreign_session = make_held_session(session, foreign_class, starts_at=DAY + timedelta(days=1), lesson=lesson,
                                        marks={foreign_student: "present"})
    make_graded_assignment(session, student=foreign_student, quiz=quiz, lesson_session=foreign_session,
                           correct=[False, True])
    return World(owner=owner, club=club, klass=klass, other_class=other_class, anna=anna, boris=boris, vera=vera,
                 quiz=quiz, lesson=lesson, first=first, second=second, third=third, foreign_club=foreign_club,
                 foreign_class=foreign_class, foreign_student=foreign_student, foreign_session=foreign_session)
