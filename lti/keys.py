"""Tool RSA keys: generation, encrypted storage, JWKS with ``kid``, and rotation.

Security Framework 1.0 §6.3 (https://www.imsglobal.org/spec/security/v1p0/#h_key-set-url):
the tool publishes its public keys as a JWK Set with a ``kid`` per key; a platform
caches that set, so a new key is published before it signs anything, and a retired key
stays published for a grace period so tokens signed just before rotation still verify.
"""

import enum
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

from lti.errors import KeyStoreError
from lti.stores import Clock, KeyStatus, KeyStore, StoredKey, utc_now

RSA_KEY_SIZE = 2048
SIGNING_ALGORITHM = "RS256"
#: How long a pending key is published before it may sign (platform JWKS caches).
DEFAULT_PUBLISH_LEAD = timedelta(hours=24)
#: How long a retired key stays in the JWKS after it stopped signing.
DEFAULT_GRACE = timedelta(days=7)


@dataclass(frozen=True)
class SigningKey:
    """The active private key, decrypted for one signing operation."""

    kid: str
    private_pem: str


class RotationStep(enum.Enum):
    """What one call of ``rotate_keys`` did."""

    CREATED_FIRST_KEY = "created_first_key"
    PUBLISHED_PENDING = "published_pending"
    ACTIVATED_PENDING = "activated_pending"
    WAITING = "waiting"


def public_jwk(private_key: rsa.RSAPrivateKey) -> dict[str, Any]:
    """Return the public JWK of ``private_key`` with its RFC 7638 thumbprint as ``kid``.

    Args:
        private_key: An RSA private key.

    Returns:
        A JWK dict with ``kty``, ``n``, ``e``, ``kid``, ``alg`` and ``use``.
    """
    jwk = JWK.from_pyca(private_key.public_key())
    data = jwk.export_public(as_dict=True)
    data.update(kid=jwk.thumbprint(), alg=SIGNING_ALGORITHM, use="sig")
    return data


class ToolKeyring:
    """The tool's key pairs over a ``KeyStore``, private keys encrypted with Fernet.

    Args:
        store: Where keys are kept.
        encryption_key: A Fernet key (urlsafe base64, 32 bytes) from the caller.
        clock: Returns the current aware ``datetime``.
    """

    def __init__(
        self, store: KeyStore, encryption_key: bytes | str, *, clock: Clock = utc_now
    ) -> None:
        self._store = store
        self._fernet = Fernet(encryption_key)
        self._clock = clock

    def generate(self, status: KeyStatus) -> StoredKey:
        """Generate, encrypt and store a new key pair with ``status``.

        Args:
            status: ``PENDING`` for a rotation, ``ACTIVE`` only for the very first key.

        Returns:
            The stored key.
        """
        private_key = rsa.generate_private_key(
            public_exponent=65537, key_size=RSA_KEY_SIZE
        )
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        jwk = public_jwk(private_key)
        key = StoredKey(
            kid=jwk["kid"],
            public_jwk=jwk,
            encrypted_private_key=self._fernet.encrypt(pem),
            status=status,
            created_at=self._clock(),
        )
        self._store.save_key(key)
        return key

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """Return the JWK Set to publish: pending, active and unexpired retired keys."""
        now = self._clock()
        keys = [
            dict(key.public_jwk)
            for key in sorted(self._store.list_keys(), key=lambda k: k.created_at)
            if key.status is not KeyStatus.RETIRED
            or (key.retire_after is not None and key.retire_after > now)
        ]
        return {"keys": keys}

    def signing_key(self) -> SigningKey:
        """Return the active key, decrypted.

        Raises:
            KeyStoreError: No active key exists, or it cannot be decrypted.
        """
        active = [k for k in self._store.list_keys() if k.status is KeyStatus.ACTIVE]
        if not active:
            raise KeyStoreError("no active tool key; run the key rotation first")
        key = max(active, key=lambda k: k.created_at)
        try:
            pem = self._fernet.decrypt(key.encrypted_private_key)
        except InvalidToken as exc:
            raise KeyStoreError(f"tool key {key.kid} cannot be decrypted") from exc
        return SigningKey(kid=key.kid, private_pem=pem.decode("ascii"))

    def activate(self, kid: str, *, grace: timedelta = DEFAULT_GRACE) -> None:
        """Make pending key ``kid`` the signing key and retire the previous one.

        Args:
            kid: The pending key to activate.
            grace: How long the retired key stays in the JWKS.

        Raises:
            KeyStoreError: ``kid`` is not a pending key.
        """
        keys = {k.kid: k for k in self._store.list_keys()}
        target = keys.get(kid)
        if target is None or target.status is not KeyStatus.PENDING:
            raise KeyStoreError(f"key {kid} is not pending")
        retire_after = self._clock() + grace
        for key in keys.values():
            if key.status is KeyStatus.ACTIVE:
                self._store.save_key(
                    replace(key, status=KeyStatus.RETIRED, retire_after=retire_after)
                )
        self._store.save_key(replace(target, status=KeyStatus.ACTIVE))

    def prune(self) -> list[str]:
        """Delete retired keys whose grace period is over; return their kids."""
        now = self._clock()
        expired = [
            k.kid
            for k in self._store.list_keys()
            if k.status is KeyStatus.RETIRED
            and (k.retire_after is None or k.retire_after <= now)
        ]
        for kid in expired:
            self._store.delete_key(kid)
        return expired

    def keys_with_status(self, status: KeyStatus) -> list[StoredKey]:
        """Return the stored keys with ``status``, oldest first."""
        keys = [k for k in self._store.list_keys() if k.status is status]
        return sorted(keys, key=lambda k: k.created_at)


def rotate_keys(
    keyring: ToolKeyring,
    *,
    clock: Clock = utc_now,
    publish_lead: timedelta = DEFAULT_PUBLISH_LEAD,
    grace: timedelta = DEFAULT_GRACE,
    rotate_after: timedelta | None = None,
) -> RotationStep:
    """Advance key rotation by one safe step; call it from the CLI or a periodic task.

    With no key at all, the first key is created active. Otherwise a pending key is
    published first, and only once it has been in the JWKS for ``publish_lead`` does it
    become the signing key, the old one retiring for ``grace``. Expired retired keys are
    pruned on every call.

    Args:
        keyring: The tool keyring.
        clock: Returns the current aware ``datetime``.
        publish_lead: Minimum time a pending key is published before it signs.
        grace: How long a retired key stays published.
        rotate_after: When given (periodic use), a new pending key is only published
            once the active key is at least this old; ``None`` publishes a new key now.

    Returns:
        The step taken.
    """
    keyring.prune()
    pending = keyring.keys_with_status(KeyStatus.PENDING)
    if not pending:
        active = keyring.keys_with_status(KeyStatus.ACTIVE)
        if not active:
            keyring.generate(KeyStatus.ACTIVE)
            return RotationStep.CREATED_FIRST_KEY
        if rotate_after is not None and clock() - active[-1].created_at < rotate_after:
            return RotationStep.WAITING
        keyring.generate(KeyStatus.PENDING)
        return RotationStep.PUBLISHED_PENDING
    oldest = pending[0]
    if clock() - oldest.created_at < publish_lead:
        return RotationStep.WAITING
    keyring.activate(oldest.kid, grace=grace)
    return RotationStep.ACTIVATED_PENDING
