"""bounded numbers: maxima on plan price, duration and limits, and course price

Existing rows past the new maxima are clamped first (a plan of 10 000 000 days made approving a
subscription overflow).

Revision ID: 7f3c2a9d41e6
Revises: 0dadf1d4425b
Create Date: 2026-12-04 19:45:00
"""
from alembic import op

revision = '7f3c2a9d41e6'
down_revision = '0dadf1d4425b'
branch_labels = None
depends_on = None

LIMITS = ("max_kruzhoks", "max_classes_per_kruzhok", "max_students_per_class")


def upgrade() -> None:
    op.execute("UPDATE subscription_plans SET price = 10000000 WHERE price > 10000000")
    op.execute("UPDATE subscription_plans SET duration_days = 3650 WHERE duration_days > 3650")
    for column in LIMITS:
        op.execute(f"UPDATE subscription_plans SET {column} = 100000 WHERE {column} > 100000")
    op.execute("UPDATE courses SET price = 10000000 WHERE price > 10000000")
    with op.batch_alter_table('subscription_plans', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_subscription_plans_price_max'), 'price <= 10000000')
        batch_op.create_check_constraint(op.f('ck_subscription_plans_duration_max'), 'duration_days <= 3650')
        batch_op.create_check_constraint(
            op.f('ck_subscription_plans_limits_max'),
            'max_kruzhoks <= 100000 AND max_classes_per_kruzhok <= 100000 AND max_students_per_class <= 100000')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_courses_price_max'), 'price <= 10000000')


def downgrade() -> None:
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_courses_price_max'), type_='check')
    with op.batch_alter_table('subscription_plans', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_subscription_plans_limits_max'), type_='check')
        batch_op.drop_constraint(op.f('ck_subscription_plans_duration_max'), type_='check')
        batch_op.drop_constraint(op.f('ck_subscription_plans_price_max'), type_='check')
