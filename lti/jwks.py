"""Platform JWKS fetching: cached, refetched on an unknown ``kid`` with a rate limit.

Security Framework 1.0 §6.3 and §6.4 (key rotation),
https://www.imsglobal.org/spec/security/v1p0/#h_key-set-url: a platform rotates keys
by publishing a new ``kid``; a tool that only reads its cached set rejects every launch
after rotation. pylti1p3 2.0.0 caches without refetching, so this module replaces its
``fetch_public_key``.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests

from lti.errors import JwksFetchError
from lti.http import TimeoutSession
from lti.stores import Clock, utc_now

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(hours=1)
#: At most one refetch per URL in this interval, so a stream of tokens with a bogus
#: ``kid`` cannot make the tool hammer the platform.
DEFAULT_MIN_REFETCH_INTERVAL = timedelta(seconds=30)


@dataclass
class _Entry:
    keys: list[dict[str, Any]]
    fetched_at: datetime


class PlatformKeySets:
    """Per-process cache of platform key sets keyed by JWKS URL.

    It is a cache only: every process may hold its own copy, and losing it costs one
    fetch, so nothing here needs sharing between web workers.

    Args:
        session: The HTTP session (``lti.http.build_session``) with timeouts.
        ttl: How long a fetched set is used without refetching.
        min_refetch_interval: Minimum time between two fetches of one URL.
        clock: Returns the current aware ``datetime``.
    """

    def __init__(
        self,
        session: TimeoutSession,
        *,
        ttl: timedelta = DEFAULT_TTL,
        min_refetch_interval: timedelta = DEFAULT_MIN_REFETCH_INTERVAL,
        clock: Clock = utc_now,
    ) -> None:
        self._session = session
        self._ttl = ttl
        self._min_refetch = min_refetch_interval
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        # One lock per URL: a slow platform JWKS never blocks other platforms' launches.
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def find_key(self, jwks_url: str, kid: str) -> dict[str, Any] | None:
        """Return the JWK with ``kid`` from the platform's set, refetching when needed.

        Args:
            jwks_url: The platform's key set URL.
            kid: The ``kid`` from the JWT header.

        Returns:
            The JWK dict, or ``None`` when the platform does not publish that ``kid``
            (even after a refetch, or when a refetch is rate-limited).

        Raises:
            JwksFetchError: No usable key set could be obtained.
        """
        with self._locks_guard:
            lock = self._locks.setdefault(jwks_url, threading.Lock())
        with lock:
            entry = self._entries.get(jwks_url)
            now = self._clock()
            if entry is None or now - entry.fetched_at >= self._ttl:
                entry = self._refresh(jwks_url, entry)
            key = _select(entry.keys, kid)
            if key is not None:
                return key
            if now - entry.fetched_at < self._min_refetch:
                log.warning(
                    "JWKS refetch for unknown kid %s rate-limited: %s", kid, jwks_url
                )
                return None
            # Security §6.4: an unknown kid most likely means the platform rotated.
            entry = self._refresh(jwks_url, None)
            return _select(entry.keys, kid)

    def _refresh(self, jwks_url: str, stale: _Entry | None) -> _Entry:
        try:
            keys = fetch_jwks(self._session, jwks_url)
        except JwksFetchError:
            if stale is None:
                raise
            log.warning("JWKS refresh failed, using the cached set: %s", jwks_url)
            return stale
        entry = _Entry(keys=keys, fetched_at=self._clock())
        self._entries[jwks_url] = entry
        return entry


def fetch_jwks(session: TimeoutSession, jwks_url: str) -> list[dict[str, Any]]:
    """Fetch and parse a JWK Set.

    Args:
        session: The HTTP session with timeouts.
        jwks_url: The key set URL.

    Returns:
        The list of JWK dicts.

    Raises:
        JwksFetchError: Network error, non-2xx answer or a body that is not a JWK Set.
    """
    try:
        response = session.get(jwks_url, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise JwksFetchError(f"cannot fetch {jwks_url}: {exc}") from exc
    if not response.ok:
        raise JwksFetchError(f"{jwks_url} answered {response.status_code}")
    try:
        keys = response.json()["keys"]
    except (ValueError, KeyError, TypeError) as exc:
        raise JwksFetchError(f"{jwks_url} did not return a JWK Set") from exc
    if not isinstance(keys, list):
        raise JwksFetchError(f"{jwks_url} did not return a JWK Set")
    return [key for key in keys if isinstance(key, dict)]


def _select(keys: list[dict[str, Any]], kid: str) -> dict[str, Any] | None:
    return next((key for key in keys if key.get("kid") == kid), None)
