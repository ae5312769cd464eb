from lti.stores import (
    InMemoryAccessTokenCache,
    InMemoryKeyStore,
    InMemoryLaunchDataStore,
    InMemoryNonceStore,
    InMemoryRegistrationStore,
    utc_now,
)

from . import contracts
from .conftest import CLIENT_ID, DEPLOYMENT_ID, ISSUER, registration


def test_in_memory_registration_store_meets_contract():
    contracts.check_registration_store(InMemoryRegistrationStore())


def test_in_memory_nonce_store_meets_contract(clock):
    contracts.check_nonce_store(InMemoryNonceStore(clock), clock)


def test_in_memory_launch_data_store_meets_contract(clock):
    contracts.check_launch_data_store(InMemoryLaunchDataStore(clock), clock)


def test_in_memory_access_token_cache_meets_contract():
    contracts.check_access_token_cache(InMemoryAccessTokenCache())


def test_in_memory_key_store_meets_contract():
    contracts.check_key_store(InMemoryKeyStore())


def test_in_memory_registration_store_add_deployment_extends_ids():
    store = InMemoryRegistrationStore([registration()])
    store.add_deployment(ISSUER, CLIENT_ID, "dep-2")
    found = store.find_registration(ISSUER, CLIENT_ID)
    assert found.deployment_ids == (DEPLOYMENT_ID, "dep-2")


def test_utc_now_is_aware():
    assert utc_now().tzinfo is not None
