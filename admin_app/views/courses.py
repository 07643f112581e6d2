"""Курсы, Модули, Уроки. The lesson form uploads the video and saves its URL in one step."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy.orm import Session
from starlette.requests import Request

from admin_app.archive import archive_actions
from admin_app.base_view import S7ModelView
from admin_app.helpers import run_service
from admin_app.views.video_upload import VideoUploadView, storage_of
from core.clock import utcnow
from core.models import Course, Lesson, Module, User
from core.services import courses, lessons
from core.storage import Storage

# Plain, unmapped attribute (no schema change): SQLAdmin reads `obj.upload` when no file is chosen.
Lesson.upload = None


class CourseAdmin(S7ModelView, model=Course):
    name = "Курс"
    name_plural = "Курсы"
    icon = "fa-solid fa-graduation-cap"
    form_actions = archive_actions(Course)
    column_list: ClassVar[list[Any]] = [Course.title, Course.is_published, Course.is_free, Course.price,
                                        Course.archived_at, Course.created_at]
    column_searchable_list: ClassVar[list[Any]] = [Course.title]
    column_sortable_list: ClassVar[list[Any]] = [Course.title, Course.created_at, Course.price]
    column_default_sort: ClassVar[list[Any]] = [(Course.created_at, True)]
    form_columns: ClassVar[list[Any]] = [Course.title, Course.description, Course.cover_url, Course.is_published,
                                         Course.is_free, Course.price]
    column_details_exclude_list: ClassVar[list[Any]] = [Course.modules]
    column_labels: ClassVar[dict[Any, str]] = {
        Course.title: "Название", Course.description: "Описание", Course.cover_url: "Обложка (URL)",
        Course.is_published: "Опубликован", Course.is_free: "Бесплатный", Course.price: "Цена, ₸",
        Course.currency: "Валюта", Course.created_at: "Создан", Course.updated_at: "Изменён",
        Course.archived_at: "В архиве с",
    }

    # Saved through the course service, like the API: cover URL normalised and verified, a paid
    # course needs a price, audited (course.create / course.update). Errors become the form's message.
    @staticmethod
    def _fields(data: dict) -> dict[str, Any]:
        fields = {k: data[k] for k in courses.COURSE_FIELDS if k in data}
        if fields.get("price") is None and "price" in fields:
            fields["price"] = 0
        return fields

    async def insert_model(self, request: Request, data: dict) -> Any:
        storage = storage_of(request)
        return await run_service(request, lambda s, a: courses.create_course(
            s, storage, actor=a, fields=self._fields(data), now=utcnow()))

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        storage = storage_of(request)
        return await run_service(request, lambda s, a: courses.update_course(
            s, storage, actor=a, course_id=pk, fields=self._fields(data), now=utcnow()))


class ModuleAdmin(S7ModelView, model=Module):
    name = "Модуль"
    name_plural = "Модули"
    icon = "fa-solid fa-layer-group"
    column_list: ClassVar[list[Any]] = [Module.title, Module.course, Module.order_index, Module.created_at]
    column_searchable_list: ClassVar[list[Any]] = [Module.title]
    column_sortable_list: ClassVar[list[Any]] = [Module.title, Module.order_index, Module.created_at]
    form_columns: ClassVar[list[Any]] = [Module.course, Module.title, Module.order_index]
    column_details_exclude_list: ClassVar[list[Any]] = [Module.lessons]
    form_ajax_refs: ClassVar[dict[str, dict[str, Any]]] = {"course": {"fields": ("title",), "limit": 20}}
    column_labels: ClassVar[dict[Any, str]] = {
        Module.title: "Название", Module.course: "Курс", Module.order_index: "Порядок", Module.created_at: "Создан",
    }
    form_args: ClassVar[dict[str, dict[str, Any]]] = {"course": {"allow_blank": True}}  # see LessonAdmin

    async def insert_model(self, request: Request, data: dict) -> Any:
        return await run_service(request, lambda s, a: courses.create_module(
            s, actor=a, course_id=_pk(data.get("course")), title=data.get("title"),
            order_index=data.get("order_index"), now=utcnow()))

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        fields = {k: data[k] for k in ("title", "order_index") if k in data}
        if fields.get("order_index") is None:  # left empty: unchanged
            fields.pop("order_index", None)
        course_id = _pk(data.get("course"))
        if course_id:
            fields["course_id"] = course_id
        return await run_service(request, lambda s, a: courses.update_module(
            s, actor=a, module_id=pk, fields=fields, now=utcnow()))


class LessonAdmin(VideoUploadView, model=Lesson):
    name = "Урок"
    name_plural = "Уроки"
    icon = "fa-solid fa-film"
    column_list: ClassVar[list[Any]] = [Lesson.title, Lesson.module, Lesson.order_index, Lesson.is_free_preview,
                                        Lesson.video_url, Lesson.updated_at]
    column_searchable_list: ClassVar[list[Any]] = [Lesson.title, Lesson.video_url]
    column_sortable_list: ClassVar[list[Any]] = [Lesson.title, Lesson.order_index, Lesson.updated_at]
    column_default_sort: ClassVar[list[Any]] = [(Lesson.updated_at, True)]
    form_columns: ClassVar[list[Any]] = [Lesson.module, Lesson.title, Lesson.order_index, Lesson.content,
                                         Lesson.is_free_preview, Lesson.video_url]
    column_details_exclude_list: ClassVar[list[Any]] = [Lesson.questions]
    form_ajax_refs: ClassVar[dict[str, dict[str, Any]]] = {"module": {"fields": ("title",), "limit": 20}}
    form_args: ClassVar[dict[str, dict[str, Any]]] = {
        "video_url": {"description": "Ссылка на загруженное видео (/api/media/…). Внешние ссылки не принимаются."},
        # The module may be left empty: the service then answers "Модуль не найден" in Russian
        # instead of SQLAdmin's English "Not a valid choice".
        "module": {"allow_blank": True},
    }
    column_labels: ClassVar[dict[Any, str]] = {
        Lesson.title: "Название", Lesson.module: "Модуль", Lesson.order_index: "Порядок",
        Lesson.content: "Текст урока", Lesson.is_free_preview: "Бесплатный предпросмотр",
        Lesson.video_url: "Видео", Lesson.updated_at: "Изменён", Lesson.created_at: "Создан",
    }

    @staticmethod
    def _fields(data: dict[str, Any]) -> dict[str, Any]:
        return {k: data[k] for k in lessons.LESSON_FIELDS if k in data}

    def create_row(self, session: Session, storage: Storage, actor: User, data: dict[str, Any]) -> Lesson:
        return lessons.create_lesson(session, storage, actor=actor, module_id=_pk(data.get("module")),
                                     fields=self._fields(data), now=utcnow())

    def update_row(self, session: Session, storage: Storage, actor: User, pk: str, data: dict[str, Any]) -> Lesson:
        fields = self._fields(data)
        if fields.get("order_index") is None:  # left empty: unchanged
            fields.pop("order_index", None)
        return lessons.update_lesson(session, storage, actor=actor, lesson_id=pk, fields=fields, now=utcnow(),
                                     module_id=_pk(data.get("module")))


def _pk(value: Any) -> str | None:
    """The id a relation select posted (SQLAdmin passes the raw string)."""
    return value if isinstance(value, str) and value else getattr(value, "id", None)
