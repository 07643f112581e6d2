"""foreign keys RESTRICT: history is never deleted by a cascade

Revision ID: d8ce013fc302
Revises: a2ddad7b90c7
Create Date: 2026-12-04 19:00:00

Every foreign key becomes ON DELETE RESTRICT except the four whose child is pure, history-free
data of its parent (notifications of a user, mentors of a club, questions of a course lesson,
questions of a quiz), which stay CASCADE. SET NULL references ("who confirmed", "which plan",
"which club") become RESTRICT too: nulling them would silently lose history.

SQLite cannot alter a constraint: each table is rebuilt (batch mode). migrations/env.py runs
SQLite migrations with foreign keys OFF — otherwise dropping the old table would fire the very
cascades this migration removes — and verifies `PRAGMA foreign_key_check` before committing.
"""
from alembic import op

revision = 'd8ce013fc302'
down_revision = 'a2ddad7b90c7'
branch_labels = None
depends_on = None

# (table, column, referred table, before, after) — frozen here, independent of today's models.
CHANGES = [
    ('audit_events', 'actor_id', 'users', 'SET NULL', 'RESTRICT'),
    ('bytesize_items', 'created_by_id', 'users', 'SET NULL', 'RESTRICT'),
    ('course_enrollments', 'course_id', 'courses', 'CASCADE', 'RESTRICT'),
    ('course_enrollments', 'user_id', 'users', 'CASCADE', 'RESTRICT'),
    ('course_modules', 'course_id', 'courses', 'CASCADE', 'RESTRICT'),
    ('course_purchases', 'course_id', 'courses', 'CASCADE', 'RESTRICT'),
    ('course_purchases', 'reviewed_by_id', 'users', 'SET NULL', 'RESTRICT'),
    ('course_purchases', 'user_id', 'users', 'CASCADE', 'RESTRICT'),
    ('daily_missions', 'course_id', 'courses', 'CASCADE', 'RESTRICT'),
    ('media_objects', 'uploaded_by_id', 'users', 'SET NULL', 'RESTRICT'),
    ('program_lessons', 'program_id', 'programs', 'CASCADE', 'RESTRICT'),
    ('program_lessons', 'quiz_id', 'quizzes', 'SET NULL', 'RESTRICT'),
    ('subscriptions', 'confirmed_by_id', 'users', 'SET NULL', 'RESTRICT'),
    ('subscriptions', 'plan_id', 'subscription_plans', 'SET NULL', 'RESTRICT'),
    ('subscriptions', 'user_id', 'users', 'CASCADE', 'RESTRICT'),
    ('certificate_requests', 'kruzhok_id', 'kruzhoks', 'SET NULL', 'RESTRICT'),
    ('certificate_requests', 'reviewed_by_id', 'users', 'SET NULL', 'RESTRICT'),
    ('certificate_requests', 'user_id', 'users', 'CASCADE', 'RESTRICT'),
    ('club_classes', 'kruzhok_id', 'kruzhoks', 'CASCADE', 'RESTRICT'),
    ('club_mentors', 'user_id', 'users', 'CASCADE', 'RESTRICT'),
    ('course_lessons', 'module_id', 'course_modules', 'CASCADE', 'RESTRICT'),
    ('mission_completions', 'mission_id', 'daily_missions', 'CASCADE', 'RESTRICT'),
    ('mission_completions', 'user_id', 'users', 'CASCADE', 'RESTRICT'),
    ('xp_events', 'kruzhok_id', 'kruzhoks', 'SET NULL', 'RESTRICT'),
    ('xp_events', 'user_id', 'users', 'CASCADE', 'RESTRICT'),
    ('class_enrollments', 'class_id', 'club_classes', 'CASCADE', 'RESTRICT'),
    ('class_enrollments', 'student_id', 'users', 'CASCADE', 'RESTRICT'),
    ('lesson_completions', 'lesson_id', 'course_lessons', 'CASCADE', 'RESTRICT'),
    ('lesson_completions', 'user_id', 'users', 'CASCADE', 'RESTRICT'),
    ('lesson_sessions', 'class_id', 'club_classes', 'CASCADE', 'RESTRICT'),
    ('lesson_sessions', 'created_by_id', 'users', 'SET NULL', 'RESTRICT'),
    ('lesson_sessions', 'program_lesson_id', 'program_lessons', 'SET NULL', 'RESTRICT'),
    ('attendance', 'marked_by_id', 'users', 'SET NULL', 'RESTRICT'),
    ('attendance', 'session_id', 'lesson_sessions', 'CASCADE', 'RESTRICT'),
    ('attendance', 'student_id', 'users', 'CASCADE', 'RESTRICT'),
    ('club_quiz_assignments', 'graded_by_id', 'users', 'SET NULL', 'RESTRICT'),
    ('club_quiz_assignments', 'quiz_id', 'quizzes', 'CASCADE', 'RESTRICT'),
    ('club_quiz_assignments', 'session_id', 'lesson_sessions', 'CASCADE', 'RESTRICT'),
    ('club_quiz_assignments', 'student_id', 'users', 'CASCADE', 'RESTRICT'),
    ('question_answers', 'question_id', 'course_questions', 'CASCADE', 'RESTRICT'),
    ('question_answers', 'user_id', 'users', 'CASCADE', 'RESTRICT'),
]


def _apply(after: bool) -> None:
    tables: dict[str, list[tuple[str, str, str]]] = {}
    for table, column, referred, before, now in CHANGES:
        tables.setdefault(table, []).append((column, referred, now if after else before))
    for table, fks in tables.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, referred, ondelete in fks:
                name = f"fk_{table}_{column}_{referred}"
                batch_op.drop_constraint(name, type_="foreignkey")
                batch_op.create_foreign_key(name, referred, [column], ["id"], ondelete=ondelete)


def upgrade() -> None:
    _apply(after=True)


def downgrade() -> None:
    _apply(after=False)
