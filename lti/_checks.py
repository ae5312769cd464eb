"""Required-claim rules of LTI 1.3 core §5.3 per message type."""

from collections.abc import Mapping
from typing import Any

from lti import claims
from lti.errors import LaunchErrorReason, LtiLaunchError


def require_claims(body: Mapping[str, Any], message_type: str) -> None:
    """Check core §5.3 required claims; PII claims (name, email) are never required.

    Args:
        body: The id_token payload.
        message_type: Its message type.

    Raises:
        LtiLaunchError: ``MISSING_CLAIM`` naming the first missing claim.
    """
    required: list[tuple[str, bool]] = [
        ("sub", bool(body.get("sub"))),
        (claims.ROLES, isinstance(body.get(claims.ROLES), list)),
        (claims.TARGET_LINK_URI, bool(body.get(claims.TARGET_LINK_URI))),
    ]
    if message_type == claims.MESSAGE_TYPE_RESOURCE_LINK:
        link = body.get(claims.RESOURCE_LINK)
        required.append(
            (claims.RESOURCE_LINK, isinstance(link, dict) and bool(link.get("id")))
        )
    if message_type == claims.MESSAGE_TYPE_DEEP_LINKING:
        settings = body.get(claims.DL_SETTINGS)
        ok = isinstance(settings, dict) and bool(settings.get("deep_link_return_url"))
        required.append((claims.DL_SETTINGS, ok))
    for name, present in required:
        if not present:
            raise LtiLaunchError(LaunchErrorReason.MISSING_CLAIM, name)
