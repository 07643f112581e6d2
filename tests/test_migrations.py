"""The schema comes from Alembic, and the models agree with it."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.models import Base


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models differ from migrations; run `alembic revision --autogenerate`: {diff}"


def test_every_model_table_exists(engine):
    from sqlalchemy import inspect

    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
