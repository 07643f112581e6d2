"""Per-question answers of club quizzes, and the "hardest questions" read over them.

The submission/grading service (SPEC §11) writes one `ClubQuizAnswer` per question through
`record_answers`, with the question's text as it was asked. Reports ask `hardest_questions`: one
GROUP BY over the answers of one quiz's questions — bounded whatever the number of students.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.models import ClubQuizAnswer, ClubQuizAssignment, QuizQuestion


@dataclass(frozen=True)
class GradedAnswer:
    question: QuizQuestion
    answer: list[Any]
    is_correct: bool | None  # None: a text answer the mentor grades later
    points: int


@dataclass(frozen=True)
class QuestionStat:
    question_id: str
    text: str
    answers: int
    correct: int

    @property
    def correct_rate(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


def record_answers(session: Session, *, assignment: ClubQuizAssignment, answers: Sequence[GradedAnswer],
                   now: datetime) -> list[ClubQuizAnswer]:
    """One row per answered question of the assignment's quiz (the question text is snapshotted)."""
    rows = []
    for item in answers:
        if item.question.quiz_id != assignment.quiz_id:
            raise Invalid("Вопрос не из этого теста")
        rows.append(ClubQuizAnswer(assignment_id=assignment.id, question_id=item.question.id,
                                   answer=list(item.answer), is_correct=item.is_correct,
                                   points=max(0, int(item.points)), question_text=item.question.text,
                                   answered_at=now))
    session.add_all(rows)
    session.flush()
    return rows


def hardest_questions(session: Session, *, quiz_id: str, limit: int = 5) -> list[QuestionStat]:
    """The quiz's graded questions with the lowest share of correct answers (one query)."""
    correct = func.sum(case((ClubQuizAnswer.is_correct.is_(True), 1), else_=0)).cast(Integer)
    answered = func.count(ClubQuizAnswer.id)
    rows = session.execute(
        select(QuizQuestion.id, QuizQuestion.text, answered, correct)
        .join(ClubQuizAnswer, ClubQuizAnswer.question_id == QuizQuestion.id)
        .where(QuizQuestion.quiz_id == quiz_id, ClubQuizAnswer.is_correct.is_not(None))
        .group_by(QuizQuestion.id, QuizQuestion.text)
        .order_by((correct * 1.0 / answered).asc(), answered.desc(), QuizQuestion.id)
        .limit(max(1, min(int(limit), 50)))
    ).all()
    return [QuestionStat(question_id=qid, text=text, answers=int(n), correct=int(c or 0)) for qid, text, n, c in rows]
