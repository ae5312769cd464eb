"""Required-claim rules of LTI 1.3 core §5.3 per message type, and the length
limit of its id claims."""

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
    _check_id_lengths(body)


#: Core §5.3.3 (deployment_id), §5.3.5 (resource link id), §5.3.6 (sub) and §5.4.1
#: (context id): "MUST NOT exceed 255 ASCII characters in length".
MAX_ID_LENGTH = 255


def _check_id_lengths(body: Mapping[str, Any]) -> None:
    link, context = body.get(claims.RESOURCE_LINK), body.get(claims.CONTEXT)
    ids = (
        ("sub", body.get("sub")),
        (claims.DEPLOYMENT_ID, body.get(claims.DEPLOYMENT_ID)),
        (
            f"{claims.RESOURCE_LINK} id",
            link.get("id") if isinstance(link, dict) else None,
        ),
        (
            f"{claims.CONTEXT} id",
            context.get("id") if isinstance(context, dict) else None,
        ),
    )
    for name, value in ids:
        if isinstance(value, str) and len(value) > MAX_ID_LENGTH:
            raise LtiLaunchError(
                LaunchErrorReason.INVALID_MESSAGE,
                f"{name} is {len(value)} characters long; LTI 1.3 allows at most "
                f"{MAX_ID_LENGTH}",
            )
