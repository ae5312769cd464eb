from dataclasses import replace
from datetime import timedelta

import jwt
import pytest
from cryptography.fernet import Fernet

from lti.errors import KeyStoreError
from lti.keys import RotationStep, ToolKeyring, rotate_keys
from lti.stores import InMemoryKeyStore, KeyStatus


def _ring(clock):
    return ToolKeyring(InMemoryKeyStore(), Fernet.generate_key(), clock=clock)


def _kids(ring):
    return [k["kid"] for k in ring.jwks()["keys"]]


def test_rotate_keys_empty_store_creates_active_key(clock):
    ring = _ring(clock)
    assert rotate_keys(ring, clock=clock) is RotationStep.CREATED_FIRST_KEY
    key = ring.signing_key()
    assert _kids(ring) == [key.kid]
    jwk = ring.jwks()["keys"][0]
    assert (jwk["alg"], jwk["use"], jwk["kty"]) == ("RS256", "sig", "RSA")
    assert "d" not in jwk  # never the private part


def test_rotate_keys_publishes_before_signing_then_retires_with_grace(clock):
    ring = _ring(clock)
    rotate_keys(ring, clock=clock)
    old = ring.signing_key().kid
    assert rotate_keys(ring, clock=clock) is RotationStep.PUBLISHED_PENDING
    new = ring.keys_with_status(KeyStatus.PENDING)[0].kid
    assert set(_kids(ring)) == {old, new}
    assert ring.signing_key().kid == old  # published, not yet signing
    clock.advance(hours=23)
    assert rotate_keys(ring, clock=clock) is RotationStep.WAITING
    clock.advance(hours=1)
    assert rotate_keys(ring, clock=clock, grace=timedelta(days=2)) is (
        RotationStep.ACTIVATED_PENDING
    )
    assert ring.signing_key().kid == new
    assert set(_kids(ring)) == {old, new}  # old kept for the grace period
    clock.advance(days=2)
    assert _kids(ring) == [new]
    assert ring.prune() == [old]


def test_rotate_keys_periodic_waits_until_active_key_old(clock):
    ring = _ring(clock)
    rotate_keys(ring, clock=clock)
    step = rotate_keys(ring, clock=clock, rotate_after=timedelta(days=90))
    assert step is RotationStep.WAITING
    clock.advance(days=90)
    step = rotate_keys(ring, clock=clock, rotate_after=timedelta(days=90))
    assert step is RotationStep.PUBLISHED_PENDING


def test_keyring_private_key_stored_encrypted_and_signs(clock):
    store = InMemoryKeyStore()
    ring = ToolKeyring(store, Fernet.generate_key(), clock=clock)
    rotate_keys(ring, clock=clock)
    stored = store.list_keys()[0]
    assert b"PRIVATE KEY" not in stored.encrypted_private_key
    key = ring.signing_key()
    token = jwt.encode({"a": 1}, key.private_pem, "RS256", headers={"kid": key.kid})
    jwk = ring.jwks()["keys"][0]
    assert jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"]) == {"a": 1}


def test_keyring_wrong_encryption_key_rejected(clock):
    store = InMemoryKeyStore()
    rotate_keys(ToolKeyring(store, Fernet.generate_key(), clock=clock), clock=clock)
    with pytest.raises(KeyStoreError, match="cannot be decrypted"):
        ToolKeyring(store, Fernet.generate_key(), clock=clock).signing_key()


def test_keyring_without_active_key_rejected(clock):
    with pytest.raises(KeyStoreError, match="no active tool key"):
        _ring(clock).signing_key()


def test_keyring_activate_non_pending_rejected(clock):
    ring = _ring(clock)
    rotate_keys(ring, clock=clock)
    with pytest.raises(KeyStoreError, match="not pending"):
        ring.activate(ring.signing_key().kid)
    with pytest.raises(KeyStoreError, match="not pending"):
        ring.activate("unknown")


def test_keyring_retired_key_without_deadline_pruned_and_unpublished(clock):
    store = InMemoryKeyStore()
    ring = ToolKeyring(store, Fernet.generate_key(), clock=clock)
    key = ring.generate(KeyStatus.ACTIVE)
    store.save_key(replace(key, status=KeyStatus.RETIRED, retire_after=None))
    assert ring.jwks() == {"keys": []}
    assert ring.prune() == [key.kid]
