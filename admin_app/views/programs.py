"""Программы, Уроки программ, Тесты, Вопросы: every save goes through core/services/programs|quizzes."""

from __future__ import annotations

from typing import Any, ClassVar

from sqladmin import expose
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from wtforms.fields import FileField, TextAreaField
from wtforms.validators import Optional

from admin_app.base_view import RussianForm, S7ModelView
from admin_app.helpers import run_service, settings_of
from admin_app.views.video_upload import storage_of
from core.clock import utcnow
from core.errors import ServiceError
from core.models import MaterialKind, Program, ProgramLesson, QuestionType, Quiz, QuizQuestion
from core.services import program_materials, programs, quizzes

# Plain, unmapped attributes (no schema change): SQLAdmin reads them when no file is chosen.
ProgramLesson.scenario_upload = None
ProgramLesson.presentation_upload = None
UPLOAD_FIELDS = {"scenario_upload": MaterialKind.SCENARIO, "presentation_upload": MaterialKind.PRESENTATION}


def _pk(value: Any) -> str | None:
    """The id a relation select posted (SQLAdmin passes the raw string, or the row)."""
    return value if isinstance(value, str) and value else getattr(value, "id", None)


class LinesField(TextAreaField):
    """A list of strings edited one per line (question options and correct answers)."""

    def _value(self) -> str:
        if isinstance(self.data, list):
            return "\n".join(str(item) for item in self.data)
        return str(self.data or "")

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]) if valuelist else ""
        self.data = [line.strip() for line in raw.splitlines() if line.strip()]


class ProgramAdmin(S7ModelView, model=Program):
    name = "Программа"
    name_plural = "Программы"
    icon = "fa-solid fa-book"
    identity = "program"
    can_delete = False
    column_list: ClassVar[list[Any]] = [Program.title, Program.is_published, Program.created_at]
    column_searchable_list: ClassVar[list[Any]] = [Program.title]
    column_sortable_list: ClassVar[list[Any]] = [Program.title, Program.created_at]
    column_default_sort: ClassVar[list[Any]] = [(Program.created_at, True)]
    form_columns: ClassVar[list[Any]] = [Program.title, Program.description, Program.is_published]
    column_labels: ClassVar[dict[Any, str]] = {
        Program.title: "Название", Program.description: "Описание", Program.is_published: "Опубликована",
        Program.created_at: "Создана", Program.lessons: "Уроки",
    }

    @staticmethod
    def _fields(data: dict) -> dict[str, Any]:
        return {k: data[k] for k in programs.PROGRAM_FIELDS if k in data}

    async def insert_model(self, request: Request, data: dict) -> Any:
        return await run_service(request, lambda s, a: programs.create_program(
            s, actor=a, fields=self._fields(data), now=utcnow()))

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        return await run_service(request, lambda s, a: programs.update_program(
            s, actor=a, program_id=pk, fields=self._fields(data), now=utcnow()))


class MaterialUploadForm(RussianForm):
    scenario_upload = FileField("Сценарий (PDF или DOCX)", render_kw={"accept": ".pdf,.docx"},
                                description="Выберите файл, чтобы загрузить или заменить сценарий.")
    presentation_upload = FileField("Презентация (PDF или PPTX)", render_kw={"accept": ".pdf,.pptx"},
                                    description="Выберите файл, чтобы загрузить или заменить презентацию.")


class ProgramLessonAdmin(S7ModelView, model=ProgramLesson):
    name = "Урок программы"
    name_plural = "Уроки программ"
    icon = "fa-solid fa-person-chalkboard"
    identity = "program-lesson"
    can_delete = False
    form_base_class = MaterialUploadForm
    edit_template = "s7/material_edit.html"
    column_list: ClassVar[list[Any]] = [ProgramLesson.title, ProgramLesson.program, ProgramLesson.order_index,
                                        ProgramLesson.quiz, ProgramLesson.xp_reward]
    column_searchable_list: ClassVar[list[Any]] = [ProgramLesson.title]
    column_sortable_list: ClassVar[list[Any]] = [ProgramLesson.title, ProgramLesson.order_index,
                                                 ProgramLesson.created_at]
    column_default_sort: ClassVar[list[Any]] = [(ProgramLesson.created_at, True)]
    form_columns: ClassVar[list[Any]] = [ProgramLesson.program, ProgramLesson.title, ProgramLesson.order_index,
                                         ProgramLesson.description, ProgramLesson.quiz, ProgramLesson.xp_reward]
    form_ajax_refs: ClassVar[dict[str, dict[str, Any]]] = {
        "program": {"fields": ("title",), "limit": 20}, "quiz": {"fields": ("title",), "limit": 20},
    }
    form_args: ClassVar[dict[str, dict[str, Any]]] = {
        "program": {"allow_blank": True},
        "xp_reward": {"description": f"От 0 до {programs.MAX_XP_REWARD}."},
        "order_index": {"description": "Пусто — в конец программы (при изменении — оставить как есть).",
                        "validators": [Optional()]},
    }
    column_labels: ClassVar[dict[Any, str]] = {
        ProgramLesson.title: "Название", ProgramLesson.program: "Программа", ProgramLesson.order_index: "Порядок",
        ProgramLesson.description: "Описание", ProgramLesson.quiz: "Тест", ProgramLesson.xp_reward: "Награда XP",
        ProgramLesson.scenario_key: "Сценарий", ProgramLesson.presentation_key: "Презентация",
        ProgramLesson.created_at: "Создан",
    }

    @staticmethod
    def _fields(data: dict) -> dict[str, Any]:
        fields = {k: data[k] for k in ("title", "order_index", "description", "xp_reward") if k in data}
        if "quiz" in data:
            fields["quiz_id"] = _pk(data["quiz"])
        return fields

    def material_links(self, obj: Any) -> list[dict[str, str]]:
        """Download links of the uploaded materials (the back-office route below, cookie-authorised)."""
        if obj is None:
            return []
        return [{"label": program_materials.LABEL[kind], "url": f"/admin/{self.identity}/material/{obj.id}/{kind}"}
                for kind in MaterialKind if getattr(obj, program_materials.COLUMN[kind])]

    async def _save(self, request: Request, data: dict, save: Any) -> Any:
        """Fields and uploads in ONE transaction through the services: a refused file (415/413) leaves
        the lesson unchanged. The uploads stream from SQLAdmin's spooled temp files."""
        uploads = {kind: data.pop(name, None) for name, kind in UPLOAD_FIELDS.items()}
        files = {kind: f for kind, f in uploads.items() if isinstance(f, UploadFile) and f.filename}
        storage, max_bytes = storage_of(request), settings_of(request).media_max_bytes

        def work(session: Any, actor: Any) -> Any:
            lesson = save(session, actor)
            for kind, upload in files.items():
                program_materials.attach_material(
                    session, storage, actor=actor, lesson_id=lesson.id, kind=kind, stream=upload.file,
                    filename=upload.filename, declared_type=upload.content_type, max_bytes=max_bytes, now=utcnow())
            return lesson

        return await run_service(request, work)

    async def insert_model(self, request: Request, data: dict) -> Any:
        return await self._save(request, data, lambda s, a: programs.create_program_lesson(
            s, actor=a, program_id=_pk(data.get("program")), fields=self._fields(data), now=utcnow()))

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        return await self._save(request, data, lambda s, a: programs.update_program_lesson(
            s, actor=a, lesson_id=pk, fields=self._fields(data), now=utcnow()))

    @expose("/material/{pk}/{kind}", methods=["GET"])
    async def download_material(self, request: Request) -> Response:
        """The same download rule and private storage as the API (staff cookie instead of a token)."""
        pk, kind = request.path_params["pk"], request.path_params["kind"]
        try:
            found = await run_service(request, lambda s, a: program_materials.material_for_download(
                s, actor=a, lesson_id=pk, kind=kind, now=utcnow()))
            chunks = await run_in_threadpool(storage_of(request).open_range, found.key, 0, max(found.size - 1, 0),
                                             private=True)
        except ServiceError as error:
            return PlainTextResponse(error.message, status_code=error.http_status)
        except FileNotFoundError:
            return PlainTextResponse("Файл материала не найден в хранилище", status_code=404)
        return StreamingResponse(chunks, media_type=found.content_type, headers={
            "Content-Disposition": program_materials.content_disposition(found.filename),
            "Cache-Control": "private, no-store"})


class QuizAdmin(S7ModelView, model=Quiz):
    name = "Тест"
    name_plural = "Тесты"
    icon = "fa-solid fa-list-check"
    identity = "quiz"
    can_delete = False
    column_list: ClassVar[list[Any]] = [Quiz.title, Quiz.pass_percent, Quiz.created_at]
    column_searchable_list: ClassVar[list[Any]] = [Quiz.title]
    column_sortable_list: ClassVar[list[Any]] = [Quiz.title, Quiz.created_at]
    column_default_sort: ClassVar[list[Any]] = [(Quiz.created_at, True)]
    form_columns: ClassVar[list[Any]] = [Quiz.title, Quiz.pass_percent]
    form_args: ClassVar[dict[str, dict[str, Any]]] = {
        "pass_percent": {"description": "От 1 до 100; по умолчанию 60.", "default": quizzes.DEFAULT_PASS_PERCENT},
    }
    column_labels: ClassVar[dict[Any, str]] = {
        Quiz.title: "Название", Quiz.pass_percent: "Проходной процент", Quiz.created_at: "Создан",
        Quiz.questions: "Вопросы",
    }

    @staticmethod
    def _fields(data: dict) -> dict[str, Any]:
        return {k: data[k] for k in quizzes.QUIZ_FIELDS if k in data}

    async def insert_model(self, request: Request, data: dict) -> Any:
        return await run_service(request, lambda s, a: quizzes.create_quiz(
            s, actor=a, fields=self._fields(data), now=utcnow()))

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        return await run_service(request, lambda s, a: quizzes.update_quiz(
            s, actor=a, quiz_id=pk, fields=self._fields(data), now=utcnow()))


class QuizQuestionAdmin(S7ModelView, model=QuizQuestion):
    name = "Вопрос"
    name_plural = "Вопросы"
    icon = "fa-solid fa-circle-question"
    identity = "quiz-question"
    can_delete = False
    column_list: ClassVar[list[Any]] = [QuizQuestion.text, QuizQuestion.quiz, QuizQuestion.type,
                                        QuizQuestion.order_index]
    column_searchable_list: ClassVar[list[Any]] = [QuizQuestion.text]
    column_sortable_list: ClassVar[list[Any]] = [QuizQuestion.order_index, QuizQuestion.created_at]
    column_default_sort: ClassVar[list[Any]] = [(QuizQuestion.created_at, True)]
    form_columns: ClassVar[list[Any]] = [QuizQuestion.quiz, QuizQuestion.type, QuizQuestion.text,
                                         QuizQuestion.options, QuizQuestion.correct, QuizQuestion.order_index]
    form_ajax_refs: ClassVar[dict[str, dict[str, Any]]] = {"quiz": {"fields": ("title",), "limit": 20}}
    form_overrides: ClassVar[dict[str, Any]] = {"options": LinesField, "correct": LinesField}
    form_choices: ClassVar[dict[str, list[tuple[str, str]]]] = {
        "type": [(QuestionType.SINGLE.value, "Один ответ"), (QuestionType.MULTIPLE.value, "Несколько ответов"),
                 (QuestionType.TEXT.value, "Текстовый ответ")],
    }
    form_args: ClassVar[dict[str, dict[str, Any]]] = {
        "quiz": {"allow_blank": True},
        "order_index": {"description": "Пусто — в конец теста (при изменении — оставить как есть).",
                        "validators": [Optional()]},
        "options": {"description": "По одному варианту в строке (для текстового ответа — пусто)."},
        "correct": {"description": "Правильные варианты (или принимаемые ответы), по одному в строке."},
    }
    column_labels: ClassVar[dict[Any, str]] = {
        QuizQuestion.quiz: "Тест", QuizQuestion.type: "Тип", QuizQuestion.text: "Вопрос",
        QuizQuestion.options: "Варианты", QuizQuestion.correct: "Правильные ответы",
        QuizQuestion.order_index: "Порядок", QuizQuestion.created_at: "Создан",
    }

    @staticmethod
    def _fields(data: dict) -> dict[str, Any]:
        return {k: data[k] for k in quizzes.QUESTION_FIELDS if k in data}

    async def insert_model(self, request: Request, data: dict) -> Any:
        return await run_service(request, lambda s, a: quizzes.create_question(
            s, actor=a, quiz_id=_pk(data.get("quiz")), fields=self._fields(data), now=utcnow()))

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        return await run_service(request, lambda s, a: quizzes.update_question(
            s, actor=a, question_id=pk, fields=self._fields(data), now=utcnow()))
