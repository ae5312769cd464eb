"""LTI Dynamic Registration 1.0 (https://www.imsglobal.org/spec/lti-dr/v1p0/).

The platform opens the tool's registration URL with ``openid_configuration`` and an
optional ``registration_token`` (§3.3). The tool fetches and validates the platform's
OpenID configuration (§3.4, §3.5.1), POSTs its client registration (§3.5.2,
§3.5.3, OpenID Connect Dynamic Client Registration 1.0 §2) and reads the client id and
deployment id from the answer (§3.6). A closing page then tells the platform window it
may close (§3.7). pylti1p3 2.0.0 has no dynamic registration at all.
"""

import json
import logging
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from lti import claims
from lti._state import origin_of
from lti.errors import RegistrationError
from lti.http import TimeoutSession
from lti.stores import PlatformRegistration
from lti.tool_info import ToolInfo

log = logging.getLogger(__name__)

REQUIRED_CONFIGURATION = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "registration_endpoint",
)
#: OIDC standard claims the tool would like; none is required for a launch.
REQUESTED_CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email")


def fetch_platform_configuration(
    session: TimeoutSession,
    openid_configuration_url: str,
    registration_token: str | None,
    *,
    allow_insecure: bool = False,
    trusted_issuers: Collection[str] = (),
) -> dict[str, Any]:
    """Fetch and validate the platform's OpenID configuration.

    Args:
        session: The HTTP session with timeouts.
        openid_configuration_url: The ``openid_configuration`` query parameter.
        registration_token: The ``registration_token``, sent as a bearer token
            (platforms such as Moodle protect the configuration with it).
        allow_insecure: Accept ``http`` URLs (local development only).
        trusted_issuers: Issuers an admin trusts although they do not match the
            configuration URL (Canvas cloud serves every instance's configuration
            for the single issuer ``https://canvas.instructure.com``).

    Returns:
        The configuration document.

    Raises:
        RegistrationError: Unreachable, not JSON, missing fields, or an issuer that
            does not match the configuration URL.
    """
    _check_scheme(openid_configuration_url, allow_insecure)
    headers = {"Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    config = _json_call(session, "GET", openid_configuration_url, headers=headers)
    missing = [name for name in REQUIRED_CONFIGURATION if not config.get(name)]
    if missing:
        raise RegistrationError(f"platform configuration lacks {', '.join(missing)}")
    if config["issuer"] not in trusted_issuers:
        _check_issuer(str(config["issuer"]), openid_configuration_url)
    for name in REQUIRED_CONFIGURATION[1:]:
        _check_scheme(str(config[name]), allow_insecure)
    algs = config.get("id_token_signing_alg_values_supported")
    if algs is not None and "RS256" not in algs:
        raise RegistrationError("platform does not sign id_tokens with RS256")
    methods = config.get("token_endpoint_auth_methods_supported")
    if methods is not None and "private_key_jwt" not in methods:
        raise RegistrationError(
            "platform token endpoint does not accept private_key_jwt"
        )
    return config


def _check_scheme(url: str, allow_insecure: bool) -> None:
    scheme = urlsplit(url).scheme
    if scheme != "https" and not (allow_insecure and scheme == "http"):
        raise RegistrationError(f"not an https URL: {url}")


def _check_issuer(issuer: str, configuration_url: str) -> None:
    # DR §3.5.1: the issuer must match the openid_configuration URL: same origin, and
    # for an issuer with a path (a platform under a sub-path), a prefix of the URL.
    issuer_parts = urlsplit(issuer)
    same_origin = origin_of(issuer) == origin_of(configuration_url)
    prefix_ok = configuration_url.startswith(issuer.rstrip("/") + "/")
    if not same_origin or (issuer_parts.path.strip("/") and not prefix_ok):
        raise RegistrationError(
            f"issuer {issuer} does not match configuration URL {configuration_url}"
        )


def registration_request(tool: ToolInfo, config: Mapping[str, Any]) -> dict[str, Any]:
    """Return the client registration document the tool POSTs (DR §3.5.2).

    Scopes the platform does not list in ``scopes_supported`` are left out.
    """
    supported = config.get("scopes_supported")
    scopes = [s for s in tool.scopes if supported is None or s in supported]
    document: dict[str, Any] = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login_url,
        "redirect_uris": list(tool.redirect_uris),
        "client_name": tool.title,
        "jwks_uri": tool.jwks_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        claims.DR_TOOL_CONFIGURATION: {
            "domain": tool.domain,
            "description": tool.description or tool.title,
            "target_link_uri": tool.launch_url,
            "claims": list(REQUESTED_CLAIMS),
            "messages": [
                {
                    "type": claims.MESSAGE_TYPE_DEEP_LINKING,
                    "target_link_uri": tool.deep_linking_url,
                    "label": tool.title,
                },
                {"type": claims.MESSAGE_TYPE_RESOURCE_LINK},
            ],
        },
    }
    if tool.logo_url:
        document["logo_uri"] = tool.logo_url
    if tool.contact_email:
        document["contacts"] = [tool.contact_email]
    return document


def register_with_platform(
    session: TimeoutSession,
    openid_configuration_url: str,
    registration_token: str | None,
    *,
    tool: ToolInfo,
    allow_insecure: bool = False,
    trusted_issuers: Collection[str] = (),
) -> PlatformRegistration:
    """Run the whole registration and return the record to store.

    Args:
        session: The HTTP session with timeouts.
        openid_configuration_url: The ``openid_configuration`` query parameter.
        registration_token: The ``registration_token`` query parameter, if any.
        tool: The tool's URLs, name and scopes.
        allow_insecure: Accept ``http`` URLs (local development only).
        trusted_issuers: See ``fetch_platform_configuration``.

    Returns:
        The ``PlatformRegistration`` (save it with ``RegistrationStore``).

    Raises:
        RegistrationError: Any step failed; ``status`` and ``body`` carry the
            platform's answer when it gave one.
    """
    config = fetch_platform_configuration(
        session,
        openid_configuration_url,
        registration_token,
        allow_insecure=allow_insecure,
        trusted_issuers=trusted_issuers,
    )
    answer = _post_registration(session, config, registration_token, tool)
    client_id = answer.get("client_id")
    if not client_id:
        raise RegistrationError(
            "registration answer has no client_id", body=str(answer)
        )
    tool_config = answer.get(claims.DR_TOOL_CONFIGURATION) or {}
    deployment_id = tool_config.get("deployment_id")
    return PlatformRegistration(
        issuer=str(config["issuer"]),
        client_id=str(client_id),
        auth_login_url=str(config["authorization_endpoint"]),
        auth_token_url=str(config["token_endpoint"]),
        jwks_url=str(config["jwks_uri"]),
        deployment_ids=(str(deployment_id),) if deployment_id else (),
        auth_audience=config.get("authorization_server"),
    )


def _post_registration(
    session: TimeoutSession,
    config: Mapping[str, Any],
    registration_token: str | None,
    tool: ToolInfo,
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    return _json_call(
        session,
        "POST",
        str(config["registration_endpoint"]),
        headers=headers,
        data=json.dumps(registration_request(tool, config)),
    )


def _json_call(
    session: TimeoutSession, method: str, url: str, **kwargs: Any
) -> dict[str, Any]:
    try:
        response = session.request(method, url, **kwargs)
    except requests.RequestException as exc:
        raise RegistrationError(f"{method} {url} failed: {exc}") from exc
    if not response.ok:
        raise RegistrationError(
            f"{method} {url} answered {response.status_code}",
            status=response.status_code,
            body=response.text,
        )
    try:
        body = response.json()
    except ValueError as exc:
        raise RegistrationError(
            f"{method} {url} did not answer JSON",
            status=response.status_code,
            body=response.text,
        ) from exc
    if not isinstance(body, dict):
        raise RegistrationError(
            f"{method} {url} did not answer an object", body=response.text
        )
    return body


def close_page_html() -> str:
    """Return the page that ends registration (DR §3.7).

    It posts ``{subject: "org.imsglobal.lti.close"}`` to the window that opened the
    registration (``window.opener`` or ``window.parent``) with target origin ``*``.
    """
    message = json.dumps({"subject": claims.DR_CLOSE_SUBJECT})
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Registration complete</title></head><body>"
        "<p>The tool is registered. You can close this window.</p>"
        f"<script>(window.opener || window.parent).postMessage({message}, '*');"
        "</script></body></html>"
    )
