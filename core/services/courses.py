"""Courses and modules: admin CRUD, the public catalogue, the course page and enrolment.

Lessons (and their video URLs) live in `lessons.py`; completion and answers in `course_progress.py`.
Who sees a lesson's video (SPEC §4): admins, enrolled students, anyone for a free course or a
free-preview lesson. Everybody else gets the outline with `videoUrl: null` and `locked: true`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import ErrorCode, Forbidden, Invalid, NotFound, field_error
from core.models import AuditAction, Course, CourseEnrollment, Lesson, Module, User
from core.services import audit, bounds, clean, course_structure
from core.services.course_structure import CourseView, LessonView, QuestionView
from core.services.media import require_media_url
from core.services.pagination import Page
from core.services.permissions import require_admin
from core.services.play_access import Access, Reason

COURSE_FIELDS = ("title", "description", "cover_url", "is_published", "is_free", "price")


# ---- admin: courses and modules -------------------------------------------------------------

MAX_DESCRIPTION_CHARS = 20_000


def _clean_title(value: Any, field: str = "title") -> str:
    return clean.clean_title(value, field=field)


def _apply_course_fields(session: Session, storage: Any, course: Course, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise Invalid(details={"fields": [{"field": f, "message": "Неизвестное поле"} for f in sorted(unknown)]})
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "title":
            value = _clean_title(value)
        elif name == "description":
            value = clean.clean_text(value, field="description", label="Описание", max_length=MAX_DESCRIPTION_CHARS,
                                     required=False, multiline=True)
        elif name == "cover_url":
            value = require_media_url(session, storage, value, field="coverUrl", kinds=("image",)) if value else None
        elif name == "price":
            value = clean.clean_int(value, field="price", label="Цена", maximum=bounds.MAX_PRICE)
        elif name in ("is_published", "is_free"):
            value = clean.clean_bool(value, field=name)
        if getattr(course, name) != value:
            setattr(course, name, value)
            changed[name] = value
    if not course.is_free and course.price <= 0:
        raise field_error("price", "Укажите цену платного курса")
    return changed


def create_course(session: Session, storage: Any, *, actor: User | None, fields: dict[str, Any],
                  now: datetime) -> Course:
    """Create a course (unpublished unless asked otherwise)."""
    actor = require_admin(actor)
    course = Course(title="", is_published=False, is_free=True, price=0, created_at=now, updated_at=now)
    _apply_course_fields(session, storage, course, {"title": fields.get("title"), **fields})
    session.add(course)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.COURSE_CREATE, entity="course", entity_id=course.id, now=now,
                 data={"title": course.title})
    return course


def update_course(session: Session, storage: Any, *, actor: User | None, course_id: str,
                  fields: dict[str, Any], now: datetime) -> Course:
    """Change course fields (the only way is_published/is_free/price ever change)."""
    actor = require_admin(actor)
    course = _course_or_404(session, course_id)
    changed = _apply_course_fields(session, storage, course, fields)
    if changed:
        audit.record(session, actor=actor, action=AuditAction.COURSE_UPDATE, entity="course", entity_id=course.id,
                     now=now, data={k: v for k, v in changed.items() if k != "description"})
    return course


def create_module(session: Session, *, actor: User | None, course_id: str | None, title: Any,
                  order_index: Any, now: datetime) -> Module:
    """Add a module to a course (at the end unless an order is given)."""
    actor = require_admin(actor)
    course = _course_or_404(session, course_id)
    title = _clean_title(title)
    if order_index is None:
        order_index = (session.scalar(select(func.max(Module.order_index)).where(Module.course_id == course.id))
                       or -1) + 1
    module = Module(course_id=course.id, title=title, order_index=_clean_order(order_index), created_at=now)
    session.add(module)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.MODULE_CREATE, entity="module", entity_id=module.id, now=now,
                 data={"courseId": course.id, "title": module.title})
    return module


def _clean_order(value: Any) -> int:
    return clean.clean_int(value, field="orderIndex", label="Порядок")


def update_module(session: Session, *, actor: User | None, module_id: str, fields: dict[str, Any],
                  now: datetime) -> Module:
    """Change a module's title/order, or move it to another course (`course_id`, back-office). Audited."""
    actor = require_admin(actor)
    module = clean.get_row(session, Module, module_id)
    if module is None:
        raise NotFound("Модуль не найден")
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "title":
            value = _clean_title(value)
        elif name == "order_index":
            value = _clean_order(value)
        elif name == "course_id":
            value = _course_or_404(session, value).id
        else:
            raise field_error(name, "Неизвестное поле")
        if getattr(module, name) != value:
            setattr(module, name, value)
            changed[name] = value
    if changed:
        audit.record(session, actor=actor, action=AuditAction.MODULE_UPDATE, entity="module", entity_id=module.id,
                     now=now, data=changed)
    return module


# ---- public: catalogue, course page, enrolment ---------------------------------------------

def _course_or_404(session: Session, course_id: str | None) -> Course:
    course = clean.get_row(session, Course, course_id)
    if course is None:
        raise NotFound("Курс не найден")
    return course


def course_visible(course: Course | CourseView, actor: User | None) -> bool:
    """Unpublished courses exist only for admins (everyone else gets 404)."""
    return course.is_published or (actor is not None and actor.is_admin)


def _visible_course(session: Session, actor: User | None, course_id: str) -> Course:
    course = _course_or_404(session, course_id)
    if not course_visible(course, actor):
        raise NotFound("Курс не найден")
    return course


def is_enrolled(session: Session, *, user_id: str, course_id: str) -> bool:
    return session.scalar(select(CourseEnrollment.id).where(
        CourseEnrollment.course_id == course_id, CourseEnrollment.user_id == user_id)) is not None


def lesson_access(course: Course | CourseView, lesson: Lesson | LessonView, *, actor: User | None,
                  enrolled: bool) -> Access:
    """The SPEC §4 rule for a lesson's video and content, with its reason (the API and the back-office
    «Почему не воспроизводится?» both read it)."""
    is_admin = actor is not None and actor.is_admin
    if not course_visible(course, actor):
        return Access(Reason.COURSE_UNPUBLISHED)
    if is_admin:
        return Access(Reason.OPEN_ADMIN)
    if enrolled:
        return Access(Reason.OPEN_ENROLLED)
    if course.is_free:
        return Access(Reason.OPEN_FREE_COURSE)
    if lesson.is_free_preview:
        return Access(Reason.OPEN_FREE_PREVIEW)
    return Access(Reason.NOT_ENROLLED)


@dataclass(frozen=True)
class CourseListed:
    course: Course
    lessons_count: int


@dataclass(frozen=True)
class LessonOutline:
    """A lesson as the course page shows it: video, content and questions only when `lesson_access` allows."""

    id: str
    title: str
    order_index: int
    is_free_preview: bool
    locked: bool
    video_url: str | None
    content: str | None
    questions: list[QuestionView]


@dataclass(frozen=True)
class ModuleOutline:
    id: str
    title: str
    order_index: int
    lessons: list[LessonOutline]


@dataclass(frozen=True)
class CoursePage:
    course: CourseView
    is_enrolled: bool
    modules: list[ModuleOutline]

    @property
    def shape(self) -> tuple[object, ...] | None:
        """What the page depends on: the course at its version, the enrolment and which lessons are open.
        Two callers with the same shape see the same page (None: not known to be unchanged)."""
        if self.course.version is None:
            return None
        opened = tuple(not lesson.locked for module in self.modules for lesson in module.lessons)
        return self.course.id, self.course.version, self.is_enrolled, opened


def list_courses(session: Session, *, page: Page) -> tuple[list[CourseListed], int]:
    """Published courses, newest first, with their lesson counts."""
    base = select(Course).where(Course.is_published.is_(True), Course.archived_at.is_(None))
    courses = session.scalars(base.order_by(Course.created_at.desc(), Course.id.desc())
                              .limit(page.limit).offset(page.offset)).all()
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    counts: dict[str, int] = {}
    if courses:
        rows = session.execute(
            select(Module.course_id, func.count(Lesson.id)).join(Lesson, Lesson.module_id == Module.id)
            .where(Module.course_id.in_([c.id for c in courses])).group_by(Module.course_id)
        ).all()
        counts = {course_id: n for course_id, n in rows}
    return [CourseListed(course=c, lessons_count=counts.get(c.id, 0)) for c in courses], total


def get_course(session: Session, *, actor: User | None, course_id: str) -> CoursePage:
    """The course page: modules → lessons (ordered); video URLs only where `lesson_access` allows.
    The structure comes from `course_structure` (unchanged courses cost one version read)."""
    course = course_structure.course_view(session, course_id)
    if course is None or not course_visible(course, actor):
        raise NotFound("Курс не найден")
    enrolled = actor is not None and is_enrolled(session, user_id=actor.id, course_id=course.id)
    modules = []
    for module in course.modules:
        lessons = []
        for lesson in module.lessons:
            open_ = lesson_access(course, lesson, actor=actor, enrolled=enrolled).allowed
            lessons.append(LessonOutline(
                id=lesson.id, title=lesson.title, order_index=lesson.order_index,
                is_free_preview=lesson.is_free_preview, locked=not open_,
                video_url=lesson.video_url if open_ else None, content=lesson.content if open_ else None,
                questions=list(lesson.questions) if open_ else []))
        modules.append(ModuleOutline(id=module.id, title=module.title, order_index=module.order_index,
                                     lessons=lessons))
    return CoursePage(course=course, is_enrolled=enrolled, modules=modules)


def enroll(session: Session, *, actor: User | None, course_id: str, now: datetime) -> tuple[CourseEnrollment, bool]:
    """Enrol the caller in a free published course. Idempotent: returns (enrolment, created).

    Raises NotFound (missing/unpublished), Forbidden `payment_required` for a paid course.
    """
    if actor is None:
        from core.errors import Unauthorized

        raise Unauthorized()
    course = _visible_course(session, actor, course_id)
    existing = _enrollment(session, actor.id, course.id)
    if existing is not None:
        return existing, False
    if not course.is_free:
        raise Forbidden("Курс платный: оформите покупку, чтобы получить доступ", code=ErrorCode.PAYMENT_REQUIRED,
                        details={"purchaseUrl": f"/api/courses/{course.id}/purchase", "price": course.price,
                                 "currency": course.currency})
    return _insert_enrollment(session, user_id=actor.id, course_id=course.id, now=now)


def _enrollment(session: Session, user_id: str, course_id: str) -> CourseEnrollment | None:
    return session.scalar(select(CourseEnrollment).where(
        CourseEnrollment.course_id == course_id, CourseEnrollment.user_id == user_id))


def _insert_enrollment(session: Session, *, user_id: str, course_id: str,
                       now: datetime) -> tuple[CourseEnrollment, bool]:
    """Insert once; a concurrent double click hits the unique constraint and gets the same row."""
    try:
        with session.begin_nested():
            row = CourseEnrollment(course_id=course_id, user_id=user_id, created_at=now)
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = _enrollment(session, user_id, course_id)
        if existing is None:
            raise
        return existing, False
    return row, True


def grant_enrollment(session: Session, *, user_id: str, course_id: str,
                     now: datetime) -> tuple[CourseEnrollment, bool]:
    """Enrol a user whose access was paid for (an approved purchase); idempotent, no permission check."""
    return _insert_enrollment(session, user_id=user_id, course_id=course_id, now=now)


def admin_enroll(session: Session, *, actor: User | None, course_id: str, user_id: str,
                 now: datetime) -> tuple[CourseEnrollment, bool]:
    """An admin enrols any user in any course (free or paid), audited."""
    actor = require_admin(actor)
    course = _course_or_404(session, course_id)
    if session.get(User, user_id) is None:
        raise NotFound("Пользователь не найден")
    row, created = _insert_enrollment(session, user_id=user_id, course_id=course.id, now=now)
    if created:
        audit.record(session, actor=actor, action=AuditAction.COURSE_ENROLL, entity="course", entity_id=course.id,
                     now=now, data={"userId": user_id})
    return row, created
