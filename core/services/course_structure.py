"""The course page's structure (course → modules → lessons → questions) as an immutable snapshot, kept per
process by (course id, courses version). The version (core/services/cache_versions.py) is bumped in the
same transaction as every write to courses, modules, lessons or questions, so a snapshot is reused only
while nothing changed — in any process. Only read units of work fill the cache: what they see is committed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.db import READ_OPTION
from core.models import Course, Lesson, Module
from core.services import cache_versions

MAX_COURSES = 128


@dataclass(frozen=True)
class QuestionView:
    id: str
    text: str
    options: list[Any]


@dataclass(frozen=True)
class LessonView:
    id: str
    title: str
    order_index: int
    is_free_preview: bool
    video_url: str | None
    content: str | None
    questions: tuple[QuestionView, ...]


@dataclass(frozen=True)
class ModuleView:
    id: str
    title: str
    order_index: int
    lessons: tuple[LessonView, ...]


@dataclass(frozen=True)
class CourseView:
    id: str
    title: str
    description: str | None
    cover_url: str | None
    is_published: bool
    is_free: bool
    price: int
    currency: str
    created_at: datetime
    modules: tuple[ModuleView, ...]
    version: int | None = None  # the courses version it was read at (None: read outside the cache)


_cache: OrderedDict[tuple[str, int], CourseView] = OrderedDict()
_lock = threading.Lock()


def _load(session: Session, course_id: str, version: int | None = None) -> CourseView | None:
    course = session.scalar(
        select(Course).where(Course.id == course_id)
        .options(selectinload(Course.modules).selectinload(Module.lessons).selectinload(Lesson.questions)))
    if course is None:
        return None
    return CourseView(
        id=course.id, title=course.title, description=course.description, cover_url=course.cover_url,
        is_published=course.is_published, is_free=course.is_free, price=course.price, currency=course.currency,
        created_at=course.created_at, version=version,
        modules=tuple(ModuleView(id=m.id, title=m.title, order_index=m.order_index, lessons=tuple(
            LessonView(id=lesson.id, title=lesson.title, order_index=lesson.order_index,
                       is_free_preview=lesson.is_free_preview, video_url=lesson.video_url, content=lesson.content,
                       questions=tuple(QuestionView(id=q.id, text=q.text, options=list(q.options or []))
                                       for q in lesson.questions))
            for lesson in m.lessons)) for m in course.modules))


def course_view(session: Session, course_id: str) -> CourseView | None:
    """The course's structure: one version read and, when unchanged since last time, nothing else."""
    if not isinstance(course_id, str) or not session.info.get(READ_OPTION):
        return _load(session, course_id)
    version = cache_versions.version_of(session, cache_versions.COURSES)  # before the data: never newer
    if version is None:
        return _load(session, course_id)
    key = (course_id, version)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    view = _load(session, course_id, version)
    if view is not None:
        with _lock:
            _cache[key] = view
            while len(_cache) > MAX_COURSES:
                _cache.popitem(last=False)
    return view
