"""Storage protocols that ``hub`` implements, and in-memory versions for tests."""

import enum
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

#: A source of the current time as an aware UTC ``datetime`` (injected for tests).
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current time as an aware UTC ``datetime``."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class PlatformRegistration:
    """One tool registration on a platform: an (issuer, client_id) pair and its URLs.

    Attributes:
        issuer: The platform's ``iss``.
        client_id: The OAuth client id the platform gave the tool.
        auth_login_url: The platform's OIDC authorization endpoint.
        auth_token_url: The platform's OAuth 2 token endpoint.
        jwks_url: The platform's public key set URL.
        deployment_ids: Deployment ids registered for this client.
        auth_audience: The ``aud`` for client assertions when not the token URL.
    """

    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    deployment_ids: tuple[str, ...] = ()
    auth_audience: str | None = None


@runtime_checkable
class RegistrationStore(Protocol):
    """Platform registrations and their deployments."""

    def find_registration(
        self, issuer: str, client_id: str | None
    ) -> PlatformRegistration | None:
        """Return the registration (no client id: the issuer's only one) or ``None``."""
        ...

    def save_registration(self, registration: PlatformRegistration) -> None:
        """Insert or replace the registration keyed by (issuer, client_id)."""
        ...


#: How long a process trusts a registration it has read (``RegistrationCache``).
REGISTRATION_TTL_SECONDS = 10.0


class RegistrationCache:
    """Registrations found by a process, kept for ``ttl`` seconds.

    A login initiation and its launch each check the platform's registration
    (Security §5.1.1.1 and §5.1.3: issuer, client id, auth URL, key set URL,
    deployments): at hundreds of launches a second that is two store reads per
    launch for a record that changes a few times a year. Kept here, a process
    reads it once per ``ttl``. What that costs: a registration changed or removed
    in another process is seen by this one within ``ttl`` (``clear`` makes this
    process see it at once), so the caller re-checks, against its store, what must
    take effect at once (the hub: the platform is active and the deployment still
    registered, in the query that provisions the launch). Every check still runs
    on every launch. Only registrations found are kept: a platform registered a
    moment ago launches at once.

    Args:
        ttl: Seconds a registration is used without reading it again.
        clock: Monotonic seconds (injected for tests).
    """

    def __init__(
        self,
        ttl: float = REGISTRATION_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._items: dict[tuple[str, str | None], tuple[float, PlatformRegistration]]
        self._items = {}
        self._lock = threading.Lock()

    def store(self, store: "RegistrationStore") -> "RegistrationStore":
        """Return ``store`` with its lookups answered from this cache."""
        return _CachedRegistrations(self, store)

    def clear(self) -> None:
        """Forget every registration (one changed in this process)."""
        with self._lock:
            self._items.clear()

    def _find(
        self, store: "RegistrationStore", issuer: str, client_id: str | None
    ) -> PlatformRegistration | None:
        key = (issuer, client_id)
        now = self._clock()
        with self._lock:
            found = self._items.get(key)
        if found is not None and now - found[0] < self._ttl:
            return found[1]
        registration = store.find_registration(issuer, client_id)
        with self._lock:
            if registration is None:
                self._items.pop(key, None)
            else:
                self._items[key] = (now, registration)
        return registration


class _CachedRegistrations:
    """A ``RegistrationStore`` whose lookups go through a ``RegistrationCache``."""

    def __init__(self, cache: RegistrationCache, store: "RegistrationStore") -> None:
        self._cache = cache
        self._store = store

    def find_registration(
        self, issuer: str, client_id: str | None
    ) -> PlatformRegistration | None:
        """See ``RegistrationStore.find_registration``."""
        return self._cache._find(self._store, issuer, client_id)

    def save_registration(self, registration: PlatformRegistration) -> None:
        """See ``RegistrationStore.save_registration``; forgets the cached ones."""
        self._store.save_registration(registration)
        self._cache.clear()


@runtime_checkable
class NonceStore(Protocol):
    """Single-use nonces, shared by every process (database row or Redis ``SET NX``)."""

    def consume(self, nonce: str, expires_at: datetime) -> bool:
        """Record the nonce; True the first time it is seen, False on every replay."""
        ...


@runtime_checkable
class LaunchDataStore(Protocol):
    """Short-lived server-side records: OIDC state, pending and cached launches."""

    def put(self, key: str, value: Mapping[str, Any], expires_at: datetime) -> None:
        """Store a JSON-serialisable value until ``expires_at``."""
        ...

    def get(self, key: str) -> Mapping[str, Any] | None:
        """Return the unexpired value, or ``None``."""
        ...

    def pop(self, key: str) -> Mapping[str, Any] | None:
        """Atomically return and delete the unexpired value, or ``None``."""
        ...


@dataclass(frozen=True)
class CachedToken:
    """An OAuth 2 access token and the instant it stops being usable."""

    access_token: str
    expires_at: datetime


@runtime_checkable
class AccessTokenCache(Protocol):
    """Access tokens keyed by platform and scope set, shared by every worker."""

    def get_token(self, key: str) -> CachedToken | None:
        """Return the token stored under ``key`` (expiry is checked by the caller)."""
        ...

    def set_token(self, key: str, token: CachedToken) -> None:
        """Store ``token`` under ``key``, replacing any older one."""
        ...


class KeyStatus(enum.Enum):
    """Where a tool key is in its rotation life cycle."""

    PENDING = "pending"  # published in the JWKS, not yet used to sign
    ACTIVE = "active"  # the one signing key
    RETIRED = "retired"  # still published until ``retire_after``, never signs


@dataclass(frozen=True)
class StoredKey:
    """A tool RSA key pair as stored: the private key only ever encrypted.

    Attributes:
        kid: The key id published in the JWKS and the JWT headers.
        public_jwk: The public key as a JWK (with ``kid``, ``alg``, ``use``).
        encrypted_private_key: The PEM private key encrypted with the caller's key.
        status: The rotation status.
        created_at: When the key was generated (and first published).
        retire_after: For retired keys, when they leave the JWKS.
    """

    kid: str
    public_jwk: Mapping[str, Any]
    encrypted_private_key: bytes
    status: KeyStatus
    created_at: datetime
    retire_after: datetime | None = None


@runtime_checkable
class KeyStore(Protocol):
    """The tool's own key pairs."""

    def list_keys(self) -> Sequence[StoredKey]:
        """Return every stored key, in any order."""
        ...

    def save_key(self, key: StoredKey) -> None:
        """Insert or replace the key with ``key.kid``."""
        ...

    def delete_key(self, kid: str) -> None:
        """Delete the key with ``kid``; deleting an unknown kid does nothing."""
        ...


class InMemoryRegistrationStore:
    """A dict-backed ``RegistrationStore`` for tests and dev."""

    def __init__(self, registrations: Sequence[PlatformRegistration] = ()) -> None:
        self._items: dict[tuple[str, str], PlatformRegistration] = {}
        for registration in registrations:
            self.save_registration(registration)

    def find_registration(
        self, issuer: str, client_id: str | None
    ) -> PlatformRegistration | None:
        """See ``RegistrationStore.find_registration``."""
        if client_id is not None:
            return self._items.get((issuer, client_id))
        matches = [reg for (iss, _), reg in self._items.items() if iss == issuer]
        return matches[0] if len(matches) == 1 else None

    def save_registration(self, registration: PlatformRegistration) -> None:
        """See ``RegistrationStore.save_registration``."""
        self._items[(registration.issuer, registration.client_id)] = registration

    def add_deployment(self, issuer: str, client_id: str, deployment_id: str) -> None:
        """Register one more deployment id on an existing registration."""
        current = self._items[(issuer, client_id)]
        ids = (*current.deployment_ids, deployment_id)
        self._items[(issuer, client_id)] = replace(current, deployment_ids=ids)


class InMemoryNonceStore:
    """A lock-guarded ``NonceStore`` for one process; expired nonces are purged.

    Args:
        clock: Returns the current aware ``datetime``.
    """

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._seen: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def consume(self, nonce: str, expires_at: datetime) -> bool:
        """See ``NonceStore.consume``."""
        with self._lock:
            now = self._clock()
            self._seen = {n: exp for n, exp in self._seen.items() if exp > now}
            if nonce in self._seen:
                return False
            self._seen[nonce] = expires_at
            return True


class InMemoryLaunchDataStore:
    """A lock-guarded ``LaunchDataStore`` for one process.

    Args:
        clock: Returns the current aware ``datetime``.
    """

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._items: dict[str, tuple[Mapping[str, Any], datetime]] = {}
        self._lock = threading.Lock()

    def put(self, key: str, value: Mapping[str, Any], expires_at: datetime) -> None:
        """See ``LaunchDataStore.put``."""
        with self._lock:
            self._items[key] = (dict(value), expires_at)

    def get(self, key: str) -> Mapping[str, Any] | None:
        """See ``LaunchDataStore.get``."""
        with self._lock:
            item = self._items.get(key)
            return item[0] if item and item[1] > self._clock() else None

    def pop(self, key: str) -> Mapping[str, Any] | None:
        """See ``LaunchDataStore.pop``."""
        with self._lock:
            item = self._items.pop(key, None)
            return item[0] if item and item[1] > self._clock() else None


class InMemoryAccessTokenCache:
    """A dict-backed ``AccessTokenCache`` for tests and dev."""

    def __init__(self) -> None:
        self._items: dict[str, CachedToken] = {}

    def get_token(self, key: str) -> CachedToken | None:
        """See ``AccessTokenCache.get_token``."""
        return self._items.get(key)

    def set_token(self, key: str, token: CachedToken) -> None:
        """See ``AccessTokenCache.set_token``."""
        self._items[key] = token


class InMemoryKeyStore:
    """A dict-backed ``KeyStore`` for tests and dev."""

    def __init__(self) -> None:
        self._items: dict[str, StoredKey] = {}

    def list_keys(self) -> Sequence[StoredKey]:
        """See ``KeyStore.list_keys``."""
        return list(self._items.values())

    def save_key(self, key: StoredKey) -> None:
        """See ``KeyStore.save_key``."""
        self._items[key.kid] = key

    def delete_key(self, kid: str) -> None:
        """See ``KeyStore.delete_key``."""
        self._items.pop(kid, None)
