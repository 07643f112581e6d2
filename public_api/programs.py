"""Programs for admins and mentors: GET /api/programs, GET /api/programs/{id}."""

from __future__ import annotations

from core.models import ProgramLesson
from core.services import programs
from core.services.pagination import Page
from public_api.http import Ctx, api
from public_api.validation import OutModel, PageQuery


class ProgramSummaryOut(OutModel):
    id: str
    title: str
    description: str | None
    is_published: bool
    lessons_count: int


class ProgramListOut(OutModel):
    items: list[ProgramSummaryOut]
    total: int
    limit: int
    offset: int


class QuizBriefOut(OutModel):
    id: str
    title: str
    pass_percent: int
    questions_count: int


class MaterialsOut(OutModel):
    """Download links (GET, same authorisation as the program) or null when nothing is uploaded."""

    scenario: str | None
    presentation: str | None


class ProgramLessonOut(OutModel):
    id: str
    title: str
    order_index: int
    description: str | None
    xp_reward: int
    quiz: QuizBriefOut | None
    materials: MaterialsOut


class ProgramOut(OutModel):
    id: str
    title: str
    description: str | None
    is_published: bool
    lessons: list[ProgramLessonOut]


def material_links(lesson: ProgramLesson) -> MaterialsOut:
    base = f"/api/programs/lessons/{lesson.id}/materials"
    return MaterialsOut(scenario=f"{base}/scenario" if lesson.scenario_key else None,
                        presentation=f"{base}/presentation" if lesson.presentation_key else None)


def _lesson_out(lesson: ProgramLesson) -> ProgramLessonOut:
    quiz = lesson.quiz
    return ProgramLessonOut(
        id=lesson.id, title=lesson.title, order_index=lesson.order_index, description=lesson.description,
        xp_reward=lesson.xp_reward, materials=material_links(lesson),
        quiz=None if quiz is None else QuizBriefOut(id=quiz.id, title=quiz.title, pass_percent=quiz.pass_percent,
                                                    questions_count=len(quiz.questions)))


@api("/api/programs", "GET", query=PageQuery, response=ProgramListOut, tag="programs")
def list_programs(ctx: Ctx, query: PageQuery) -> ProgramListOut:
    """Programs by title with lesson counts (admins and mentors; mentors see published ones)."""
    page = Page.of(query.limit, query.offset)
    listed, total = programs.list_programs(ctx.session, actor=ctx.actor, page=page, now=ctx.now)
    return ProgramListOut(items=[ProgramSummaryOut(id=p.program.id, title=p.program.title,
                                                   description=p.program.description,
                                                   is_published=p.program.is_published,
                                                   lessons_count=p.lessons_count) for p in listed],
                          total=total, limit=page.limit, offset=page.offset)


@api("/api/programs/{program_id}", "GET", response=ProgramOut, tag="programs")
def get_program(ctx: Ctx, program_id: str) -> ProgramOut:
    """A program with its lessons in order: quiz, XP reward and material download links."""
    program = programs.get_program(ctx.session, actor=ctx.actor, program_id=program_id, now=ctx.now)
    return ProgramOut(id=program.id, title=program.title, description=program.description,
                      is_published=program.is_published, lessons=[_lesson_out(x) for x in program.lessons])


routes = [list_programs, get_program]
