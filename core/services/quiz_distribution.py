"""Club quiz distribution (SPEC §10): automatic after an attendance save, and sent by hand.

Exactly once per (student, quiz, session): the assignments are one INSERT … ON CONFLICT DO NOTHING
RETURNING against the unique constraint `uq_quiz_assignment`, so a re-save, a retry, two replicas or
a manual send racing the automatic one all end with one row — and only the rows inserted now get the
"Новый тест доступен" notification. A save runs a fixed number of statements whatever the number of
students (one lookup of the sessions' quizzes, one INSERT, one notification batch, one audit row).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.clock import as_utc
from core.errors import Conflict, ErrorCode, Invalid
from core.models import (
    Attendance,
    AttendanceStatus,
    AuditAction,
    ClassEnrollment,
    ClubQuizAssignment,
    EnrollmentStatus,
    Kruzhok,
    LessonSession,
    NotificationType,
    ProgramLesson,
    Quiz,
    QuizAssignmentStatus,
    QuizQuestion,
    SessionStatus,
    User,
)
from core.models.base import new_id
from core.services import audit, notifications
from core.services.clean import get_row
from core.services.permissions import require_user
from core.services.schedule import managed_session

DUE_HOURS = 24
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
ASSIGNED_TITLE = "Новый тест доступен"


class Mark(Protocol):
    @property
    def student_id(self) -> str: ...

    @property
    def session_id(self) -> str: ...

    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class Target:
    student_id: str
    quiz_id: str
    session_id: str
    lesson_title: str


@dataclass(frozen=True)
class SendResult:
    quiz_id: str
    session_id: str
    recipients: int
    sent: int


def assigned_message(lesson_title: str, due_at: datetime, timezone: str) -> str:
    """The seed's text; the due time in the club's timezone."""
    due = as_utc(due_at).astimezone(ZoneInfo(timezone))
    return f"Пройдите тест по уроку '{lesson_title}'. Срок: {due:%d.%m.%Y %H:%M}"


def _assign(session: Session, *, targets: Sequence[Target], club: Kruzhok, now: datetime,
            is_manual: bool) -> list[str]:
    """Insert the missing assignments and notify their students; returns the ids inserted now."""
    if not targets:
        return []
    due_at = now + timedelta(hours=DUE_HOURS)
    targets = sorted(targets, key=lambda t: (t.session_id, t.quiz_id, t.student_id))  # one lock order
    rows = [{"id": new_id(), "student_id": t.student_id, "quiz_id": t.quiz_id, "session_id": t.session_id,
             "assigned_at": now, "due_at": due_at, "status": QuizAssignmentStatus.ASSIGNED, "is_overdue": False,
             "is_manual": is_manual} for t in targets]
    insert_fn = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (insert_fn(ClubQuizAssignment).values(rows).on_conflict_do_nothing()
            .returning(ClubQuizAssignment.id))
    inserted = set(session.execute(stmt).scalars())
    by_id = {row["id"]: target for row, target in zip(rows, targets, strict=True)}
    notes = [notifications.new_notification(
        user_id=t.student_id, type=NotificationType.QUIZ_ASSIGNED, title=ASSIGNED_TITLE,
        message=assigned_message(t.lesson_title, due_at, club.timezone), link=f"/quizzes/assignments/{aid}",
        meta={"assignmentId": aid, "quizId": t.quiz_id, "sessionId": t.session_id,
              "dueAt": due_at.isoformat()}, now=now)
        for aid, t in by_id.items() if aid in inserted]
    session.add_all(notes)
    return sorted(inserted)


def _lesson_quizzes(session: Session, session_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """session id → (quiz id, lesson title) for sessions whose program lesson has a live quiz with questions."""
    has_questions = exists().where(QuizQuestion.quiz_id == Quiz.id)
    rows = session.execute(
        select(LessonSession.id, Quiz.id, ProgramLesson.title)
        .join(ProgramLesson, ProgramLesson.id == LessonSession.program_lesson_id)
        .join(Quiz, Quiz.id == ProgramLesson.quiz_id)
        .where(LessonSession.id.in_(sorted(session_ids)), Quiz.archived_at.is_(None), has_questions)).all()
    return {sid: (quiz_id, title) for sid, quiz_id, title in rows}


def after_attendance_save(session: Session, *, actor: User, club: Kruzhok, sessions: Mapping[str, LessonSession],
                          marks: Sequence[Mark], now: datetime) -> int:
    """The automatic send: each student marked present or late in a session with `auto_send_quiz` whose
    program lesson has a quiz gets one assignment (due +24 h) — also when corrected to present later."""
    attended = [m for m in marks if m.status in ATTENDED]
    wanted = {m.session_id for m in attended
              if sessions[m.session_id].auto_send_quiz and sessions[m.session_id].program_lesson_id}
    if not wanted:
        return 0
    quizzes = _lesson_quizzes(session, wanted)
    targets = [Target(m.student_id, quizzes[m.session_id][0], m.session_id, quizzes[m.session_id][1])
               for m in attended if m.session_id in quizzes]
    created = _assign(session, targets=targets, club=club, now=now, is_manual=False)
    if created:
        audit.record(session, actor=actor, action=AuditAction.QUIZ_ASSIGN, entity="kruzhok", entity_id=club.id,
                     now=now, data={"automatic": True, "sessions": sorted(quizzes), "assigned": len(created)})
    return len(created)


def sendable_quiz(session: Session, quiz_id: str) -> Quiz:
    quiz = get_row(session, Quiz, quiz_id)
    if quiz is None:
        raise Invalid("Тест не найден", code=ErrorCode.VALIDATION_ERROR,
                      details={"fields": [{"field": "quizId", "message": "Тест не найден"}]})
    has_questions = session.scalar(select(exists().where(QuizQuestion.quiz_id == quiz.id)))
    if quiz.archived_at is not None or not has_questions:
        raise Invalid("Тест в архиве или без вопросов: его нельзя отправить", code=ErrorCode.QUIZ_NOT_SENDABLE,
                      details={"fields": [{"field": "quizId", "message": "Тест в архиве или без вопросов"}]})
    return quiz


def _recipients(session: Session, row: LessonSession) -> list[str]:
    """Students marked present or late; when nobody is marked yet, every active student of the class."""
    marks = session.execute(select(Attendance.student_id, Attendance.status)
                            .where(Attendance.session_id == row.id)).all()
    if marks:
        return sorted(uid for uid, status in marks if status in ATTENDED)
    return sorted(session.scalars(select(ClassEnrollment.student_id).where(
        ClassEnrollment.class_id == row.class_id, ClassEnrollment.status == EnrollmentStatus.ACTIVE)))


def send_quiz(session: Session, *, actor: User | None, session_id: str, quiz_id: str, now: datetime) -> SendResult:
    """The manual send (mentor or owner of the session's club): idempotent per student, quiz and session."""
    actor = require_user(actor)
    # Locked like the attendance save locks it: a send and a save of the same session take turns (else
    # the save's FOR UPDATE and the send's foreign-key check on the session could deadlock).
    row, club = managed_session(session, actor, session_id, lock=True)
    if row.status == SessionStatus.CANCELLED:
        raise Conflict("Занятие отменено: тест отправить нельзя", code=ErrorCode.SESSION_CANCELLED)
    quiz = sendable_quiz(session, quiz_id)
    lesson = row.program_lesson
    title = lesson.title if lesson is not None else (row.lesson_title_snapshot or quiz.title)
    students = _recipients(session, row)
    created = _assign(session, targets=[Target(uid, quiz.id, row.id, title) for uid in students], club=club,
                      now=now, is_manual=True)
    audit.record(session, actor=actor, action=AuditAction.QUIZ_ASSIGN, entity="lesson_session", entity_id=row.id,
                 now=now, data={"automatic": False, "quizId": quiz.id, "recipients": len(students),
                                "assigned": len(created)})
    return SendResult(quiz_id=quiz.id, session_id=row.id, recipients=len(students), sent=len(created))
