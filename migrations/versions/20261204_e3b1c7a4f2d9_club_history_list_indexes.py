"""indexes for the back-office lists of club quiz assignments and invitations (newest first)

Revision ID: e3b1c7a4f2d9
Revises: 2821173455f0
Create Date: 2026-12-04 23:05:00
"""
from alembic import op


revision = 'e3b1c7a4f2d9'
down_revision = '2821173455f0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_club_quiz_assignments_assigned_at', 'club_quiz_assignments', ['assigned_at'])
    op.create_index('ix_club_invitations_created_at', 'club_invitations', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_club_invitations_created_at', table_name='club_invitations')
    op.drop_index('ix_club_quiz_assignments_assigned_at', table_name='club_quiz_assignments')
