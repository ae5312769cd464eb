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
