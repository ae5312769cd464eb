"""The Alembic migrations produce exactly the schema the models describe."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from hub.db import Base, make_engine
from tests.hub.conftest import create_postgres_database, migrate, postgres_base_url


@pytest.fixture
def fresh_database_url(tmp_path):
    if postgres_base_url() is None:
        return f"sqlite:///{tmp_path / 'migrated.db'}"
    return create_postgres_database(f"hub_migrations_{uuid.uuid4().hex[:8]}")


def test_migrations_match_models(fresh_database_url):
    migrate(fresh_database_url)
    engine = make_engine(fresh_database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], (
        f"models and migrations disagree; run 'hub make-migration': {diff}"
    )


def test_migrations_create_every_table(fresh_database_url):
    migrate(fresh_database_url)
    engine = make_engine(fresh_database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_migrations_are_idempotent(fresh_database_url):
    migrate(fresh_database_url)
    migrate(fresh_database_url)  # a second run is a no-op, not an error
