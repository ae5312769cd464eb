"""Deep Linking 2.0 response (https://www.imsglobal.org/spec/lti-dl/v2p0/).

The tool answers an ``LtiDeepLinkingRequest`` with a signed ``LtiDeepLinkingResponse``
JWT (§4.5) carrying ``ltiResourceLink`` content items (§3.4.2), optionally with a line
item each, posted back to ``deep_link_return_url`` by an auto-submitting form (§4.4.1).
Built on pylti1p3's ``DeepLink``/``DeepLinkResource``; signing goes through the tool
keyring so the JWT carries the ``kid`` the tool publishes.
"""

import html
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import jwt
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem as PyltiLineItem
from pylti1p3.registration import Registration

from lti import claims
from lti.context import LaunchContext
from lti.errors import DeepLinkingError
from lti.keys import SIGNING_ALGORITHM, ToolKeyring
from lti.stores import Clock, utc_now

log = logging.getLogger(__name__)

RESPONSE_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class LineItemSpec:
    """The line item the platform creates with a link (DL §3.4.2.1 ``lineItem``)."""

    score_maximum: float
    label: str | None = None
    resource_id: str | None = None
    tag: str | None = None


@dataclass(frozen=True)
class ResourceLinkItem:
    """One ``ltiResourceLink`` content item (DL §3.4.2)."""

    title: str
    url: str | None = None
    text: str | None = None
    custom: Mapping[str, str] = field(default_factory=dict)
    line_item: LineItemSpec | None = None


@dataclass(frozen=True)
class DeepLinkingResponse:
    """The signed response and the page that posts it back to the platform."""

    return_url: str
    jwt: str
    html: str


def _to_resource(item: ResourceLinkItem, accept_line_item: bool) -> DeepLinkResource:
    resource = DeepLinkResource().set_title(item.title)
    if item.url:
        resource.set_url(item.url)
    if item.custom:
        resource.set_custom_params(dict(item.custom))
    if item.line_item and accept_line_item:
        spec = item.line_item
        line_item = PyltiLineItem().set_score_maximum(spec.score_maximum)
        if spec.label:
            line_item.set_label(spec.label)
        if spec.resource_id:
            line_item.set_resource_id(spec.resource_id)
        if spec.tag:
            line_item.set_tag(spec.tag)
        resource.set_lineitem(line_item)
    elif item.line_item:
        log.warning("platform does not accept line items; dropped for %r", item.title)
    return resource


def _content_item(item: ResourceLinkItem, accept_line_item: bool) -> dict[str, Any]:
    data = _to_resource(item, accept_line_item).to_dict()
    if item.text:
        data["text"] = item.text
    # pylti1p3 emits "url": null and "custom": {} when unset; platforms may reject null.
    return {k: v for k, v in data.items() if v not in (None, {})}


class _HubDeepLink(DeepLink):
    def __init__(
        self, context: LaunchContext, keyring: ToolKeyring, clock: Clock
    ) -> None:
        settings: Any = dict(context.deep_linking_settings or {})
        super().__init__(_registration_for(context), context.deployment_id, settings)
        self._keyring = keyring
        self._clock = clock

    def _generate_nonce(self) -> str:
        return secrets.token_urlsafe(24)

    def get_message_jwt(self, resources: Sequence[Any]) -> dict[str, object]:
        message = super().get_message_jwt([])
        now = self._clock()
        message["iat"] = int(now.timestamp())
        message["exp"] = int((now + RESPONSE_LIFETIME).timestamp())
        message[claims.DL_CONTENT_ITEMS] = list(resources)
        # DL §4.5.4: data must be echoed when the request had it, else omitted.
        if message.get(claims.DL_DATA) is None:
            message.pop(claims.DL_DATA, None)
        return message

    def encode_jwt(self, message: Any) -> str:
        key = self._keyring.signing_key()
        return jwt.encode(
            message,
            key.private_pem,
            algorithm=SIGNING_ALGORITHM,
            headers={"kid": key.kid},
        )


def _registration_for(context: LaunchContext) -> Registration:
    return Registration().set_issuer(context.issuer).set_client_id(context.client_id)


def build_deep_linking_response(
    context: LaunchContext,
    items: Sequence[ResourceLinkItem],
    *,
    keyring: ToolKeyring,
    clock: Clock = utc_now,
) -> DeepLinkingResponse:
    """Sign the Deep Linking response for ``items`` and build its auto-submit page.

    Args:
        context: The validated ``LtiDeepLinkingRequest`` launch.
        items: The chosen resource links (several only if the platform accepts it).
        keyring: The tool keyring; the active key signs.
        clock: Returns the current aware ``datetime``.

    Returns:
        The ``DeepLinkingResponse``.

    Raises:
        DeepLinkingError: Not a deep linking launch, or items the platform does not
            accept (type or multiplicity).
    """
    settings = context.deep_linking_settings
    if not context.is_deep_linking or settings is None:
        raise DeepLinkingError("the launch is not a deep linking request")
    accept_types = settings.get("accept_types") or []
    if items and claims.DL_CONTENT_TYPE_RESOURCE_LINK not in accept_types:
        raise DeepLinkingError("the platform does not accept ltiResourceLink items")
    if len(items) > 1 and not accepts_multiple(context):
        raise DeepLinkingError("the platform accepts a single item only")
    accept_line_item = str(settings.get("accept_lineitem", True)).lower() != "false"
    deep_link = _HubDeepLink(context, keyring, clock)
    token = deep_link.get_response_jwt(
        [_content_item(item, accept_line_item) for item in items]  # type: ignore[misc]
    )
    return_url = str(settings["deep_link_return_url"])
    return DeepLinkingResponse(return_url, token, response_form_html(return_url, token))


def accepts_multiple(context: LaunchContext) -> bool:
    """Whether the platform takes several items in one response (DL §4.4.1).

    ``accept_multiple`` is optional and has no stated default, so only an explicit
    true (a boolean or the string ``"true"``) allows a multiple selection.
    """
    settings = context.deep_linking_settings or {}
    return str(settings.get("accept_multiple", False)).lower() == "true"


def response_form_html(return_url: str, token: str) -> str:
    """Return a page that POSTs ``JWT`` to the platform's return URL (DL §4.5).

    Args:
        return_url: The ``deep_link_return_url``.
        token: The signed response JWT.

    Returns:
        The HTML document.
    """
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Returning to the course</title></head><body>"
        f'<form id="lti-dl" method="post" action="{html.escape(return_url)}">'
        f'<input type="hidden" name="JWT" value="{html.escape(token)}">'
        '<noscript><button type="submit">Continue</button></noscript></form>'
        '<script>document.getElementById("lti-dl").submit();</script></body></html>'
    )
