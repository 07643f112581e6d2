"""Student progress (SPEC §12): attendance %, quiz average, XP earned in the club, recent activity.

Students are everyone ever enrolled in a class of the club (removed ones keep their history), one row
per student whatever the number of classes. Attendance % counts present and late over the held
sessions with a mark, excused ones left out (as the attendance matrix does). XP is the club's ledger
(XpEvent.kruzhok_id) in the period; a class or program filter does not narrow it (XP has no class).
Queries: the count, one page, classes, three aggregates and (with details) two bounded timelines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from core.clock import local_date
from core.models import (
    Attendance,
    ClassEnrollment,
    ClubClass,
    ClubQuizAssignment,
    LessonSession,
    Quiz,
    User,
    XpEvent,
)
from core.services.report_charts import attendance_chart
from core.services.report_filters import ReportFilters, ReportView, club_class_ids, held_session_conditions
from core.services.report_lessons import attended_sum, counted_sum
from core.services.report_table import ReportPage, ReportTable

TIMELINE = 5  # recent activity items per student
COLUMNS = [("full_name", "Ученик"), ("classes", "Классы"), ("attendance_percent", "Посещаемость, %"),
           ("sessions_attended", "Посетил занятий"), ("sessions_marked", "Отмечен на занятиях"),
           ("quiz_average", "Средний балл"), ("quizzes_graded", "Оценённых тестов"), ("xp_earned", "XP в кружке")]


@dataclass(frozen=True)
class Activity:
    at: datetime
    kind: str  # "attendance" | "quiz"
    title: str
    value: str  # the mark, or the score


@dataclass(frozen=True)
class StudentRow:
    student_id: str
    full_name: str
    classes: str
    attendance_percent: float | None
    sessions_attended: int
    sessions_marked: int
    quiz_average: float | None
    quizzes_graded: int
    xp_earned: int
    timeline: list[Activity] = field(default_factory=list)


def _students(filters: ReportFilters) -> Any:
    stmt = select(ClassEnrollment.student_id)
    classes = club_class_ids(filters)
    if classes is not None:
        stmt = stmt.where(ClassEnrollment.class_id.in_(classes))
    if filters.student_id:
        stmt = stmt.where(ClassEnrollment.student_id == filters.student_id)
    return stmt


def _timeline(session: Session, filters: ReportFilters, ids: list[str]) -> dict[str, list[Activity]]:
    conditions = held_session_conditions(filters, by_student=False)
    rank = func.row_number().over(partition_by=Attendance.student_id,
                                  order_by=(LessonSession.starts_at.desc(), LessonSession.id.desc()))
    marks = (select(Attendance.student_id, LessonSession.starts_at, LessonSession.title_snapshot,
                    ClubClass.name, Attendance.status, rank.label("n"))
             .join(LessonSession, LessonSession.id == Attendance.session_id)
             .join(ClubClass, ClubClass.id == LessonSession.class_id)
             .where(Attendance.student_id.in_(ids), *conditions).subquery())
    result: dict[str, list[Activity]] = {}
    for student_id, at, title, class_name, status, _n in session.execute(select(marks).where(marks.c.n <= TIMELINE)):
        result.setdefault(student_id, []).append(Activity(at=at, kind="attendance", value=status,
                                                          title=title or f"Занятие класса «{class_name}»"))
    quiz_rank = func.row_number().over(partition_by=ClubQuizAssignment.student_id,
                                       order_by=(ClubQuizAssignment.submitted_at.desc(), ClubQuizAssignment.id.desc()))
    quizzes = (select(ClubQuizAssignment.student_id, ClubQuizAssignment.submitted_at, Quiz.title,
                      ClubQuizAssignment.score, quiz_rank.label("n"))
               .join(Quiz, Quiz.id == ClubQuizAssignment.quiz_id)
               .join(LessonSession, LessonSession.id == ClubQuizAssignment.session_id)
               .where(ClubQuizAssignment.student_id.in_(ids), ClubQuizAssignment.submitted_at.is_not(None),
                      *conditions).subquery())
    for student_id, at, title, score, _n in session.execute(select(quizzes).where(quizzes.c.n <= TIMELINE)):
        result.setdefault(student_id, []).append(Activity(at=at, kind="quiz", title=title,
                                                          value="на проверке" if score is None else f"{score}%"))
    for items in result.values():
        items.sort(key=lambda a: a.at, reverse=True)
        del items[TIMELINE:]
    return result


def students_report(session: Session, *, filters: ReportFilters, page: ReportPage) -> ReportTable:
    students = _students(filters)
    total = session.scalar(select(func.count()).select_from(User).where(User.id.in_(students))) or 0
    people = session.execute(select(User.id, User.full_name).where(User.id.in_(students))
                             .order_by(User.full_name, User.id).limit(page.limit).offset(page.offset)).all()
    ids = [uid for uid, _ in people]
    classes: dict[str, list[str]] = {}
    attendance: dict[str, tuple[int, int, int]] = {}
    quizzes: dict[str, tuple[float | None, int]] = {}
    xp: dict[str, int] = {}
    timeline: dict[str, list[Activity]] = {}
    conditions = held_session_conditions(filters, by_student=False)
    if ids:
        club_classes = club_class_ids(filters)
        stmt = (select(ClassEnrollment.student_id, ClubClass.name)
                .join(ClubClass, ClubClass.id == ClassEnrollment.class_id)
                .where(ClassEnrollment.student_id.in_(ids)).order_by(ClubClass.name))
        if club_classes is not None:
            stmt = stmt.where(ClubClass.id.in_(club_classes))
        for uid, name in session.execute(stmt):
            classes.setdefault(uid, []).append(name)
        for uid, marked, attended, counted in session.execute(
                select(Attendance.student_id, func.count(Attendance.id), attended_sum(), counted_sum())
                .join(LessonSession, LessonSession.id == Attendance.session_id)
                .where(Attendance.student_id.in_(ids), *conditions).group_by(Attendance.student_id)):
            attendance[uid] = (int(marked), int(attended or 0), int(counted or 0))
        for uid, avg, graded in session.execute(
                select(ClubQuizAssignment.student_id, func.avg(ClubQuizAssignment.score),
                       func.count(ClubQuizAssignment.score))
                .join(LessonSession, LessonSession.id == ClubQuizAssignment.session_id)
                .where(ClubQuizAssignment.student_id.in_(ids), ClubQuizAssignment.score.is_not(None), *conditions)
                .group_by(ClubQuizAssignment.student_id)):
            quizzes[uid] = (round(float(avg), 1) if avg is not None else None, int(graded))
        xp_stmt = (select(XpEvent.user_id, func.sum(XpEvent.amount).cast(Integer))
                   .where(XpEvent.user_id.in_(ids)).group_by(XpEvent.user_id))
        xp_stmt = xp_stmt.where(XpEvent.kruzhok_id == filters.kruzhok_id if filters.kruzhok_id
                                else XpEvent.kruzhok_id.is_not(None))
        if filters.start is not None:
            xp_stmt = xp_stmt.where(XpEvent.created_at >= filters.start)
        if filters.end is not None:
            xp_stmt = xp_stmt.where(XpEvent.created_at < filters.end)
        xp = {uid: int(total_xp or 0) for uid, total_xp in session.execute(xp_stmt)}
        if page.details:
            timeline = _timeline(session, filters, ids)
    rows = []
    for uid, name in people:
        marked, attended, counted = attendance.get(uid, (0, 0, 0))
        average, graded = quizzes.get(uid, (None, 0))
        rows.append(StudentRow(student_id=uid, full_name=name, classes=", ".join(dict.fromkeys(classes.get(uid, []))),
                               attendance_percent=round(100 * attended / counted, 1) if counted else None,
                               sessions_attended=attended, sessions_marked=marked, quiz_average=average,
                               quizzes_graded=graded, xp_earned=xp.get(uid, 0), timeline=timeline.get(uid, [])))
    chart_conditions = list(conditions)
    if filters.student_id:
        chart_conditions.append(Attendance.student_id == filters.student_id)
    chart = attendance_chart(
        (local_date(starts_at, filters.timezone), int(attended or 0), int(counted or 0))
        for starts_at, attended, counted in session.execute(
            select(LessonSession.starts_at, attended_sum(), counted_sum())
            .join(Attendance, Attendance.session_id == LessonSession.id)
            .where(*chart_conditions).group_by(LessonSession.id, LessonSession.starts_at)))
    return ReportTable(view=ReportView.STUDENTS, title="Прогресс учеников", columns=COLUMNS, rows=rows,
                       total=int(total), page=page, filters=filters, chart=chart)
