"""The Alembic migrations produce exactly the schema the models describe."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from hub.db import Base, make_engine
from hub.models import LtiContext, Platform
from tests.factories import make_org
from tests.hub.conftest import create_postgres_database, migrate, postgres_base_url


@pytest.fixture
def fresh_database_url(tmp_path):
    if postgres_base_url() is None:
        return f"sqlite:///{tmp_path / 'migrated.db'}"
    return create_postgres_database(f"hub_migrations_{uuid.uuid4().hex[:8]}")


def assert_schema_matches_models(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], (
        f"models and migrations disagree; run 'hub make-migration': {diff}"
    )


def test_migrations_match_models(fresh_database_url):
    migrate(fresh_database_url)
    assert_schema_matches_models(fresh_database_url)


def test_migrations_create_every_table(fresh_database_url):
    migrate(fresh_database_url)
    engine = make_engine(fresh_database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_migrations_are_idempotent(fresh_database_url):
    migrate(fresh_database_url)
    migrate(fresh_database_url)  # a second run is a no-op, not an error


def alembic(url: str, action: str, revision: str) -> None:
    from alembic import command

    from hub.migrations import alembic_config

    getattr(command, action)(alembic_config(url), revision)


def test_every_migration_downgrades_and_upgrades_again(fresh_database_url):
    """An operator rolling a release back runs ``alembic downgrade``: every step
    must undo its upgrade, and the schema must come back whole."""
    migrate(fresh_database_url)
    alembic(fresh_database_url, "downgrade", "base")
    engine = make_engine(fresh_database_url)
    left = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert left == set()
    migrate(fresh_database_url)
    assert_schema_matches_models(fresh_database_url)


def test_lti_urls_downgrade_refuses_to_cut_a_longer_url(fresh_database_url):
    """6cbd753432ce made the AGS/NRPS URLs Text; going back to 1000 characters
    would cut a longer one (and break the link to the platform), so it refuses."""
    migrate(fresh_database_url)
    engine = make_engine(fresh_database_url)
    url = "https://lms.example.edu/api/lti/courses/1/line_items?" + "x" * 1000
    with Session(engine) as session, session.begin():
        org = make_org(session)
        platform = Platform(
            org_id=org.id,
            name="LMS",
            issuer="https://lms.example.edu",
            client_id="c",
            auth_login_url="https://lms.example.edu/auth",
            auth_token_url="https://lms.example.edu/token",
            jwks_url="https://lms.example.edu/jwks",
        )
        session.add(platform)
        session.flush()
        session.add(
            LtiContext(
                org_id=org.id, platform_id=platform.id, context_id="c1", nrps_url=url
            )
        )
    with pytest.raises(RuntimeError, match=r"lti_contexts\.nrps_url holds 1 URLs"):
        alembic(fresh_database_url, "downgrade", "6cbd753432ce-1")
    with Session(engine) as session:
        assert session.scalar(select(LtiContext.nrps_url)) == url
        version = session.scalar(text("SELECT version_num FROM alembic_version"))
    engine.dispose()
    assert version == "6cbd753432ce"
