"""LTI 1.3 Advantage tool layer on pylti1p3; storage only through ``lti.stores``."""

from lti.access_token import PlatformServiceConnector
from lti.ags import AgsClient, LineItem, Result, Score
from lti.canvas import canvas_developer_key_config
from lti.context import AgsEndpoint, LaunchContext
from lti.deep_linking import (
    DeepLinkingResponse,
    LineItemSpec,
    ResourceLinkItem,
    accepts_multiple,
    build_deep_linking_response,
)
from lti.dynamic_registration import close_page_html, register_with_platform
from lti.errors import (
    AccessTokenError,
    AgsError,
    DeepLinkingError,
    JwksFetchError,
    KeyStoreError,
    LaunchErrorReason,
    LtiError,
    LtiLaunchError,
    NrpsError,
    RegistrationError,
    ServiceError,
)
from lti.http import build_session
from lti.jwks import PlatformKeySets
from lti.keys import RotationStep, ToolKeyring, rotate_keys
from lti.launch import LaunchValidator, PendingLaunch
from lti.nrps import Member, MembershipChanges, NrpsClient, Roster, membership_changes
from lti.oidc_login import CookieToSet, LoginResponse, initiate_login
from lti.roles import HubRole, map_roles
from lti.stores import (
    AccessTokenCache,
    CachedToken,
    KeyStatus,
    KeyStore,
    LaunchDataStore,
    NonceStore,
    PlatformRegistration,
    RegistrationCache,
    RegistrationStore,
    StoredKey,
)
from lti.tool_info import ToolInfo

__all__ = [
    "AccessTokenCache",
    "AccessTokenError",
    "AgsClient",
    "AgsEndpoint",
    "AgsError",
    "CachedToken",
    "CookieToSet",
    "DeepLinkingError",
    "DeepLinkingResponse",
    "HubRole",
    "JwksFetchError",
    "KeyStatus",
    "KeyStore",
    "KeyStoreError",
    "LaunchContext",
    "LaunchDataStore",
    "LaunchErrorReason",
    "LaunchValidator",
    "LineItem",
    "LineItemSpec",
    "LoginResponse",
    "LtiError",
    "LtiLaunchError",
    "Member",
    "MembershipChanges",
    "NonceStore",
    "NrpsClient",
    "NrpsError",
    "PendingLaunch",
    "PlatformKeySets",
    "PlatformRegistration",
    "PlatformServiceConnector",
    "RegistrationCache",
    "RegistrationError",
    "RegistrationStore",
    "ResourceLinkItem",
    "Result",
    "Roster",
    "RotationStep",
    "Score",
    "ServiceError",
    "StoredKey",
    "ToolInfo",
    "ToolKeyring",
    "accepts_multiple",
    "build_deep_linking_response",
    "build_session",
    "canvas_developer_key_config",
    "close_page_html",
    "initiate_login",
    "map_roles",
    "membership_changes",
    "register_with_platform",
    "rotate_keys",
]
