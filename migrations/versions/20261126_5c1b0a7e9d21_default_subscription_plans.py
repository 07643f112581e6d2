"""default subscription plans (data)

Revision ID: 5c1b0a7e9d21
Revises: 96f66e3ee07d
Create Date: 2026-11-26 09:00:00

Inserts the two plans of SPEC §6 with fixed ids, so every database (tests included) has them.
Admins edit price, duration and limits afterwards; this never overwrites an existing row.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '5c1b0a7e9d21'
down_revision = '96f66e3ee07d'
branch_labels = None
depends_on = None

PLANS = [
    {"id": "6d1f3a52-0b7e-4c55-9a51-000000000001", "code": "ONETIME_PURCHASE", "title": "Разовая покупка (1 год)",
     "price": 2000, "duration_days": 365},
    {"id": "6d1f3a52-0b7e-4c55-9a51-000000000002", "code": "MONTHLY_SUBSCRIPTION",
     "title": "Ежемесячная подписка", "price": 1000, "duration_days": 30},
]


def upgrade() -> None:
    plans = sa.table(
        "subscription_plans",
        sa.column("id", sa.String), sa.column("code", sa.String), sa.column("title", sa.String),
        sa.column("price", sa.Integer), sa.column("currency", sa.String), sa.column("duration_days", sa.Integer),
        sa.column("max_kruzhoks", sa.Integer), sa.column("max_classes_per_kruzhok", sa.Integer),
        sa.column("max_students_per_class", sa.Integer), sa.column("is_active", sa.Boolean),
        sa.column("created_at", sa.DateTime),
    )
    conn = op.get_bind()
    existing = set(conn.execute(sa.text("SELECT code FROM subscription_plans")).scalars())
    now = datetime.now(timezone.utc)
    if conn.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    rows = [
        {**p, "currency": "KZT", "max_kruzhoks": 1, "max_classes_per_kruzhok": 2, "max_students_per_class": 30,
         "is_active": True, "created_at": now}
        for p in PLANS if p["code"] not in existing
    ]
    if rows:
        op.bulk_insert(plans, rows)


def downgrade() -> None:
    conn = op.get_bind()
    for p in PLANS:
        conn.execute(sa.text("DELETE FROM subscription_plans WHERE id = :id AND NOT EXISTS "
                             "(SELECT 1 FROM subscriptions WHERE plan_id = :id)"), {"id": p["id"]})
