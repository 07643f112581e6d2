"""cache versions: one counter per public topic (ETags of the feed, courses, plans)

Revision ID: c4e7a1b9d2f0
Revises: 5d02b2a0ad20
Create Date: 2026-12-04 22:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e7a1b9d2f0'
down_revision = '5d02b2a0ad20'
branch_labels = None
depends_on = None

TOPICS = ("bytesize", "courses", "plans")


def upgrade() -> None:
    table = op.create_table(
        'cache_versions',
        sa.Column('topic', sa.String(length=40), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('topic', name=op.f('pk_cache_versions')),
    )
    op.bulk_insert(table, [{"topic": topic, "version": 1} for topic in TOPICS])


def downgrade() -> None:
    op.drop_table('cache_versions')
