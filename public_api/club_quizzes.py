"""Club quizzes (SPEC §10–§11): the mentor's manual send and review, the student's take and submit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from core.services import quiz_distribution, quiz_grading, quiz_taking
from core.services.pagination import Page
from public_api.http import Ctx, api
from public_api.validation import ApiModel, OutModel, PageQuery


class SendIn(ApiModel):
    quiz_id: str = Field(max_length=64)


class SendOut(OutModel):
    quiz_id: str
    session_id: str
    recipients: int
    sent: int


class AnswerIn(ApiModel):
    question_id: str = Field(max_length=64)
    answer: Any = None


class SubmitIn(ApiModel):
    answers: list[AnswerIn] = Field(max_length=quiz_taking.MAX_ANSWERS)


class GradeIn(ApiModel):
    question_id: str = Field(max_length=64)
    correct: bool


class GradesIn(ApiModel):
    grades: list[GradeIn] = Field(max_length=quiz_grading.MAX_GRADES)


class QuestionOut(OutModel):
    id: str
    type: str
    text: str
    options: list[str]
    order_index: int


class AssignmentOut(OutModel):
    id: str
    quiz_id: str
    quiz_title: str
    pass_percent: int
    session_id: str | None
    kruzhok_id: str | None
    kruzhok_title: str | None
    lesson_title: str | None
    lesson_starts_at: datetime | None
    assigned_at: datetime
    due_at: datetime
    submitted_at: datetime | None
    status: str
    score: int | None
    passed: bool | None
    is_overdue: bool
    is_manual: bool


class AssignmentDetailOut(AssignmentOut):
    questions: list[QuestionOut]
    my_answers: dict[str, list[Any]] | None


class AssignmentListOut(OutModel):
    items: list[AssignmentOut]
    total: int
    limit: int
    offset: int


class AnswerOut(OutModel):
    question_id: str
    question_text: str
    type: str | None
    answer: list[Any]
    is_correct: bool | None
    points: int
    matches_accepted: bool | None


class MentorAssignmentOut(OutModel):
    id: str
    student_id: str
    full_name: str
    quiz_id: str
    quiz_title: str
    status: str
    score: int | None
    passed: bool | None
    assigned_at: datetime
    due_at: datetime
    submitted_at: datetime | None
    is_overdue: bool
    is_manual: bool
    answers: list[AnswerOut]


class MentorAssignmentListOut(OutModel):
    items: list[MentorAssignmentOut]


class GradedOut(OutModel):
    id: str
    status: str
    score: int | None


@api("/api/kruzhok/lesson/{session_id}/quiz/send", "POST", body=SendIn, response=SendOut, tag="quizzes")
def send_quiz(ctx: Ctx, body: SendIn, session_id: str) -> object:
    """Owner or mentor: send a quiz to the lesson's present/late students (all enrolled if none marked yet)."""
    return quiz_distribution.send_quiz(ctx.session, actor=ctx.actor, session_id=session_id, quiz_id=body.quiz_id,
                                       now=ctx.now)


@api("/api/kruzhok/lesson/{session_id}/quiz/assignments", "GET", response=MentorAssignmentListOut, tag="quizzes")
def lesson_assignments(ctx: Ctx, session_id: str) -> dict:
    """Owner or mentor: the lesson's quiz assignments — who submitted, the score, the answers to grade."""
    return {"items": quiz_grading.lesson_assignments(ctx.session, actor=ctx.actor, session_id=session_id,
                                                     now=ctx.now)}


@api("/api/quizzes/assignments/my", "GET", query=PageQuery, response=AssignmentListOut, tag="quizzes")
def my_assignments(ctx: Ctx, query: PageQuery) -> dict:
    """The caller's club quiz assignments, the newest first."""
    page = Page.of(query.limit, query.offset)
    items, total = quiz_taking.my_assignments(ctx.session, actor=ctx.actor, page=page, now=ctx.now)
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@api("/api/quizzes/assignments/{assignment_id}", "GET", response=AssignmentDetailOut, tag="quizzes")
def get_assignment(ctx: Ctx, assignment_id: str) -> object:
    """The caller's assignment with its questions (without the correct answers)."""
    return quiz_taking.get_assignment(ctx.session, actor=ctx.actor, assignment_id=assignment_id, now=ctx.now)


@api("/api/quizzes/assignments/{assignment_id}/submit", "POST", body=SubmitIn, response=AssignmentDetailOut,
     tag="quizzes")
def submit(ctx: Ctx, body: SubmitIn, assignment_id: str) -> object:
    """Submit the answers once before the due time (409 `already_submitted` / `overdue`)."""
    answers = [quiz_taking.AnswerIn(question_id=a.question_id, answer=a.answer) for a in body.answers]
    return quiz_taking.submit(ctx.session, actor=ctx.actor, assignment_id=assignment_id, answers=answers,
                              now=ctx.now, thresholds=ctx.settings.xp_thresholds)


@api("/api/quizzes/assignments/{assignment_id}/grade", "POST", body=GradesIn, response=GradedOut, tag="quizzes")
def grade(ctx: Ctx, body: GradesIn, assignment_id: str) -> object:
    """Owner or mentor of the club: grade every text answer; the assignment becomes GRADED."""
    grades = [quiz_grading.Grade(question_id=g.question_id, correct=g.correct) for g in body.grades]
    return quiz_grading.grade(ctx.session, actor=ctx.actor, assignment_id=assignment_id, grades=grades,
                              now=ctx.now, thresholds=ctx.settings.xp_thresholds)


routes = [send_quiz, lesson_assignments, my_assignments, get_assignment, submit, grade]
