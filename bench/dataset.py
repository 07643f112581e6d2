"""The bench's data set, built with the product's own migrations and demo seed plus the sizes of a busy
school: the demo data (`s7 seed-demo`), 120 published ByteSize videos, a course of 5 modules × 10
lessons (2 questions each) a demo student is enrolled in, 40 notifications for that student, and a 200 MB
video for ranged reads. Self-contained: no test helpers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from core.clock import utcnow
from core.db import Database, make_engine
from core.migrate import upgrade
from core.models import (
    ByteSizeItem,
    Course,
    CourseEnrollment,
    Lesson,
    LessonQuestion,
    Module,
    Notification,
    NotificationType,
)
from core.services import auth
from core.settings import Settings
from s7.seed import DEMO_MENTOR, DEMO_STUDENTS, seed_demo

FEED_ITEMS = 120
MODULES, LESSONS = 5, 10
NOTIFICATIONS = 40
VIDEO_BYTES = 200 * 1024 * 1024
VIDEO_KEY = "bench-video-200mb.mp4"


@dataclass
class DataSet:
    course_id: str
    club_id: str
    student_email: str
    student_password: str
    mentor_email: str
    mentor_password: str
    video_key: str


def reset(url: str) -> None:
    """An empty database at the current schema (PostgreSQL: the public schema is dropped)."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)


def _video(media_root: Path) -> None:
    path = media_root / VIDEO_KEY
    if path.exists() and path.stat().st_size == VIDEO_BYTES:
        return
    media_root.mkdir(parents=True, exist_ok=True)
    block = os.urandom(1024 * 1024)
    with path.open("wb") as out:
        for _ in range(VIDEO_BYTES // len(block)):
            out.write(block)


def build(settings: Settings) -> DataSet:
    reset(settings.database_url)
    db = Database.from_url(settings.database_url)
    summary = seed_demo(db, settings=settings)
    _video(Path(settings.media_root))
    now = utcnow()
    student_email, student_password, _ = DEMO_STUDENTS[0]
    with db.transaction() as session:
        for i in range(FEED_ITEMS):
            session.add(ByteSizeItem(title=f"Робот за минуту №{i}", description="Короткое видео о сборке робота.",
                                     video_url=f"/api/media/{VIDEO_KEY}", is_published=True,
                                     created_at=now - timedelta(minutes=i)))
        course = Course(title="Робототехника: от датчика до робота", description="Полный курс.",
                        is_published=True, is_free=True, price=0, created_at=now)
        for m in range(MODULES):
            module = Module(title=f"Модуль {m + 1}", order_index=m)
            for k in range(LESSONS):
                lesson = Lesson(title=f"Урок {m + 1}.{k + 1}", order_index=k, content="Текст урока. " * 20,
                                video_url=f"/api/media/{VIDEO_KEY}")
                for q in range(2):
                    lesson.questions.append(LessonQuestion(text=f"Вопрос {q + 1}?", options=["да", "нет"],
                                                           correct_answer="да", order_index=q))
                module.lessons.append(lesson)
            course.modules.append(module)
        session.add(course)
        student = auth.find_user_by_email(session, student_email)
        assert student is not None
        session.flush()
        session.add(CourseEnrollment(course_id=course.id, user_id=student.id, created_at=now))
        for i in range(NOTIFICATIONS):
            session.add(Notification(user_id=student.id, type=NotificationType.SUBSCRIPTION_APPROVED,
                                     title=f"Уведомление {i}", message="Подписка подтверждена.",
                                     created_at=now - timedelta(hours=i)))
        course_id = course.id
    db.engine.dispose()
    return DataSet(course_id=course_id, club_id=summary["club"]["id"], student_email=student_email,
                   student_password=student_password, mentor_email=DEMO_MENTOR[0],
                   mentor_password=DEMO_MENTOR[1], video_key=VIDEO_KEY)
