"""OAuth 2 client credentials with a JWT bearer assertion, tokens cached until expiry.

Security Framework 1.0 §4.1 (https://www.imsglobal.org/spec/security/v1p0/#using-json-web-tokens-with-oauth-2-0-client-credentials-grant)
and RFC 7523 §2.2: the tool signs a JWT (iss = sub = client_id, aud = token endpoint)
and exchanges it for an access token. pylti1p3 2.0.0 keeps tokens per connector object
forever and ignores ``expires_in``; this connector caches them in an
``AccessTokenCache`` shared by workers, keyed by platform and scope set, until
``expires_in`` (less a safety margin) has passed.
"""

import hashlib
import logging
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import jwt
import requests
from pylti1p3.service_connector import ServiceConnector, TServiceConnectorResponse

from lti import claims
from lti.errors import AccessTokenError, ServiceError, translate_service_errors
from lti.http import TimeoutSession
from lti.keys import SIGNING_ALGORITHM, ToolKeyring
from lti.stores import (
    AccessTokenCache,
    CachedToken,
    Clock,
    PlatformRegistration,
    utc_now,
)
from lti.tool_config import to_pylti_registration

log = logging.getLogger(__name__)

#: A token is renewed this long before the platform says it expires.
EXPIRY_MARGIN = timedelta(seconds=30)
#: RFC 6749 §5.1 makes expires_in optional; without it, assume one hour.
DEFAULT_EXPIRES_IN = 3600
ASSERTION_LIFETIME = timedelta(minutes=5)


def token_cache_key(registration: PlatformRegistration, scopes: Sequence[str]) -> str:
    """Return the cache key of a token for one platform client and scope set."""
    raw = "\n".join([registration.issuer, registration.client_id, *sorted(set(scopes))])
    return "lti-token:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()


class PlatformServiceConnector(ServiceConnector):
    """pylti1p3's ``ServiceConnector`` with shared, expiring tokens and timeouts.

    Args:
        registration: The platform registration.
        keyring: The tool keyring (the active key signs the assertion).
        token_cache: Where tokens are shared between workers.
        session: The HTTP session (``lti.http.build_session``).
        clock: Returns the current aware ``datetime``.
    """

    def __init__(
        self,
        registration: PlatformRegistration,
        *,
        keyring: ToolKeyring,
        token_cache: AccessTokenCache,
        session: TimeoutSession,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(to_pylti_registration(registration), session)
        self.record = registration
        self._keyring = keyring
        self._cache = token_cache
        self._clock = clock

    def get_access_token(self, scopes: Sequence[str]) -> str:
        """Return a usable access token for ``scopes``, from the cache or the platform.

        Args:
            scopes: The scopes to request (the whole set is one cache entry).

        Returns:
            The bearer token.

        Raises:
            AccessTokenError: The platform refused the grant or answered garbage.
        """
        key = token_cache_key(self.record, scopes)
        cached = self._cache.get_token(key)
        if cached is not None and cached.expires_at - EXPIRY_MARGIN > self._clock():
            return cached.access_token
        token = self._request_token(scopes)
        self._cache.set_token(key, token)
        return token.access_token

    def invalidate(self, scopes: Sequence[str]) -> None:
        """Forget the cached token for ``scopes`` (the platform rejected it early)."""
        expired = CachedToken(access_token="", expires_at=self._clock())
        self._cache.set_token(token_cache_key(self.record, scopes), expired)

    def _assertion(self) -> str:
        key = self._keyring.signing_key()
        now = self._clock()
        audience = self.record.auth_audience or self.record.auth_token_url
        payload = {
            "iss": self.record.client_id,
            "sub": self.record.client_id,
            "aud": audience,
            "iat": int(now.timestamp()),
            "exp": int((now + ASSERTION_LIFETIME).timestamp()),
            "jti": secrets.token_urlsafe(16),
        }
        return jwt.encode(
            payload,
            key.private_pem,
            algorithm=SIGNING_ALGORITHM,
            headers={"kid": key.kid},
        )

    def _request_token(self, scopes: Sequence[str]) -> CachedToken:
        url = self.record.auth_token_url
        data = {
            "grant_type": claims.GRANT_TYPE_CLIENT_CREDENTIALS,
            "client_assertion_type": claims.CLIENT_ASSERTION_TYPE_JWT_BEARER,
            "client_assertion": self._assertion(),
            "scope": " ".join(sorted(set(scopes))),
        }
        try:
            response = self._requests_session.post(url, data=data)
        except requests.RequestException as exc:
            raise AccessTokenError(f"token request failed: {exc}", url=url) from exc
        if not response.ok:
            raise AccessTokenError(
                "token request refused",
                status=response.status_code,
                body=response.text,
                url=url,
            )
        try:
            body: Any = response.json()
            access_token = str(body["access_token"])
            expires_in = int(body.get("expires_in") or DEFAULT_EXPIRES_IN)
        except (ValueError, KeyError, TypeError) as exc:
            raise AccessTokenError(
                "token response unusable",
                status=response.status_code,
                body=response.text,
                url=url,
            ) from exc
        return CachedToken(access_token, self._clock() + timedelta(seconds=expires_in))

    def request(
        self,
        scopes: Sequence[str],
        url: str,
        *,
        error_type: type[ServiceError],
        what: str,
        **kwargs: Any,
    ) -> TServiceConnectorResponse:
        """Call a platform service, retrying once with a new token after a 401.

        Args:
            scopes: The token's scope set.
            url: The service URL.
            error_type: The ``ServiceError`` subclass raised on failure.
            what: The operation, for the error message.
            **kwargs: Passed to pylti1p3's ``make_service_request``.

        Returns:
            pylti1p3's response dict (``headers`` and ``body``).

        Raises:
            ServiceError: Of ``error_type``, with the platform's status and body.
        """
        try:
            return self._call(scopes, url, error_type, what, kwargs)
        except ServiceError as exc:
            if exc.status != 401:
                raise
            log.warning("%s: token rejected (401), requesting a new one", what)
            self.invalidate(scopes)
        return self._call(scopes, url, error_type, what, kwargs)

    def _call(
        self,
        scopes: Sequence[str],
        url: str,
        error_type: type[ServiceError],
        what: str,
        kwargs: dict[str, Any],
    ) -> TServiceConnectorResponse:
        with translate_service_errors(error_type, what):
            return self.make_service_request(
                scopes, url, case_insensitive_headers=True, **kwargs
            )
