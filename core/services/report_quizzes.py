"""Quiz analytics (SPEC §12): per quiz attempts, average and pass rate; per question the correct rate,
the hardest first.

Assignments count when they belong to a held session of the club, class, program and period (a
student filter keeps that student's assignments). Attempts are submitted assignments; the average and
the pass rate are over graded ones (score ≥ the quiz's pass percent). Questions are grouped by the
text they were asked with (ClubQuizAnswer.question_text), so editing a question later starts a new
line instead of rewriting the old answers' statistics. Queries: the count, one page, the page's
questions and the score distribution — the same number for any number of submissions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Integer, case, func, select
from sqlalchemy.orm import Session

from core.models import ClubQuizAnswer, ClubQuizAssignment, LessonSession, Quiz
from core.services.report_charts import score_chart
from core.services.report_filters import ReportFilters, ReportView, held_session_conditions
from core.services.report_table import ReportPage, ReportTable

QUESTIONS_PER_QUIZ = 10
COLUMNS = [("title", "Тест"), ("assigned", "Назначено"), ("attempts", "Попыток"), ("graded", "Оценено"),
           ("average", "Средний балл"), ("pass_rate", "Сдали, %"), ("hardest", "Самый трудный вопрос")]


@dataclass(frozen=True)
class QuestionRow:
    question_id: str
    text: str
    answers: int
    correct: int
    correct_rate: float  # percent


@dataclass(frozen=True)
class QuizRow:
    quiz_id: str
    title: str
    pass_percent: int
    assigned: int
    attempts: int
    graded: int
    average: float | None
    pass_rate: float | None
    questions: list[QuestionRow] = field(default_factory=list)

    @property
    def hardest(self) -> str:
        if not self.questions:
            return ""
        q = self.questions[0]
        rate = f"{q.correct_rate:g}".replace(".", ",")
        return f"{q.text} ({rate}%)"


def _conditions(filters: ReportFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [ClubQuizAssignment.session_id.in_(
        select(LessonSession.id).where(*held_session_conditions(filters, by_student=False)))]
    if filters.student_id:
        conditions.append(ClubQuizAssignment.student_id == filters.student_id)
    return conditions


def _questions(session: Session, filters: ReportFilters, quiz_ids: list[str]) -> dict[str, list[QuestionRow]]:
    correct = func.sum(case((ClubQuizAnswer.is_correct.is_(True), 1), else_=0)).cast(Integer)
    answered = func.count(ClubQuizAnswer.id)
    result: dict[str, list[QuestionRow]] = {}
    for quiz_id, question_id, text, n, right in session.execute(
            select(ClubQuizAssignment.quiz_id, ClubQuizAnswer.question_id, ClubQuizAnswer.question_text,
                   answered, correct)
            .join(ClubQuizAssignment, ClubQuizAssignment.id == ClubQuizAnswer.assignment_id)
            .where(ClubQuizAssignment.quiz_id.in_(quiz_ids), ClubQuizAnswer.is_correct.is_not(None),
                   *_conditions(filters))
            .group_by(ClubQuizAssignment.quiz_id, ClubQuizAnswer.question_id, ClubQuizAnswer.question_text)):
        right = int(right or 0)
        result.setdefault(quiz_id, []).append(QuestionRow(
            question_id=question_id, text=text, answers=int(n), correct=right,
            correct_rate=round(100 * right / int(n), 1) if n else 0.0))
    for items in result.values():
        items.sort(key=lambda q: (q.correct_rate, -q.answers, q.question_id, q.text))
        del items[QUESTIONS_PER_QUIZ:]
    return result


def quizzes_report(session: Session, *, filters: ReportFilters, page: ReportPage) -> ReportTable:
    conditions = _conditions(filters)
    total = session.scalar(select(func.count(func.distinct(ClubQuizAssignment.quiz_id))).where(*conditions)) or 0
    score = ClubQuizAssignment.score
    passed = func.sum(case((score >= Quiz.pass_percent, 1), else_=0)).cast(Integer)
    stats = session.execute(
        select(Quiz.id, Quiz.title, Quiz.pass_percent, func.count(ClubQuizAssignment.id),
               func.count(ClubQuizAssignment.submitted_at), func.count(score), func.avg(score), passed)
        .join(ClubQuizAssignment, ClubQuizAssignment.quiz_id == Quiz.id).where(*conditions)
        .group_by(Quiz.id, Quiz.title, Quiz.pass_percent).order_by(Quiz.title, Quiz.id)
        .limit(page.limit).offset(page.offset)).all()
    ids = [row[0] for row in stats]
    questions = _questions(session, filters, ids) if ids else {}
    rows = [QuizRow(quiz_id=qid, title=title, pass_percent=int(pass_percent), assigned=int(assigned),
                    attempts=int(attempts), graded=int(graded),
                    average=round(float(avg), 1) if avg is not None else None,
                    pass_rate=round(100 * int(ok or 0) / int(graded), 1) if graded else None,
                    questions=questions.get(qid, []))
            for qid, title, pass_percent, assigned, attempts, graded, avg, ok in stats]
    band = (score // 10).label("band")
    bands = {int(b or 0): int(n) for b, n in session.execute(
        select(band, func.count()).where(score.is_not(None), *conditions).group_by(band))}
    return ReportTable(view=ReportView.QUIZZES, title="Аналитика тестов", columns=COLUMNS, rows=rows,
                       total=int(total), page=page, filters=filters, chart=score_chart(bands))
