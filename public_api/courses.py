"""Courses: admin editing (/api/admin-courses…) and the student side (/api/courses…)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from core.services import cache_versions, course_progress, courses, lessons
from core.services.bounds import MAX_PRICE
from core.services.clean import MAX_TITLE_CHARS
from core.services.courses import MAX_DESCRIPTION_CHARS
from core.services.lessons import MAX_ANSWER_CHARS, MAX_CONTENT_CHARS
from core.services.media import canonical_or_none
from core.services.pagination import Page
from public_api import http_cache
from public_api.http import Ctx, api, render_json
from public_api.validation import (
    ApiModel,
    MediaUrlOut,
    MultiLine,
    NotBlank,
    OutModel,
    PageQuery,
    RequiredOneLine,
    not_null,
)

# ---- request bodies ---------------------------------------------------------------------------


class CourseIn(ApiModel):
    title: RequiredOneLine = Field(max_length=MAX_TITLE_CHARS)
    description: MultiLine | None = Field(default=None, max_length=MAX_DESCRIPTION_CHARS)
    cover_url: str | None = None
    is_published: bool = False
    is_free: bool = True
    price: int = Field(default=0, ge=0, le=MAX_PRICE)


class CoursePatch(ApiModel):
    # A field left out stays as it is; null (not in the schema) is refused except where it clears a value.
    title: RequiredOneLine | None = not_null(max_length=MAX_TITLE_CHARS)
    description: MultiLine | None = Field(default=None, max_length=MAX_DESCRIPTION_CHARS)
    cover_url: str | None = None
    is_published: bool | None = not_null()
    is_free: bool | None = not_null()
    price: int | None = not_null(ge=0, le=MAX_PRICE)


class ModuleIn(ApiModel):
    title: RequiredOneLine = Field(max_length=MAX_TITLE_CHARS)
    order_index: int | None = Field(default=None, ge=0)


class LessonIn(ApiModel):
    title: RequiredOneLine = Field(max_length=MAX_TITLE_CHARS)
    content: MultiLine | None = Field(default=None, max_length=MAX_CONTENT_CHARS)
    video_url: str | None = None
    is_free_preview: bool = False
    order_index: int | None = Field(default=None, ge=0)


class LessonPatch(ApiModel):
    """Only the fields sent are changed; `videoUrl: null` clears the video (null is refused elsewhere)."""

    title: RequiredOneLine | None = not_null(max_length=MAX_TITLE_CHARS)
    content: MultiLine | None = Field(default=None, max_length=MAX_CONTENT_CHARS)
    video_url: str | None = None
    is_free_preview: bool | None = not_null()
    order_index: int | None = not_null(ge=0)


class QuestionIn(ApiModel):
    text: NotBlank
    options: list[str] = Field(default_factory=list, max_length=20)
    correct_answer: NotBlank = Field(max_length=MAX_ANSWER_CHARS)


class LessonAnswerIn(ApiModel):
    answer: NotBlank = Field(max_length=MAX_ANSWER_CHARS)


# ---- responses --------------------------------------------------------------------------------


class CourseSummaryOut(OutModel):
    id: str
    title: str
    description: str | None
    cover_url: MediaUrlOut
    is_published: bool
    is_free: bool
    price: int
    currency: str
    created_at: datetime
    lessons_count: int | None = None


class CourseListOut(OutModel):
    items: list[CourseSummaryOut]
    total: int
    limit: int
    offset: int


class LessonQuestionOut(OutModel):
    id: str
    text: str
    options: list[Any]


class LessonOutlineOut(OutModel):
    id: str
    title: str
    order_index: int
    is_free_preview: bool
    locked: bool
    video_url: MediaUrlOut
    content: str | None
    questions: list[LessonQuestionOut]


class ModuleOut(OutModel):
    id: str
    title: str
    order_index: int
    lessons: list[LessonOutlineOut] = []


class CourseOut(CourseSummaryOut):
    is_enrolled: bool
    modules: list[ModuleOut]


class LessonOut(OutModel):
    id: str
    module_id: str
    title: str
    content: str | None
    video_url: str | None
    is_free_preview: bool
    order_index: int
    updated_at: datetime | None


class CourseEnrollmentOut(OutModel):
    course_id: str
    user_id: str
    enrolled_at: datetime
    created: bool


class CompletionOut(OutModel):
    lesson_id: str
    completed: bool
    xp_awarded: int


class LessonAnswerOut(OutModel):
    is_correct: bool
    xp_awarded: int
    mission_xp_awarded: int = 0


class QuestionCreatedOut(OutModel):
    id: str
    lesson_id: str
    text: str
    options: list[Any]


def _lesson_out(lesson: Any) -> dict[str, Any]:
    return {"id": lesson.id, "moduleId": lesson.module_id, "title": lesson.title, "content": lesson.content,
            "videoUrl": canonical_or_none(lesson.video_url), "isFreePreview": lesson.is_free_preview,
            "orderIndex": lesson.order_index, "updatedAt": lesson.updated_at}


# ---- admin ------------------------------------------------------------------------------------


@api("/api/admin-courses", "POST", body=CourseIn, response=CourseSummaryOut, status=201,
     tag="admin-courses", auth_mode="admin")
def create_course(ctx: Ctx, body: CourseIn) -> CourseSummaryOut:
    """Create a course (admin)."""
    course = courses.create_course(ctx.session, ctx.storage, actor=ctx.actor, fields=body.model_dump(),
                                   now=ctx.now)
    return CourseSummaryOut.model_validate(course)


@api("/api/admin-courses/{course_id}", "PUT", body=CoursePatch, response=CourseSummaryOut,
     tag="admin-courses", auth_mode="admin")
def update_course(ctx: Ctx, body: CoursePatch, course_id: str) -> CourseSummaryOut:
    """Change course fields, including publishing and the price (admin)."""
    course = courses.update_course(ctx.session, ctx.storage, actor=ctx.actor, course_id=course_id,
                                   fields=body.model_dump(exclude_unset=True), now=ctx.now)
    return CourseSummaryOut.model_validate(course)


@api("/api/admin-courses/{course_id}/modules", "POST", body=ModuleIn, response=ModuleOut, status=201,
     tag="admin-courses", auth_mode="admin")
def create_module(ctx: Ctx, body: ModuleIn, course_id: str) -> dict:
    """Add a module to a course (admin)."""
    module = courses.create_module(ctx.session, actor=ctx.actor, course_id=course_id, title=body.title,
                                   order_index=body.order_index, now=ctx.now)
    return {"id": module.id, "title": module.title, "orderIndex": module.order_index, "lessons": []}


@api("/api/admin-courses/modules/{module_id}/lessons", "POST", body=LessonIn, response=LessonOut, status=201,
     tag="admin-courses", auth_mode="admin")
def create_lesson(ctx: Ctx, body: LessonIn, module_id: str) -> dict:
    """Add a lesson to a module (admin); videoUrl must point at an uploaded video."""
    lesson = lessons.create_lesson(ctx.session, ctx.storage, actor=ctx.actor, module_id=module_id,
                                   fields=body.model_dump(), now=ctx.now)
    return _lesson_out(lesson)


@api("/api/admin-courses/lessons/{lesson_id}", "PUT", body=LessonPatch, response=LessonOut,
     tag="admin-courses", auth_mode="admin")
def update_lesson(ctx: Ctx, body: LessonPatch, lesson_id: str) -> dict:
    """Save a lesson (admin). Never changes the course's published/free/price fields."""
    lesson = lessons.update_lesson(ctx.session, ctx.storage, actor=ctx.actor, lesson_id=lesson_id,
                                   fields=body.model_dump(exclude_unset=True), now=ctx.now)
    return _lesson_out(lesson)


@api("/api/admin-courses/lessons/{lesson_id}/questions", "POST", body=QuestionIn, response=QuestionCreatedOut,
     status=201, tag="admin-courses", auth_mode="admin")
def add_question(ctx: Ctx, body: QuestionIn, lesson_id: str) -> dict:
    """Attach a question to a lesson (admin)."""
    q = lessons.add_question(ctx.session, actor=ctx.actor, lesson_id=lesson_id, text=body.text,
                             options=body.options, correct_answer=body.correct_answer, now=ctx.now)
    return {"id": q.id, "lessonId": q.lesson_id, "text": q.text, "options": q.options}


# ---- students ---------------------------------------------------------------------------------


@api("/api/courses", "GET", query=PageQuery, response=CourseListOut, auth_mode="none", tag="courses",
     cache=cache_versions.COURSES)
def list_courses(ctx: Ctx, query: PageQuery) -> dict:
    """Published courses, newest first."""
    page = Page.of(query.limit, query.offset)
    listed, total = courses.list_courses(ctx.session, page=page)
    items = [CourseSummaryOut.model_validate(c.course).model_copy(update={"lessons_count": c.lessons_count})
             for c in listed]
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@api("/api/courses/{course_id}", "GET", response=CourseOut, auth_mode="optional", tag="courses",
     cache=cache_versions.COURSES)
def get_course(ctx: Ctx, course_id: str) -> http_cache.JsonBody:
    """A course with modules and lessons; video URLs only for those allowed to watch."""
    page = courses.get_course(ctx.session, actor=ctx.actor, course_id=course_id)
    pages = http_cache.rendered_of(ctx.state, "course_pages")
    shape = page.shape
    body = None if shape is None else pages.get(shape)  # a class opening the same lesson: built once
    if body is None:
        summary = CourseSummaryOut.model_validate(page.course).model_dump()
        out = CourseOut.model_validate({**summary, "is_enrolled": page.is_enrolled, "modules": page.modules})
        body = render_json(CourseOut, out)
        if shape is not None:
            pages.put(shape, body)
    return http_cache.JsonBody(body)


@api("/api/courses/{course_id}/enroll", "POST", response=CourseEnrollmentOut, tag="courses")
def enroll(ctx: Ctx, course_id: str) -> dict:
    """Enrol in a free published course (idempotent: a repeat returns the same enrolment)."""
    row, created = courses.enroll(ctx.session, actor=ctx.actor, course_id=course_id, now=ctx.now)
    return {"courseId": row.course_id, "userId": row.user_id, "enrolledAt": row.created_at, "created": created}


@api("/api/courses/{course_id}/lessons/{lesson_id}/complete", "POST", response=CompletionOut, tag="courses")
def complete_lesson(ctx: Ctx, course_id: str, lesson_id: str) -> course_progress.LessonCompleted:
    """Mark a lesson completed (+10 XP the first time)."""
    return course_progress.complete_lesson(ctx.session, actor=ctx.actor, course_id=course_id,
                                           lesson_id=lesson_id, now=ctx.now,
                                           thresholds=ctx.settings.xp_thresholds)


@api("/api/courses/{course_id}/questions/{question_id}/answer", "POST", body=LessonAnswerIn, response=LessonAnswerOut,
     tag="courses")
def answer_question(ctx: Ctx, body: LessonAnswerIn, course_id: str, question_id: str) -> course_progress.AnswerChecked:
    """Answer a lesson question (+20 XP for the first correct answer)."""
    return course_progress.answer_question(ctx.session, actor=ctx.actor, course_id=course_id,
                                           question_id=question_id, answer=body.answer, now=ctx.now,
                                           thresholds=ctx.settings.xp_thresholds,
                                           timezone=ctx.settings.default_timezone)


routes = [create_course, update_course, create_module, create_lesson, update_lesson, add_question,
          list_courses, get_course, enroll, complete_lesson, answer_question]
