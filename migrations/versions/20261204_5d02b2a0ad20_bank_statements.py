"""bank statements: uploaded statement files and their lines with the match result («Сверка с выпиской»)

Revision ID: 5d02b2a0ad20
Revises: c495e79ed7fc
Create Date: 2026-12-04 21:53:17.297123
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5d02b2a0ad20'
down_revision = 'c495e79ed7fc'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bank_statements',
    sa.Column('file_hash', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.String(length=36), nullable=False),
    sa.Column('date_column', sa.String(length=100), nullable=True),
    sa.Column('amount_column', sa.String(length=100), nullable=True),
    sa.Column('comment_column', sa.String(length=100), nullable=True),
    sa.Column('matched_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('matched_by_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['matched_by_id'], ['users.id'], name=op.f('fk_bank_statements_matched_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_bank_statements_uploaded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statements')),
    sa.UniqueConstraint('file_hash', name=op.f('uq_bank_statements_file_hash'))
    )
    with op.batch_alter_table('bank_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_statements_matched_at'), ['matched_at'], unique=False)

    op.create_table('bank_statement_lines',
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('date_text', sa.String(length=40), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=True),
    sa.Column('comment', sa.String(length=500), nullable=True),
    sa.Column('request_kind', sa.String(length=16), nullable=True),
    sa.Column('request_id', sa.String(length=36), nullable=True),
    sa.Column('request_amount', sa.Integer(), nullable=True),
    sa.Column('request_label', sa.String(length=300), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.CheckConstraint("request_kind IN ('SUBSCRIPTION','PURCHASE')", name=op.f('ck_bank_statement_lines_request_kind')),
    sa.CheckConstraint("status IN ('NEW','MATCHED','AMOUNT_MISMATCH','UNMATCHED','INVALID','APPROVED')", name=op.f('ck_bank_statement_lines_status')),
    sa.ForeignKeyConstraint(['statement_id'], ['bank_statements.id'], name=op.f('fk_bank_statement_lines_statement_id_bank_statements'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statement_lines')),
    sa.UniqueConstraint('statement_id', 'line_no', name='uq_bank_statement_lines_statement_line')
    )
    with op.batch_alter_table('bank_statement_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_statement_lines_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_bank_statement_lines_statement_status', ['statement_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('bank_statement_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_bank_statement_lines_statement_status')
        batch_op.drop_index(batch_op.f('ix_bank_statement_lines_request_id'))

    op.drop_table('bank_statement_lines')
    with op.batch_alter_table('bank_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_statements_matched_at'))

    op.drop_table('bank_statements')
