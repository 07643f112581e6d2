"""The reports benchmark's data: a large club history generated inside PostgreSQL.

Everything is `INSERT … SELECT generate_series(…)` run by the server (no rows travel through Python),
into the schema the Alembic migrations create. Ids are derived from numbers (`md5('ses-42')` as a
UUID), so a row's references are computed, not looked up, and the history can grow in steps: each
call adds the sessions numbered from what is already there up to the new target.

Shape (all clubs alike): CLUBS clubs, each with CLASSES_PER_CLUB classes of STUDENTS_PER_CLASS
students; class `c` follows program `c % PROGRAMS`; session `k` belongs to class `k % CLASSES` and to
week `k // CLASSES` before BASE (so the history grows back in time), every 25th one cancelled. Every
student of the session's class gets a mark (70 % present, 10 % late, 15 % absent, 5 % excused; a
student removed a month ago has marks only before that); one present/late mark in four got the
lesson's quiz, submitted and graded, with one answer row per question; present/late marks and passed
quizzes have their XP ledger rows.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta

from sqlalchemy import Connection, text

CLUBS = 500
CLASSES_PER_CLUB = 2
CLASSES = CLUBS * CLASSES_PER_CLUB
STUDENTS_PER_CLASS = 12
PROGRAMS = 10
LESSONS_PER_PROGRAM = 12
QUESTIONS_PER_QUIZ = 5
CANCEL_EVERY = 25  # session k with k % 25 == 24 is cancelled (no marks)
REMOVED_EVERY = 50  # student s with s % 50 == 49 was removed a month before BASE


def uid(prefix: str, *parts: str) -> str:
    """SQL for the UUID text of a numbered row: md5('prefix-a-b')::uuid::text."""
    joined = " || '-' || ".join(f"({p})::text" for p in parts)
    return f"md5('{prefix}-' || {joined})::uuid::text"


def row_id(prefix: str, *parts: int) -> str:
    """The same id computed in Python (e.g. row_id("club", 0) for the measured club)."""
    key = "-".join([prefix, *map(str, parts)])
    return str(uuid.UUID(hashlib.md5(key.encode()).hexdigest()))


def sessions_for(attendance_rows: int) -> int:
    """Number of sessions whose marks make about `attendance_rows` rows."""
    per_session = STUDENTS_PER_CLASS * (CANCEL_EVERY - 1) / CANCEL_EVERY
    return max(1, round(attendance_rows / per_session))


def _base(conn: Connection) -> datetime | None:
    return conn.execute(text("SELECT starts_at FROM lesson_sessions WHERE id = :id"),
                        {"id": row_id("ses", 0)}).scalar()


def fill_static(conn: Connection, base: datetime) -> None:
    """Users, clubs, classes, enrolments, programs, lessons and quizzes (once)."""
    if conn.execute(text("SELECT count(*) FROM kruzhoks")).scalar():
        return
    students = CLASSES * STUDENTS_PER_CLASS
    joined = base - timedelta(days=5 * 365)
    removed = base - timedelta(days=30)
    params = {"joined": joined, "removed": removed}
    for sql in [
        f"""INSERT INTO users (id, email, password_hash, full_name, role, is_blocked, token_version,
                               experience_points, created_at)
            SELECT {uid('owner', 'i')}, 'owner' || i || '@bench.kz', 'x', 'Владелец ' || i, 'USER', false, 0, 0,
                   :joined FROM generate_series(0, {CLUBS - 1}) i""",
        f"""INSERT INTO users (id, email, password_hash, full_name, role, is_blocked, token_version,
                               experience_points, created_at)
            SELECT {uid('student', 's')}, 'student' || s || '@bench.kz', 'x',
                   (ARRAY['Айгерим','Бауыржан','Данияр','Ержан','Жанна','Мадина','Нурлан','Сауле','Тимур',
                          'Алия'])[1 + s % 10] || ' Ученикова ' || s, 'USER', false, 0, 0, :joined
            FROM generate_series(0, {students - 1}) s""",
        f"""INSERT INTO kruzhoks (id, owner_id, title, timezone, is_active, created_at)
            SELECT {uid('club', 'i')}, {uid('owner', 'i')}, 'Кружок робототехники №' || i, 'Asia/Almaty', true,
                   :joined FROM generate_series(0, {CLUBS - 1}) i""",
        f"""INSERT INTO club_classes (id, kruzhok_id, name, join_code, is_active, created_at)
            SELECT {uid('class', 'c')}, {uid('club', f'c / {CLASSES_PER_CLUB}')},
                   'Группа ' || (c % {CLASSES_PER_CLUB} + 1), 'B' || lpad(c::text, 5, '0'), true, :joined
            FROM generate_series(0, {CLASSES - 1}) c""",
        f"""INSERT INTO class_enrollments (id, class_id, student_id, status, joined_at, removed_at)
            SELECT {uid('enr', 's')}, {uid('class', f's / {STUDENTS_PER_CLASS}')}, {uid('student', 's')},
                   CASE WHEN s % {REMOVED_EVERY} = {REMOVED_EVERY - 1} THEN 'REMOVED' ELSE 'ACTIVE' END, :joined,
                   CASE WHEN s % {REMOVED_EVERY} = {REMOVED_EVERY - 1} THEN CAST(:removed AS timestamptz) END
            FROM generate_series(0, {students - 1}) s""",
        f"""INSERT INTO class_membership_periods (id, enrollment_id, joined_at, left_at)
            SELECT {uid('per', 's')}, {uid('enr', 's')}, :joined,
                   CASE WHEN s % {REMOVED_EVERY} = {REMOVED_EVERY - 1} THEN CAST(:removed AS timestamptz) END
            FROM generate_series(0, {students - 1}) s""",
        f"""INSERT INTO programs (id, title, description, is_published, created_at)
            SELECT {uid('prog', 'p')}, 'Программа ' || (p + 1), 'Программа робототехники', true, :joined
            FROM generate_series(0, {PROGRAMS - 1}) p""",
        f"""INSERT INTO quizzes (id, title, pass_percent, created_at)
            SELECT {uid('quiz', 'p', 'l')}, 'Тест: урок ' || (l + 1) || ' программы ' || (p + 1), 60, :joined
            FROM generate_series(0, {PROGRAMS - 1}) p, generate_series(0, {LESSONS_PER_PROGRAM - 1}) l""",
        f"""INSERT INTO quiz_questions (id, quiz_id, type, text, options, correct, order_index, created_at)
            SELECT {uid('qq', 'p', 'l', 'q')}, {uid('quiz', 'p', 'l')}, 'single',
                   'Вопрос ' || (q + 1) || ' урока ' || (l + 1), '["А","Б","В"]', '["А"]', q, :joined
            FROM generate_series(0, {PROGRAMS - 1}) p, generate_series(0, {LESSONS_PER_PROGRAM - 1}) l,
                 generate_series(0, {QUESTIONS_PER_QUIZ - 1}) q""",
        f"""INSERT INTO program_lessons (id, program_id, title, order_index, scenario_key, presentation_key,
                                         quiz_id, xp_reward, created_at)
            SELECT {uid('pl', 'p', 'l')}, {uid('prog', 'p')}, 'Урок ' || (l + 1) || ': сборка робота ' || (p + 1),
                   l, 'bench/scenario-' || p || '-' || l || '.pdf', 'bench/slides-' || p || '-' || l || '.pdf',
                   {uid('quiz', 'p', 'l')}, 0, :joined
            FROM generate_series(0, {PROGRAMS - 1}) p, generate_series(0, {LESSONS_PER_PROGRAM - 1}) l""",
    ]:
        conn.execute(text(sql), params)


def grow(conn: Connection, *, attendance_rows: int, base: datetime) -> None:
    """Add sessions (with marks, quizzes, answers and XP) until about `attendance_rows` marks exist."""
    have = conn.execute(text("SELECT count(*) FROM lesson_sessions")).scalar() or 0
    want = sessions_for(attendance_rows)
    if want <= have:
        return
    fill_static(conn, _base(conn) or base)
    base = _base(conn) or base
    params = {"k0": have, "k1": want - 1, "base": base}
    c = f"(k % {CLASSES})"
    w = f"(k / {CLASSES})"
    p = f"({c} % {PROGRAMS})"
    lesson = f"({w} % {LESSONS_PER_PROGRAM})"
    starts = f"(CAST(:base AS timestamptz) - {w} * interval '7 days' + ({c} % 5) * interval '1 day')"
    # A session's marks: k, j (seat in the class), s (student number) and the status bucket h.
    def marks(extra: str = "") -> str:
        return f"""FROM generate_series(CAST(:k0 AS integer), CAST(:k1 AS integer)) k,
                generate_series(0, {STUDENTS_PER_CLASS - 1}) j, {extra}
                LATERAL (SELECT {c} * {STUDENTS_PER_CLASS} + j AS s, (k * 7 + j * 13) % 20 AS h) m
                WHERE k % {CANCEL_EVERY} <> {CANCEL_EVERY - 1}
                  AND NOT (m.s % {REMOVED_EVERY} = {REMOVED_EVERY - 1} AND {w} < 5)"""

    status = "CASE WHEN h < 14 THEN 'present' WHEN h < 16 THEN 'late' WHEN h < 19 THEN 'absent' ELSE 'excused' END"
    xp = "CASE WHEN h < 14 THEN 100 WHEN h < 16 THEN 50 ELSE 0 END"
    quizzed = "h < 16 AND (k * 3 + j * 5) % 4 = 0"
    correct = "((k + j * 3 + q * 7) % 10) < (8 - q)"
    score = f"""(SELECT 100 * count(*) FILTER (WHERE {correct}) / {QUESTIONS_PER_QUIZ}
                 FROM generate_series(0, {QUESTIONS_PER_QUIZ - 1}) q)"""
    for sql in [
        f"""INSERT INTO lesson_sessions (id, class_id, program_lesson_id, starts_at, duration_min, location, status,
                auto_send_quiz, created_by_id, updated_at, created_at, title_snapshot, class_name_snapshot,
                lesson_title_snapshot, quiz_title_snapshot, materials_snapshot, snapshot_at)
            SELECT {uid('ses', 'k')}, {uid('class', c)}, {uid('pl', p, lesson)}, {starts}, 90, 'Кабинет 12',
                   CASE WHEN k % {CANCEL_EVERY} = {CANCEL_EVERY - 1} THEN 'CANCELLED' ELSE 'COMPLETED' END,
                   true, {uid('owner', f'{c} / {CLASSES_PER_CLUB}')}, {starts}, {starts} - interval '7 days',
                   'Урок ' || ({lesson} + 1) || ': сборка робота ' || ({p} + 1),
                   'Группа ' || ({c} % {CLASSES_PER_CLUB} + 1),
                   'Урок ' || ({lesson} + 1) || ': сборка робота ' || ({p} + 1),
                   'Тест: урок ' || ({lesson} + 1) || ' программы ' || ({p} + 1),
                   json_build_array(
                       json_build_object('kind', 'scenario',
                                         'key', 'bench/scenario-' || {p} || '-' || {lesson} || '.pdf'),
                       json_build_object('kind', 'presentation',
                                         'key', 'bench/slides-' || {p} || '-' || {lesson} || '.pdf')),
                   {starts} + interval '2 hours'
            FROM generate_series(CAST(:k0 AS integer), CAST(:k1 AS integer)) k""",
        f"""INSERT INTO attendance (id, session_id, student_id, status, xp_awarded, revision, marked_at, marked_by_id)
            SELECT {uid('att', 'k', 'j')}, {uid('ses', 'k')}, {uid('student', 'm.s')}, {status}, {xp}, 0,
                   {starts} + interval '2 hours', {uid('owner', f'{c} / {CLASSES_PER_CLUB}')}
            {marks()}""",
        f"""INSERT INTO club_quiz_assignments (id, student_id, quiz_id, session_id, assigned_at, due_at, submitted_at,
                score, status, is_overdue, graded_at, is_manual)
            SELECT {uid('qa', 'k', 'j')}, {uid('student', 'm.s')}, {uid('quiz', p, lesson)}, {uid('ses', 'k')},
                   {starts} + interval '2 hours', {starts} + interval '26 hours', {starts} + interval '5 hours',
                   {score}, 'GRADED', false, {starts} + interval '5 hours', false
            {marks()} AND {quizzed}""",
        f"""INSERT INTO club_quiz_answers (id, assignment_id, question_id, answer, is_correct, points, question_text,
                answered_at)
            SELECT {uid('ans', 'k', 'j', 'q')}, {uid('qa', 'k', 'j')}, {uid('qq', p, lesson, 'q')},
                   CASE WHEN {correct} THEN '["А"]' ELSE '["Б"]' END::json, {correct},
                   CASE WHEN {correct} THEN 1 ELSE 0 END,
                   'Вопрос ' || (q + 1) || ' урока ' || ({lesson} + 1), {starts} + interval '5 hours'
            {marks(f"generate_series(0, {QUESTIONS_PER_QUIZ - 1}) q,")} AND {quizzed}""",
        f"""INSERT INTO xp_events (id, user_id, amount, reason, source, source_key, kruzhok_id, created_at)
            SELECT {uid('xpa', 'k', 'j')}, {uid('student', 'm.s')}, {xp}, 'Посещаемость', 'ATTENDANCE',
                   'attendance:' || {uid('ses', 'k')} || ':' || {uid('student', 'm.s')} || '\:0',
                   {uid('club', f'{c} / {CLASSES_PER_CLUB}')}, {starts} + interval '2 hours'
            {marks()} AND h < 16""",
        f"""INSERT INTO xp_events (id, user_id, amount, reason, source, source_key, kruzhok_id, created_at)
            SELECT {uid('xpq', 'k', 'j')}, {uid('student', 'm.s')}, 50, 'Тест пройден', 'CLUB_QUIZ',
                   'club_quiz:' || {uid('qa', 'k', 'j')}, {uid('club', f'{c} / {CLASSES_PER_CLUB}')},
                   {starts} + interval '5 hours'
            {marks()} AND {quizzed} AND {score} >= 60""",
    ]:
        conn.execute(text(sql), params)
    for table in ("lesson_sessions", "attendance", "club_quiz_assignments", "club_quiz_answers", "xp_events"):
        conn.execute(text(f"ANALYZE {table}"))


def counts(conn: Connection) -> dict[str, int]:
    return {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() or 0)
            for t in ("kruzhoks", "club_classes", "users", "lesson_sessions", "attendance", "club_quiz_assignments",
                      "club_quiz_answers", "xp_events")}
