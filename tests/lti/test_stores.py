from dataclasses import replace

from lti.stores import (
    InMemoryAccessTokenCache,
    InMemoryKeyStore,
    InMemoryLaunchDataStore,
    InMemoryNonceStore,
    InMemoryRegistrationStore,
    RegistrationCache,
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


class _CountingStore(InMemoryRegistrationStore):
    def __init__(self, *args):
        super().__init__(*args)
        self.reads = 0

    def find_registration(self, issuer, client_id):
        self.reads += 1
        return super().find_registration(issuer, client_id)


class _Ticks:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_registration_cache_meets_contract():
    contracts.check_registration_store(
        RegistrationCache().store(InMemoryRegistrationStore())
    )


def test_registration_cache_reads_the_store_once_per_ttl():
    ticks, store = _Ticks(), _CountingStore([registration()])
    cached = RegistrationCache(ttl=10, clock=ticks).store(store)
    for _ in range(3):  # a login, its launch, the next login
        assert cached.find_registration(ISSUER, CLIENT_ID) == registration()
    assert store.reads == 1
    # Changed in another process: seen once the entry is ttl old.
    store.save_registration(registration(deployment_ids=("other",)))
    ticks.now += 9.9
    assert cached.find_registration(ISSUER, CLIENT_ID).deployment_ids != ("other",)
    ticks.now += 0.1
    assert cached.find_registration(ISSUER, CLIENT_ID).deployment_ids == ("other",)
    assert store.reads == 2


def test_registration_cache_keeps_no_miss_and_forgets_on_clear_or_save():
    store = _CountingStore()
    cache = RegistrationCache(ttl=10, clock=_Ticks())
    cached = cache.store(store)
    assert cached.find_registration(ISSUER, CLIENT_ID) is None
    store.save_registration(registration())  # registered a moment ago
    assert cached.find_registration(ISSUER, CLIENT_ID) == registration()
    store.save_registration(replace(registration(), jwks_url="https://p/new"))
    cache.clear()  # changed in this process
    assert cached.find_registration(ISSUER, CLIENT_ID).jwks_url == "https://p/new"
    cached.save_registration(registration())
    assert cached.find_registration(ISSUER, CLIENT_ID) == registration()
    assert store.reads == 4
