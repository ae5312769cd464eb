"""The LTI tool's wiring: what lives per process (HTTP session, platform JWKS cache)
and what is built per unit of work over its session (stores, validator, keyring)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from hub.config import Settings
from hub.errors import ConflictError
from hub.services.lti_stores import (
    SqlKeyStore,
    SqlLaunchDataStore,
    SqlNonceStore,
    cached_registrations,
)
from lti import (
    KeyStatus,
    LaunchValidator,
    PlatformKeySets,
    ToolInfo,
    ToolKeyring,
    build_session,
    rotate_keys,
)
from lti.http import TimeoutSession

LOGIN_PATH = "/lti/login"
LAUNCH_PATH = "/lti/launch"
DEEP_LINKING_PATH = "/lti/deep-link"
JWKS_PATH = "/lti/jwks.json"
STORAGE_CHECK_PATH = "/lti/launch/check"
REGISTER_PATH = "/lti/register"


def encryption_key(settings: Settings) -> bytes:
    """The Fernet key for tool private keys.

    Raises:
        ConflictError: In production without ``HUB_LTI__KEY_ENCRYPTION_KEY``: a key
            derived from the session secret would tie both secrets together.
    """
    if settings.lti.key_encryption_key:
        return settings.lti.key_encryption_key.encode("ascii")
    if settings.is_production:
        raise ConflictError(
            "HUB_LTI__KEY_ENCRYPTION_KEY must be set (a Fernet key) to use LTI in "
            "production"
        )
    digest = hashlib.sha256(b"lti-key-encryption:" + settings.secret_key.encode())
    return base64.urlsafe_b64encode(digest.digest())


@dataclass
class LtiTool:
    """The per-process part of the tool (kept in ``app.extensions["hub.lti"]``)."""

    settings: Settings
    http: TimeoutSession
    key_sets: PlatformKeySets

    @property
    def info(self) -> ToolInfo:
        """The tool's URLs and name, as platforms see them."""
        base = self.settings.base_url.rstrip("/")
        return ToolInfo(
            title=self.settings.lti.tool_title,
            description=self.settings.lti.tool_description,
            login_url=base + LOGIN_PATH,
            launch_url=base + LAUNCH_PATH,
            jwks_url=base + JWKS_PATH,
            deep_linking_url=base + DEEP_LINKING_PATH,
        )

    @property
    def storage_check_url(self) -> str:
        return self.settings.base_url.rstrip("/") + STORAGE_CHECK_PATH

    @property
    def registration_url(self) -> str:
        return self.settings.base_url.rstrip("/") + REGISTER_PATH

    def keyring(self, session: Session) -> ToolKeyring:
        """The tool keyring over the database key store."""
        return ToolKeyring(SqlKeyStore(session), encryption_key(self.settings))

    def validator(self, session: Session) -> LaunchValidator:
        """A launch validator over this unit of work's stores."""
        return LaunchValidator(
            registrations=cached_registrations(session),
            nonces=SqlNonceStore(session),
            launch_data=SqlLaunchDataStore(session),
            key_sets=self.key_sets,
            session=self.http,
        )


def build_tool(settings: Settings) -> LtiTool:
    """Build the per-process tool; no network call happens here."""
    http = build_session()
    return LtiTool(settings=settings, http=http, key_sets=PlatformKeySets(http))


def ensure_signing_key(keyring: ToolKeyring) -> None:
    """Create the first key pair when there is none (the first JWKS or signature)."""
    if not keyring.keys_with_status(KeyStatus.ACTIVE):
        rotate_keys(keyring)
