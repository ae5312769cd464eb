"""Behavioural contracts of the ``lti.stores`` protocols.

The hub's SQLAlchemy/Redis implementations reuse these: call each ``check_*`` with a
factory building the implementation under test and a settable clock.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from lti.stores import (
    AccessTokenCache,
    CachedToken,
    KeyStatus,
    KeyStore,
    LaunchDataStore,
    NonceStore,
    PlatformRegistration,
    RegistrationStore,
    StoredKey,
)


def check_registration_store(store: RegistrationStore) -> None:
    assert isinstance(store, RegistrationStore)
    a = PlatformRegistration("https://iss", "c1", "https://a", "https://t", "https://j")
    b = replace(a, client_id="c2", deployment_ids=("d1",))
    assert store.find_registration("https://iss", "c1") is None
    store.save_registration(a)
    assert store.find_registration("https://iss", "c1") == a
    assert store.find_registration("https://iss", None) == a  # the only one
    store.save_registration(b)
    assert store.find_registration("https://iss", None) is None  # ambiguous
    assert store.find_registration("https://iss", "c2").deployment_ids == ("d1",)
    updated = replace(a, jwks_url="https://j2")
    store.save_registration(updated)
    assert store.find_registration("https://iss", "c1") == updated
    assert store.find_registration("https://other", "c1") is None


def check_nonce_store(store: NonceStore, clock) -> None:
    assert isinstance(store, NonceStore)
    expires = clock() + timedelta(minutes=5)
    assert store.consume("n1", expires) is True
    assert store.consume("n1", expires) is False
    assert store.consume("n2", expires) is True
    clock.advance(minutes=6)
    assert store.consume("n3", clock() + timedelta(minutes=5)) is True
    assert store.consume("n3", clock() + timedelta(minutes=5)) is False


def check_launch_data_store(store: LaunchDataStore, clock) -> None:
    assert isinstance(store, LaunchDataStore)
    expires = clock() + timedelta(minutes=5)
    store.put("k", {"a": 1, "b": ["x"]}, expires)
    assert store.get("k") == {"a": 1, "b": ["x"]}
    assert store.get("k") == {"a": 1, "b": ["x"]}  # get does not consume
    assert store.pop("k") == {"a": 1, "b": ["x"]}
    assert store.pop("k") is None  # single use
    assert store.get("missing") is None
    store.put("old", {"a": 1}, expires)
    clock.advance(minutes=6)
    assert store.get("old") is None
    assert store.pop("old") is None


def check_access_token_cache(cache: AccessTokenCache) -> None:
    assert isinstance(cache, AccessTokenCache)
    stamp = datetime(2030, 1, 1, tzinfo=UTC)
    assert cache.get_token("k") is None
    cache.set_token("k", CachedToken("t1", stamp))
    assert cache.get_token("k") == CachedToken("t1", stamp)
    cache.set_token("k", CachedToken("t2", stamp + timedelta(hours=1)))
    assert cache.get_token("k").access_token == "t2"
    assert cache.get_token("other") is None


def check_key_store(store: KeyStore) -> None:
    assert isinstance(store, KeyStore)
    created = datetime(2030, 1, 1, tzinfo=UTC)
    key = StoredKey("kid1", {"kid": "kid1"}, b"secret", KeyStatus.ACTIVE, created)
    assert list(store.list_keys()) == []
    store.save_key(key)
    assert list(store.list_keys()) == [key]
    retired = replace(key, status=KeyStatus.RETIRED, retire_after=created)
    store.save_key(retired)
    assert list(store.list_keys()) == [retired]
    store.delete_key("kid1")
    store.delete_key("kid1")  # deleting twice is harmless
    assert list(store.list_keys()) == []
