"""The PostgreSQL pool pings only connections that sat idle, and replaces dead ones."""

import pytest
from sqlalchemy import text

from hub import db
from tests.hub.conftest import postgres_base_url

pytestmark = pytest.mark.skipif(
    postgres_base_url() is None,
    reason="needs PostgreSQL: set HUB_TEST_DATABASE_URL (.ci/run does)",
)


@pytest.fixture
def engine():
    engine = db.make_engine(postgres_base_url())
    yield engine
    engine.dispose()


@pytest.fixture
def pings(engine, monkeypatch):
    count = []
    real = engine.dialect.do_ping

    def counting(dbapi_connection):
        count.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    return count


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_used_a_moment_ago_is_not_pinged(engine, pings):
    first = _backend_pid(engine)  # a new connection: pinged once
    assert _backend_pid(engine) == first
    assert _backend_pid(engine) == first
    assert len(pings) == 1


def test_an_idle_connection_closed_by_the_server_is_replaced(
    engine, pings, monkeypatch
):
    dead = _backend_pid(engine)
    killer = db.make_engine(postgres_base_url())
    with killer.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
    killer.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # "idle for long"
    replacement = _backend_pid(engine)
    assert replacement != dead
    assert len(pings) >= 2  # the dead one's ping failed; the new one answered
