"""no CASCADE left: the last five foreign keys become RESTRICT

Revision ID: 1b7c0e5d9a23
Revises: e3b1c7a4f2d9
Create Date: 2026-12-05 00:20:00

A user's notifications and back-office sessions, a club's mentors, a course lesson's questions and a
quiz's questions were ON DELETE CASCADE. They become RESTRICT like every other key: the deletion
service (core/services/deletion.py, CONTENT) deletes them explicitly with their parent, so nothing is
ever removed by the database behind the application's back. SQLite tables are rebuilt (batch mode)
with foreign keys off (migrations/env.py), as in d8ce013fc302.
"""
from alembic import op

revision = '1b7c0e5d9a23'
down_revision = 'e3b1c7a4f2d9'
branch_labels = None
depends_on = None

# (table, column, referred table) — frozen here, independent of today's models.
CHANGES = [
    ('notifications', 'user_id', 'users'),
    ('admin_sessions', 'user_id', 'users'),
    ('club_mentors', 'kruzhok_id', 'kruzhoks'),
    ('course_questions', 'lesson_id', 'course_lessons'),
    ('quiz_questions', 'quiz_id', 'quizzes'),
]


def _apply(ondelete: str) -> None:
    for table, column, referred in CHANGES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            name = f"fk_{table}_{column}_{referred}"
            batch_op.drop_constraint(name, type_="foreignkey")
            batch_op.create_foreign_key(name, referred, [column], ["id"], ondelete=ondelete)


def upgrade() -> None:
    _apply('RESTRICT')


def downgrade() -> None:
    _apply('CASCADE')
