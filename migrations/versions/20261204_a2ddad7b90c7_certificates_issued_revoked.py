"""Issued certificates (own table, revocable) and the REVOKED request status

Revision ID: a2ddad7b90c7
Revises: 6ad61e84a9cb
Create Date: 2026-12-04 18:50:00.846315
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'a2ddad7b90c7'
down_revision = '6ad61e84a9cb'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificates',
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('file_key', sa.String(length=80), nullable=True),
    sa.Column('external_url', sa.String(length=500), nullable=True),
    sa.Column('verification_code', sa.String(length=32), nullable=False),
    sa.Column('student_name', sa.String(length=200), nullable=False),
    sa.Column('achievement', sa.Text(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('issued_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.String(length=36), nullable=True),
    sa.Column('revoked_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.String(length=36), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('UPLOAD','URL','GENERATED')", name=op.f('ck_certificates_source')),
    sa.CheckConstraint('(file_key IS NOT NULL) OR (external_url IS NOT NULL)', name=op.f('ck_certificates_has_document')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_certificates_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['certificate_requests.id'], name=op.f('fk_certificates_request_id_certificate_requests'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_certificates_verification_code'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_request_issued', ['request_id', 'issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('certificate_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_certificate_requests_verification_code'), type_='unique')
        batch_op.drop_column('file_key')
        batch_op.drop_column('verification_code')
        batch_op.drop_constraint(batch_op.f('ck_certificate_requests_status'), type_='check')
        batch_op.create_check_constraint('status', "status IN ('PENDING','SENT','DENIED','REVOKED')")



def downgrade() -> None:
    op.execute("UPDATE certificate_requests SET status = 'SENT' WHERE status = 'REVOKED'")
    with op.batch_alter_table('certificate_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificate_requests_status'), type_='check')
        batch_op.create_check_constraint('status', "status IN ('PENDING','SENT','DENIED')")
        batch_op.add_column(sa.Column('verification_code', sa.VARCHAR(length=32), nullable=True))
        batch_op.add_column(sa.Column('file_key', sa.VARCHAR(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_certificate_requests_verification_code'), ['verification_code'])

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index('ix_certificates_request_issued')

    op.drop_table('certificates')
