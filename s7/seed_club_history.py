"""Demo club history for the back-office's read-only views: three held sessions of the demo class, a
student absent from all three (an absence-streak alert), a self check-in window, a graded quiz with its
answers, an overdue quiz sent by hand, and an invitation waiting for a newcomer.

Idempotent: nothing is added when the demo class already has its absence alert (all rows come in one
transaction). The failing score awards no XP, so the XP ledger needs no demo rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import (
    AbsenceAlert,
    Attendance,
    AttendanceStatus,
    ClubClass,
    ClubQuizAnswer,
    ClubQuizAssignment,
    Invitation,
    InvitationKind,
    Kruzhok,
    LessonSession,
    Program,
    ProgramLesson,
    QuizAssignmentStatus,
    SessionCheckin,
    SessionStatus,
)
from core.services import snapshots
from core.settings import Settings

NEWCOMER = "newcomer@s7.local"


def _demo_class(session: Session, mentor: Any) -> ClubClass | None:
    return session.scalar(select(ClubClass).join(Kruzhok, Kruzhok.id == ClubClass.kruzhok_id)
                          .where(Kruzhok.owner_id == mentor.id).order_by(ClubClass.created_at).limit(1))


def _demo_lesson(session: Session) -> ProgramLesson | None:
    return session.scalar(select(ProgramLesson).join(Program, Program.id == ProgramLesson.program_id)
                          .where(Program.title == "Робототехника 1 ступень", ProgramLesson.quiz_id.is_not(None))
                          .order_by(ProgramLesson.order_index).limit(1))


def _held_sessions(session: Session, klass: ClubClass, lesson: ProgramLesson, mentor: Any,
                   now: datetime) -> list[LessonSession]:
    rows = [LessonSession(class_id=klass.id, program_lesson_id=lesson.id, starts_at=now - timedelta(hours=hours),
                          duration_min=60, location="Кабинет 12", status=SessionStatus.COMPLETED,
                          auto_send_quiz=False, created_by_id=mentor.id, created_at=now)
            for hours in (20, 14, 8)]
    session.add_all(rows)
    session.flush()
    for row in rows:  # held sessions keep what they showed (titles, materials), as the attendance save does
        snapshots.snapshot_session(session, lesson_session=row, now=row.starts_at)
    return rows


def _quizzes(session: Session, lesson: ProgramLesson, held: LessonSession, students: list[Any],
             mentor: Any, now: datetime) -> None:
    assert lesson.quiz is not None
    questions = list(lesson.quiz.questions)
    graded = ClubQuizAssignment(student_id=students[0].id, quiz_id=lesson.quiz.id, session_id=held.id,
                                assigned_at=held.starts_at + timedelta(hours=1), due_at=now + timedelta(days=7),
                                submitted_at=now - timedelta(hours=2), graded_at=now - timedelta(hours=2),
                                status=QuizAssignmentStatus.GRADED, score=50)
    manual = ClubQuizAssignment(student_id=students[1].id, quiz_id=lesson.quiz.id, session_id=None, is_manual=True,
                                assigned_at=now - timedelta(days=1), due_at=now - timedelta(hours=1),
                                status=QuizAssignmentStatus.ASSIGNED, is_overdue=True)
    session.add_all([graded, manual])
    session.flush()
    for index, question in enumerate(questions[:2]):
        correct = index == 0
        session.add(ClubQuizAnswer(assignment_id=graded.id, question_id=question.id,
                                   answer=[question.options[0]], is_correct=correct, points=int(correct),
                                   question_text=question.text, answered_at=graded.submitted_at))


def seed_club_history(session: Session, *, users: dict[str, Any], now: datetime,
                      settings: Settings) -> dict[str, Any]:
    mentor, students = users.get("mentor"), [s for s in users.get("students") or [] if s is not None]
    klass = _demo_class(session, mentor) if mentor is not None else None
    lesson = _demo_lesson(session)
    if mentor is None or klass is None or lesson is None or len(students) < 3:
        return {}
    if session.scalar(select(AbsenceAlert.id).where(AbsenceAlert.class_id == klass.id).limit(1)) is None:
        held = _held_sessions(session, klass, lesson, mentor, now)
        absent = students[2]
        session.add_all([Attendance(session_id=s.id, student_id=absent.id, status=AttendanceStatus.ABSENT,
                                    marked_at=s.starts_at + timedelta(minutes=5), marked_by_id=mentor.id)
                         for s in held])
        session.add(AbsenceAlert(student_id=absent.id, class_id=klass.id, first_session_id=held[0].id,
                                 last_session_id=held[-1].id, missed=len(held), created_at=held[-1].starts_at))
        session.add(SessionCheckin(session_id=held[-1].id, opened_by_id=mentor.id, opened_at=held[-1].starts_at,
                                   closes_at=held[-1].starts_at + timedelta(minutes=10),
                                   updated_at=held[-1].starts_at))
        _quizzes(session, lesson, held[-1], students, mentor, now)
        session.add(Invitation(kind=InvitationKind.STUDENT, kruzhok_id=klass.kruzhok_id, class_id=klass.id,
                               target_id=klass.id, email=NEWCOMER, invited_by_id=mentor.id, created_at=now))
        session.flush()
    return {"clubHistory": {"classId": klass.id, "invited": NEWCOMER}}
