"""course purchases carry a payment screenshot like subscriptions

Revision ID: b7e4d2a91c05
Revises: 2f6a9b3c8d51
Create Date: 2026-12-04 22:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e4d2a91c05'
down_revision = '2f6a9b3c8d51'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('course_purchases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_proof_url', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('course_purchases', schema=None) as batch_op:
        batch_op.drop_column('payment_proof_url')
