"""The validated launch as a frozen ``LaunchContext`` (LTI 1.3 core §5.3, §5.4)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lti import claims


@dataclass(frozen=True)
class AgsEndpoint:
    """The AGS endpoint claim (AGS 2.0 §3.1): what the tool may do with grades.

    Attributes:
        scopes: The scopes the platform granted.
        lineitems_url: The line items container URL of the context.
        lineitem_url: The line item bound to the launched resource link, if any.
    """

    scopes: tuple[str, ...]
    lineitems_url: str | None = None
    lineitem_url: str | None = None

    @classmethod
    def from_claim(cls, claim: Mapping[str, Any]) -> "AgsEndpoint":
        """Build from the ``AGS_ENDPOINT`` claim value."""
        return cls(
            scopes=tuple(claim.get("scope") or ()),
            lineitems_url=claim.get("lineitems"),
            lineitem_url=claim.get("lineitem"),
        )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class LaunchContext:
    """Everything the hub needs from one validated launch; PII fields are optional.

    Attributes:
        launch_id: Key of the claims once kept (``LaunchValidator.keep_launch``,
            ``load_launch``).
        issuer: The platform issuer.
        client_id: The tool's client id on that platform.
        deployment_id: The deployment id.
        message_type: The LTI message type.
        subject: The platform's user id (``sub``).
        roles: The role URIs.
        target_link_uri: The target link URI.
        resource_link_id: The resource link id (resource link launches).
        resource_link_title: The resource link title, if sent.
        context_id: The context (course) id, if sent.
        context_title: The context title, if sent.
        context_label: The context label, if sent.
        name: Full name, if the platform shares it.
        given_name: Given name, if shared.
        family_name: Family name, if shared.
        email: Email, if shared (never required: Canvas's test student has none).
        custom: Custom parameters.
        ags: The AGS endpoint, if the platform offers it.
        nrps_url: The NRPS context memberships URL, if offered.
        deep_linking_settings: The deep linking settings (deep linking requests).
        claims: The whole validated payload, read-only.
    """

    launch_id: str
    issuer: str
    client_id: str
    deployment_id: str
    message_type: str
    subject: str
    roles: tuple[str, ...]
    target_link_uri: str
    resource_link_id: str | None = None
    resource_link_title: str | None = None
    context_id: str | None = None
    context_title: str | None = None
    context_label: str | None = None
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    custom: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    ags: AgsEndpoint | None = None
    nrps_url: str | None = None
    deep_linking_settings: Mapping[str, Any] | None = None
    claims: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def is_deep_linking(self) -> bool:
        """Whether this is a Deep Linking request."""
        return self.message_type == claims.MESSAGE_TYPE_DEEP_LINKING

    @classmethod
    def from_claims(
        cls, launch_id: str, client_id: str, body: Mapping[str, Any]
    ) -> "LaunchContext":
        """Build from a validated id_token payload.

        Args:
            launch_id: The launch id under which the claims are cached.
            client_id: The client id the launch was validated for.
            body: The validated payload.

        Returns:
            The launch context.
        """
        link = body.get(claims.RESOURCE_LINK) or {}
        context = body.get(claims.CONTEXT) or {}
        ags = body.get(claims.AGS_ENDPOINT)
        nrps = body.get(claims.NRPS_SERVICE) or {}
        settings = body.get(claims.DL_SETTINGS)
        return cls(
            launch_id=launch_id,
            issuer=body["iss"],
            client_id=client_id,
            deployment_id=body[claims.DEPLOYMENT_ID],
            message_type=body[claims.MESSAGE_TYPE],
            subject=body["sub"],
            roles=tuple(body.get(claims.ROLES) or ()),
            target_link_uri=body[claims.TARGET_LINK_URI],
            resource_link_id=_str_or_none(link.get("id")),
            resource_link_title=_str_or_none(link.get("title")),
            context_id=_str_or_none(context.get("id")),
            context_title=_str_or_none(context.get("title")),
            context_label=_str_or_none(context.get("label")),
            name=_str_or_none(body.get("name")),
            given_name=_str_or_none(body.get("given_name")),
            family_name=_str_or_none(body.get("family_name")),
            email=_str_or_none(body.get("email")),
            custom=MappingProxyType(dict(body.get(claims.CUSTOM) or {})),
            ags=AgsEndpoint.from_claim(ags) if isinstance(ags, Mapping) else None,
            nrps_url=_str_or_none(nrps.get("context_memberships_url")),
            deep_linking_settings=(
                MappingProxyType(dict(settings))
                if isinstance(settings, Mapping)
                else None
            ),
            claims=MappingProxyType(dict(body)),
        )
