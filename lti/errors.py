"""Errors of the LTI tool layer, each with a machine-readable reason or status."""

import enum
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from pylti1p3.exception import LtiServiceException


class LtiError(Exception):
    """Base class of every error raised by ``lti``."""


class LaunchErrorReason(enum.Enum):
    """Why a launch (login initiation or id_token) was rejected."""

    MISSING_PARAMETER = "missing_parameter"
    MALFORMED_TOKEN = "malformed_token"  # noqa: S105 (a reason code, not a secret)
    UNKNOWN_REGISTRATION = "unknown_registration"
    DISALLOWED_ALGORITHM = "disallowed_algorithm"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    WRONG_ISSUER = "wrong_issuer"
    WRONG_AUDIENCE = "wrong_audience"
    WRONG_AZP = "wrong_azp"
    EXPIRED = "expired"
    ISSUED_IN_FUTURE = "issued_in_future"
    NONCE_MISMATCH = "nonce_mismatch"
    NONCE_REPLAYED = "nonce_replayed"
    STATE_UNKNOWN = "state_unknown"
    STATE_NOT_BOUND = "state_not_bound"
    INVALID_TARGET_LINK_URI = "invalid_target_link_uri"
    UNKNOWN_DEPLOYMENT = "unknown_deployment"
    WRONG_MESSAGE_TYPE = "wrong_message_type"
    WRONG_VERSION = "wrong_version"
    MISSING_CLAIM = "missing_claim"
    INVALID_MESSAGE = "invalid_message"
    JWKS_UNAVAILABLE = "jwks_unavailable"


class LtiLaunchError(LtiError):
    """A launch was rejected; ``reason`` says why, ``detail`` says what was seen.

    Args:
        reason: The machine-readable rejection reason.
        detail: A short human-readable detail, safe to log (never a token).
    """

    def __init__(self, reason: LaunchErrorReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


class JwksFetchError(LtiError):
    """The platform's JWKS could not be fetched or parsed."""


class KeyStoreError(LtiError):
    """The tool's key store holds no usable key, or a key cannot be decrypted."""


class ServiceError(LtiError):
    """A platform service (token, AGS, NRPS) call failed.

    Args:
        message: What was attempted.
        status: The HTTP status the platform answered, if it answered.
        body: The platform's response body (truncated), for the outbox to show.
        url: The URL that was called.
    """

    def __init__(
        self, message: str, *, status: int | None = None, body: str = "", url: str = ""
    ) -> None:
        super().__init__(f"{message} [{status}] {url}".rstrip())
        self.status = status
        self.body = body[:2000]
        self.url = url

    @property
    def retryable(self) -> bool:
        """Whether a later retry may succeed (no answer, 408, 429 or a 5xx)."""
        return self.status is None or self.status in (408, 429) or self.status >= 500


class AccessTokenError(ServiceError):
    """The platform's token endpoint refused the client credentials grant."""


class AgsError(ServiceError):
    """An Assignment and Grade Services call failed."""


class NrpsError(ServiceError):
    """A Names and Role Provisioning Services call failed or gave an unusable page."""


class DeepLinkingError(LtiError):
    """A deep linking response cannot be built from the given launch or items."""


class RegistrationError(LtiError):
    """Dynamic registration failed; ``status`` and ``body`` carry the platform's answer.

    Args:
        message: What went wrong.
        status: The HTTP status the platform answered, if any.
        body: The platform's response body (truncated).
    """

    def __init__(
        self, message: str, *, status: int | None = None, body: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body[:2000]


@contextmanager
def translate_service_errors(
    error_type: type[ServiceError], what: str
) -> Iterator[None]:
    """Translate pylti1p3's free-text service exceptions into ``error_type`` once.

    Args:
        error_type: The ``ServiceError`` subclass to raise.
        what: The operation, used as the error message.

    Yields:
        Nothing; the body runs inside the translation.

    Raises:
        ServiceError: Of ``error_type``, carrying the platform's status and body.
    """
    try:
        yield
    except LtiServiceException as exc:
        response = exc.response
        raise error_type(
            what, status=response.status_code, body=response.text, url=str(response.url)
        ) from exc
    except requests.RequestException as exc:
        raise error_type(f"{what}: {exc}") from exc
