"""The SQLAlchemy stores behave like the in-memory ones (``tests/lti/contracts.py``)."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from hub.errors import ConflictError
from hub.services.lti_stores import (
    SqlAccessTokenCache,
    SqlKeyStore,
    SqlLaunchDataStore,
    SqlNonceStore,
    SqlRegistrationStore,
)
from lti.stores import PlatformRegistration
from tests.factories import make_org
from tests.lti import contracts
from tests.lti.conftest import FakeClock


def test_registration_store_contract(session, org):
    contracts.check_registration_store(SqlRegistrationStore(session, org_id=org.id))


def test_registration_store_without_org_cannot_save(session):
    store = SqlRegistrationStore(session)
    registration = PlatformRegistration(
        "https://i", "c", "https://a", "https://t", "https://j"
    )
    with pytest.raises(ValueError, match="organization"):
        store.save_registration(registration)


def test_registration_store_refuses_another_orgs_client(session, org):
    other = make_org(session, slug="other")
    registration = PlatformRegistration(
        "https://i", "c", "https://a", "https://t", "https://j"
    )
    SqlRegistrationStore(session, org_id=org.id).save_registration(registration)
    with pytest.raises(ConflictError):
        SqlRegistrationStore(session, org_id=other.id).save_registration(registration)


def test_nonce_store_contract(session):
    clock = FakeClock()
    contracts.check_nonce_store(SqlNonceStore(session, clock=clock), clock)


def test_nonce_store_is_single_use_across_sessions(app, connection):
    """Two sessions (two processes' requests) on one database: only one wins."""
    factory = app.extensions["hub.db"].session_factory
    clock = FakeClock()
    first, second = factory(), factory()
    expires = clock() + timedelta(minutes=5)
    assert SqlNonceStore(first, clock=clock).consume("shared", expires) is True
    first.commit()
    assert SqlNonceStore(second, clock=clock).consume("shared", expires) is False
    first.close()
    second.close()


def test_launch_data_store_contract(session):
    clock = FakeClock()
    contracts.check_launch_data_store(SqlLaunchDataStore(session, clock=clock), clock)


def test_launch_data_pop_is_single_use_across_sessions(app, connection):
    factory = app.extensions["hub.db"].session_factory
    clock = FakeClock()
    writer = factory()
    SqlLaunchDataStore(writer, clock=clock).put(
        "state", {"a": 1}, clock() + timedelta(minutes=5)
    )
    writer.commit()
    readers = [factory(), factory()]
    values = [SqlLaunchDataStore(s, clock=clock).pop("state") for s in readers[:1]]
    readers[0].commit()
    values.append(SqlLaunchDataStore(readers[1], clock=clock).pop("state"))
    assert values == [{"a": 1}, None]
    for s in (writer, *readers):
        s.close()


def test_access_token_cache_contract(session: Session, org):
    contracts.check_access_token_cache(SqlAccessTokenCache(session, org_id=org.id))


def test_key_store_contract(session):
    contracts.check_key_store(SqlKeyStore(session))


def test_registration_store_reads_a_platform_once_per_transaction(session, org):
    from sqlalchemy import event

    registration = PlatformRegistration(
        "https://i", "c", "https://a", "https://t", "https://j"
    )
    SqlRegistrationStore(session, org_id=org.id).save_registration(registration)
    session.commit()
    statements = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for _ in range(3):  # login check, deployment check, provisioning
            assert SqlRegistrationStore(session).find_platform("https://i", "c")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert sum("lti_platforms" in s for s in statements) == 1
    platform = SqlRegistrationStore(session).find_platform("https://i", "c")
    platform.is_active = False
    session.commit()  # the next transaction sees the change
    assert SqlRegistrationStore(session).find_platform("https://i", "c") is None


def test_expired_rows_are_purged_at_most_once_per_interval(session, monkeypatch):
    from hub.models import LtiNonce
    from hub.services import lti_stores

    clock = FakeClock()
    store = SqlNonceStore(session, clock=clock)
    monkeypatch.setattr(lti_stores._purge_nonces, "_due", 0.0)
    store.consume("old", clock() + timedelta(seconds=1))  # purges (nothing yet)
    clock.advance(seconds=5)
    store.consume("new", clock() + timedelta(minutes=5))  # not due: no purge
    assert {n.nonce for n in session.query(LtiNonce)} == {"old", "new"}
    # Expired but not purged yet, a nonce still cannot be used again.
    assert store.consume("old", clock() + timedelta(minutes=5)) is False
    monkeypatch.setattr(lti_stores._purge_nonces, "_due", 0.0)
    store.consume("newer", clock() + timedelta(minutes=5))
    assert {n.nonce for n in session.query(LtiNonce)} == {"new", "newer"}
