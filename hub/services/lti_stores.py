"""SQLAlchemy implementations of the ``lti.stores`` protocols.

Each store works on the caller's session and only flushes: the request or task that
owns the session commits (docs/architecture.md, "One transaction per request").
Single use (nonces, state) holds across processes because it rests on the database:
a primary-key ``INSERT ... ON CONFLICT DO NOTHING RETURNING``, and ``DELETE ...
RETURNING``. Expired rows are purged at most once a minute per process, not on every
write: concurrent purges of the same rows would queue on their row locks.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, Table, bindparam, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub.errors import ConflictError, ValidationError
from hub.models import LtiAccessToken, LtiLaunchData, LtiNonce, LtiToolKey, Platform
from hub.models.lti import PlatformOrigin
from lti.stores import (
    CachedToken,
    Clock,
    KeyStatus,
    PlatformRegistration,
    RegistrationCache,
    RegistrationStore,
    StoredKey,
    utc_now,
)

#: Seconds between two purges of expired nonces or launch data, per process.
PURGE_INTERVAL = 60.0


def transaction_memo(session: Session, name: str) -> dict[Any, Any]:
    """A dict that lives as long as the session's current transaction.

    Lookups repeated within one unit of work (a launch reads its platform in the
    login check, the deployment check and the provisioning) are answered once; the
    next transaction starts afresh and sees changes made meanwhile.
    """
    transaction = session.get_transaction()
    if transaction is None:  # it would begin with the first statement anyway
        transaction = session.begin()
    entry = session.info.get(name)
    if entry is None or entry[0] is not transaction:
        entry = session.info[name] = (transaction, {})
    return entry[1]


# Statements are built once and executed with parameters: building one (its
# clauses, then its cache key) costs about as much CPU as running it, and a launch
# runs a dozen. Those with ``ON CONFLICT`` exist per dialect: the hub runs on SQLite
# (3.35+ has ``ON CONFLICT`` and ``RETURNING``) and PostgreSQL.


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _insert(dialect: str, table: Table):
    """``INSERT`` with ``ON CONFLICT`` of the session's database."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@functools.cache
def _insert_or_ignore(
    dialect: str, table: Table, unique: tuple[str, ...], returning: str
) -> Executable:
    return (
        _insert(dialect, table)
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(table.c[returning])
    )


def insert_or_ignore(
    session: Session, table: Table, unique: Sequence[str], returning: str = "id"
) -> Executable:
    """``INSERT ... ON CONFLICT (unique) DO NOTHING RETURNING returning``, to run
    with the row's values as parameters.

    No row back means the key was taken (in any process: a concurrent insert of the
    same key waits for the other transaction, then does nothing). Unlike a failed
    INSERT, it leaves the transaction usable, so it needs no SAVEPOINT.
    """
    return _insert_or_ignore(_dialect(session), table, tuple(unique), returning)


@functools.cache
def _upsert_launch_data(dialect: str) -> Executable:
    insert = _insert(dialect, LtiLaunchData.__table__)
    return insert.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "value": insert.excluded.value,
            "expires_at": insert.excluded.expires_at,
        },
    )


_launch_data = LtiLaunchData.__table__.c
_POP_LAUNCH_DATA = (
    delete(LtiLaunchData.__table__)
    .where(_launch_data.key == bindparam("key"))
    .returning(_launch_data.value, _launch_data.expires_at)
)
_GET_LAUNCH_DATA = select(_launch_data.value).where(
    _launch_data.key == bindparam("key"), _launch_data.expires_at > bindparam("now")
)
_ACTIVE_PLATFORMS = select(Platform).where(
    Platform.issuer == bindparam("issuer"), Platform.is_active.is_(True)
)
_ACTIVE_PLATFORM = _ACTIVE_PLATFORMS.where(Platform.client_id == bindparam("client_id"))


class _Purge:
    """Delete expired rows of a table now and then (at most every PURGE_INTERVAL)."""

    def __init__(self, column: Any) -> None:
        self._statement = delete(column.table).where(column <= bindparam("now"))
        self._lock = threading.Lock()
        self._due = 0.0

    def __call__(self, session: Session, now: datetime) -> None:
        with self._lock:
            if time.monotonic() < self._due:
                return
            self._due = time.monotonic() + PURGE_INTERVAL
        session.execute(self._statement, {"now": now})


#: This process's registrations (``lti.RegistrationCache``): the login and the
#: launch's checks read them from here, at most REGISTRATION_TTL_SECONDS old;
#: provisioning reads the platform row itself and refuses an inactive platform or
#: a deployment no longer registered at once. Any change of a platform made in
#: this process clears it.
REGISTRATIONS = RegistrationCache()


@event.listens_for(Platform, "after_insert")
@event.listens_for(Platform, "after_update")
@event.listens_for(Platform, "after_delete")
def _platform_changed(_mapper: Any, _connection: Any, _platform: Platform) -> None:
    REGISTRATIONS.clear()


_purge_nonces = _Purge(LtiNonce.__table__.c.expires_at)
_purge_launch_data = _Purge(LtiLaunchData.__table__.c.expires_at)
_PLATFORMS_MEMO = "hub.lti_stores.platforms"


def registration_of(platform: Platform) -> PlatformRegistration:
    """The ``lti`` value of a platform row."""
    return PlatformRegistration(
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_login_url,
        auth_token_url=platform.auth_token_url,
        jwks_url=platform.jwks_url,
        deployment_ids=tuple(str(d) for d in platform.deployment_ids or ()),
        auth_audience=platform.auth_audience,
    )


class SqlRegistrationStore:
    """Platforms as ``RegistrationStore``.

    Lookups span every organization (a launch arrives before any organization is
    known; (issuer, client_id) is unique across them). Saving needs ``org_id``: the
    organization that registers the platform.
    """

    def __init__(
        self,
        session: Session,
        *,
        org_id: int | None = None,
        created_via: PlatformOrigin = PlatformOrigin.MANUAL,
        name: str | None = None,
    ) -> None:
        self._session = session
        self._org_id = org_id
        self._created_via = created_via
        self._name = name

    def find_platform(self, issuer: str, client_id: str | None) -> Platform | None:
        """The active platform row (no client id: the issuer's only one)."""
        memo = transaction_memo(self._session, _PLATFORMS_MEMO)
        if (issuer, client_id) not in memo:
            memo[issuer, client_id] = self._find_platform(issuer, client_id)
        return memo[issuer, client_id]

    def _find_platform(self, issuer: str, client_id: str | None) -> Platform | None:
        if client_id is not None:
            return self._session.scalar(
                _ACTIVE_PLATFORM, {"issuer": issuer, "client_id": client_id}
            )
        found = self._session.scalars(
            _ACTIVE_PLATFORMS.limit(2), {"issuer": issuer}
        ).all()
        return found[0] if len(found) == 1 else None

    def find_registration(
        self, issuer: str, client_id: str | None
    ) -> PlatformRegistration | None:
        """See ``lti.stores.RegistrationStore.find_registration``."""
        platform = self.find_platform(issuer, client_id)
        return registration_of(platform) if platform is not None else None

    def save_registration(self, registration: PlatformRegistration) -> None:
        """See ``lti.stores.RegistrationStore.save_registration``."""
        self.save_platform(registration)

    def save_platform(self, registration: PlatformRegistration) -> Platform:
        """Insert or update the platform row of ``registration`` in ``org_id``."""
        if self._org_id is None:
            raise ValueError("saving a platform needs the organization's id")
        _check_fits(registration)
        platform = self._session.scalar(
            select(Platform).where(
                Platform.issuer == registration.issuer,
                Platform.client_id == registration.client_id,
            )
        )
        if platform is not None and platform.org_id != self._org_id:
            # Another organization's registration: never reveal or overwrite it.
            raise ConflictError("this issuer and client id are already registered")
        if platform is None:
            platform = Platform(
                org_id=self._org_id,
                issuer=registration.issuer,
                client_id=registration.client_id,
                name=(self._name or registration.issuer)[:_NAME_MAX],
                created_via=self._created_via,
            )
            self._session.add(platform)
        platform.auth_login_url = registration.auth_login_url
        platform.auth_token_url = registration.auth_token_url
        platform.jwks_url = registration.jwks_url
        platform.auth_audience = registration.auth_audience
        platform.deployment_ids = list(registration.deployment_ids)
        platform.is_active = True
        self._session.flush()
        transaction_memo(self._session, _PLATFORMS_MEMO).clear()
        return platform


def cached_registrations(session: Session) -> RegistrationStore:
    """The platforms as a ``RegistrationStore`` read through ``REGISTRATIONS``: for
    the login and the launch's checks, not for what provisioning reads."""
    return REGISTRATIONS.store(SqlRegistrationStore(session))


class SqlNonceStore:
    """Consumed nonces as rows: the primary key makes a replay fail everywhere."""

    def __init__(self, session: Session, *, clock: Clock = utc_now) -> None:
        self._session = session
        self._clock = clock

    def consume(self, nonce: str, expires_at: datetime) -> bool:
        """See ``lti.stores.NonceStore.consume``."""
        _purge_nonces(self._session, self._clock())
        # One statement: the primary key refuses a second insert in any process,
        # and RETURNING says whether this one inserted.
        inserted = self._session.execute(
            insert_or_ignore(self._session, LtiNonce.__table__, ["nonce"], "nonce"),
            {"nonce": nonce, "expires_at": expires_at},
        ).first()
        return inserted is not None


class SqlLaunchDataStore:
    """Login state and launches as rows; ``pop`` is one ``DELETE ... RETURNING``."""

    def __init__(self, session: Session, *, clock: Clock = utc_now) -> None:
        self._session = session
        self._clock = clock

    def put(self, key: str, value: Mapping[str, Any], expires_at: datetime) -> None:
        """See ``lti.stores.LaunchDataStore.put``; expired rows are purged here."""
        _purge_launch_data(self._session, self._clock())
        self._session.execute(
            _upsert_launch_data(_dialect(self._session)),
            {"key": key, "value": dict(value), "expires_at": expires_at},
        )

    def get(self, key: str) -> Mapping[str, Any] | None:
        """See ``lti.stores.LaunchDataStore.get``."""
        return self._session.scalar(
            _GET_LAUNCH_DATA, {"key": key, "now": self._clock()}
        )

    def pop(self, key: str) -> Mapping[str, Any] | None:
        """See ``lti.stores.LaunchDataStore.pop``: only one caller gets the value."""
        # The table, not the entity: no ORM row is loaded or synchronized.
        rows = self._session.execute(_POP_LAUNCH_DATA, {"key": key}).all()
        if not rows or rows[0].expires_at <= self._clock():
            return None
        return rows[0].value


class SqlAccessTokenCache:
    """Access tokens per key, tagged with the organization whose platform they serve."""

    def __init__(self, session: Session, *, org_id: int) -> None:
        self._session = session
        self._org_id = org_id

    def get_token(self, key: str) -> CachedToken | None:
        """See ``lti.stores.AccessTokenCache.get_token``."""
        row = self._session.get(LtiAccessToken, key)
        return CachedToken(row.access_token, row.expires_at) if row else None

    def set_token(self, key: str, token: CachedToken) -> None:
        """See ``lti.stores.AccessTokenCache.set_token``."""
        self._session.merge(
            LtiAccessToken(
                key=key,
                org_id=self._org_id,
                access_token=token.access_token,
                expires_at=token.expires_at,
            )
        )
        self._session.flush()


class SqlKeyStore:
    """The tool's key pairs (ciphertext only) as rows."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def list_keys(self) -> Sequence[StoredKey]:
        """See ``lti.stores.KeyStore.list_keys``."""
        rows = self._session.scalars(select(LtiToolKey).order_by(LtiToolKey.kid))
        return [
            StoredKey(
                kid=row.kid,
                public_jwk=dict(row.public_jwk),
                encrypted_private_key=bytes(row.encrypted_private_key),
                status=KeyStatus(row.status),
                created_at=row.published_at,
                retire_after=row.retire_after,
            )
            for row in rows
        ]

    def save_key(self, key: StoredKey) -> None:
        """See ``lti.stores.KeyStore.save_key``."""
        self._session.merge(
            LtiToolKey(
                kid=key.kid,
                public_jwk=dict(key.public_jwk),
                encrypted_private_key=key.encrypted_private_key,
                status=key.status.value,
                published_at=key.created_at,
                retire_after=key.retire_after,
            )
        )
        self._session.flush()

    def delete_key(self, kid: str) -> None:
        """See ``lti.stores.KeyStore.delete_key``."""
        row = self._session.get(LtiToolKey, kid)
        if row is not None:
            self._session.delete(row)
            self._session.flush()


_NAME_MAX = Platform.__table__.c.name.type.length
_STORED = (
    "issuer",
    "client_id",
    "auth_login_url",
    "auth_token_url",
    "jwks_url",
    "auth_audience",
)


def _check_fits(registration: PlatformRegistration) -> None:
    """Refuse, by field, a value longer than its column (a manual form is checked
    before; a dynamic registration's platform configuration is not)."""
    for name in _STORED:
        value = getattr(registration, name)
        limit = Platform.__table__.c[name].type.length
        if value is not None and len(value) > limit:
            raise ValidationError.for_field(
                name, f"at most {limit} characters (this one has {len(value)})"
            )
