"""Idempotent demo data: a demo admin, support, mentor, students, a course, a club, a program."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.db import Database
from core.models import (
    ClassEnrollment,
    ClassMembershipPeriod,
    ClubClass,
    Course,
    Kruzhok,
    Lesson,
    LessonQuestion,
    Module,
    Program,
    ProgramLesson,
    Quiz,
    QuizQuestion,
    Role,
    User,
)
from core.services import auth
from core.settings import Settings
from s7.seed_club_history import seed_club_history
from s7.seed_clubs import seed_clubs
from s7.seed_learning import seed_learning
from s7.seed_materials import seed_materials
from s7.seed_media import seed_media
from s7.seed_queue import DEMO_TEACHERS, seed_queue

DEMO_ADMIN = ("admin@s7.local", "admin12345", "Демо Администратор")
DEMO_SUPPORT = ("support@s7.local", "support12345", "Демо Поддержка")
DEMO_MENTOR = ("mentor@s7.local", "mentor12345", "Демо Ментор")
DEMO_STUDENTS = [(f"student{i}@s7.local", "student12345", f"Ученик {i}") for i in range(1, 4)]

class SeedStep(Protocol):
    """A further seeding step of a domain: adds its demo rows, returns its part of the summary."""

    def __call__(self, session: Session, *, users: dict[str, Any], now: datetime,
                 settings: Settings) -> dict[str, Any]: ...


EXTRA_STEPS: list[SeedStep] = [
    seed_media,
    seed_materials,  # before the held sessions below: their snapshots list the scenario
    seed_clubs,
    seed_learning,
    seed_queue,
    seed_club_history,
]


def _user(session: Any, email: str, password: str, name: str, role: Role, now: Any) -> User:
    user = auth.find_user_by_email(session, email)
    if user is None:
        user = auth.register(session, email=email, password=password, full_name=name, now=now, role=role)
        session.flush()
    return user


def demo_emails() -> list[str]:
    return [DEMO_ADMIN[0], DEMO_SUPPORT[0], DEMO_MENTOR[0], *(s[0] for s in DEMO_STUDENTS),
            *(t[0] for t in DEMO_TEACHERS)]


def non_demo_users(session: Session) -> int:
    """How many accounts are not demo accounts (seed-demo refuses to run next to real users)."""
    return session.scalar(select(func.count()).select_from(User).where(User.email.not_in(demo_emails()))) or 0


def seed_demo(db: Database, *, settings: Settings) -> dict[str, Any]:
    now = utcnow()
    with db.transaction() as session:
        users = {
            "admin": _user(session, *DEMO_ADMIN, Role.ADMIN, now),
            "support": _user(session, *DEMO_SUPPORT, Role.SUPPORT, now),
            "mentor": _user(session, *DEMO_MENTOR, Role.USER, now),
            "students": [_user(session, *s, Role.USER, now) for s in DEMO_STUDENTS],
        }
        summary: dict[str, Any] = {
            "admin": {"email": DEMO_ADMIN[0], "password": DEMO_ADMIN[1], "url": "/admin"},
            "support": {"email": DEMO_SUPPORT[0], "password": DEMO_SUPPORT[1]},
            "mentor": {"email": DEMO_MENTOR[0], "password": DEMO_MENTOR[1]},
            "students": [s[0] for s in DEMO_STUDENTS],
        }
        summary["course"] = _course(session, now)
        summary["program"] = _program(session, now)
        summary["club"] = _club(session, users, now)
    for step in EXTRA_STEPS:
        with db.transaction() as session:
            users = {
                "admin": auth.find_user_by_email(session, DEMO_ADMIN[0]),
                "mentor": auth.find_user_by_email(session, DEMO_MENTOR[0]),
                "students": [auth.find_user_by_email(session, s[0]) for s in DEMO_STUDENTS],
            }
            summary.update(step(session, users=users, now=now, settings=settings) or {})
    return summary


def _course(session: Any, now: Any) -> str:
    course = session.scalar(select(Course).where(Course.title == "Основы робототехники"))
    if course is None:
        course = Course(title="Основы робототехники", description="Первые шаги: моторы, датчики, программы.",
                        is_published=True, is_free=True, price=0, created_at=now)
        module = Module(title="Модуль 1. Знакомство", order_index=0)
        lesson = Lesson(title="Урок 1. Что такое робот", order_index=0, is_free_preview=True,
                        content="Робот — это машина, которая воспринимает мир датчиками и действует.")
        lesson.questions.append(LessonQuestion(text="Чем робот воспринимает мир?",
                                               options=["Датчиками", "Колёсами", "Проводами"],
                                               correct_answer="Датчиками"))
        module.lessons.append(lesson)
        module.lessons.append(Lesson(title="Урок 2. Моторы", order_index=1, content="Моторы и передачи."))
        course.modules.append(module)
        session.add(course)
        session.flush()
    return course.id


def _program(session: Any, now: Any) -> str:
    program = session.scalar(select(Program).where(Program.title == "Робототехника 1 ступень"))
    if program is None:
        quiz = Quiz(title="Тест: датчики", pass_percent=60)
        quiz.questions.append(QuizQuestion(type="single", text="Какой датчик измеряет расстояние?",
                                           options=["Ультразвуковой", "Датчик цвета"], correct=[0]))
        quiz.questions.append(QuizQuestion(type="multiple", text="Что относится к исполнительным устройствам?",
                                           options=["Мотор", "Сервопривод", "Датчик касания"], correct=[0, 1]))
        program = Program(title="Робототехника 1 ступень", description="Программа для 8–10 лет")
        program.lessons.append(ProgramLesson(title="Датчики расстояния", order_index=0, quiz=quiz, xp_reward=0))
        session.add(program)
        session.flush()
    return program.id


def _club(session: Any, users: dict[str, Any], now: Any) -> dict[str, str]:
    mentor = users["mentor"]
    club = session.scalar(select(Kruzhok).where(Kruzhok.owner_id == mentor.id))
    if club is None:
        club = Kruzhok(owner_id=mentor.id, title="Кружок робототехники «Старт»",
                       description="Занятия по субботам", timezone="Asia/Almaty", created_at=now)
        session.add(club)
        session.flush()
        klass = ClubClass(kruzhok_id=club.id, name="Группа А", join_code=_free_code(session))
        session.add(klass)
        session.flush()
        for student in users["students"]:
            enrollment = ClassEnrollment(class_id=klass.id, student_id=student.id, joined_at=now - timedelta(days=1))
            session.add(enrollment)
            session.flush()
            session.add(ClassMembershipPeriod(enrollment_id=enrollment.id, joined_at=enrollment.joined_at))
        session.flush()
    klass = session.scalar(select(ClubClass).where(ClubClass.kruzhok_id == club.id))
    return {"id": club.id, "joinCode": klass.join_code if klass else ""}


def _free_code(session: Any) -> str:
    import secrets

    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        if session.scalar(select(ClubClass.id).where(ClubClass.join_code == code)) is None:
            return code
