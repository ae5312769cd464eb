"""Third-party initiated login (LTI 1.3 core §4.1; Security Framework 1.0 §5.1.1).

Built on pylti1p3's ``OIDCLogin`` through its service extension points: the cookie and
session services record the state and nonce it generates, and this module adds what
pylti1p3 2.0.0 lacks: a server-side state record, ``target_link_uri`` checking, and the
client-side postMessage storage flow (``lti_storage_target``) with a cookie fallback.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from pylti1p3.exception import OIDCException
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect

from lti import _state, platform_storage
from lti._pylti import ParamsRequest, RecordingCookies, RecordingSession, UrlRedirect
from lti.errors import LaunchErrorReason, LtiLaunchError
from lti.stores import Clock, LaunchDataStore, RegistrationStore, utc_now
from lti.tool_config import StoreToolConf

NEW_WINDOW_PARAM = "lti1p3_new_window"
STORAGE_TARGET_PARAM = "lti_storage_target"
#: Security §5.1.1.1: the login initiation parameters a platform may send.
LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "lti_deployment_id",
    "client_id",
)


@dataclass(frozen=True)
class CookieToSet:
    """A cookie the web layer must set (``Secure``, ``HttpOnly``, ``SameSite=None``)."""

    name: str
    value: str
    max_age: int


@dataclass(frozen=True)
class LoginResponse:
    """What to answer a login initiation with.

    Attributes:
        auth_url: The platform's OIDC authentication request URL.
        html: A page to render, or ``None`` to answer with a 302 to ``auth_url``.
        cookies: Cookies to set on the response.
        state: The state generated for this login.
        nonce: The nonce generated for this login.
    """

    auth_url: str
    html: str | None
    cookies: tuple[CookieToSet, ...]
    state: str
    nonce: str


class _HubOIDCLogin(OIDCLogin):
    def get_redirect(self, url: str) -> Redirect[str]:
        return UrlRedirect(url)

    def auth_login_url(self) -> str:
        return str(self._registration.get_auth_login_url())

    def _get_uuid(self) -> str:
        return secrets.token_urlsafe(24)

    def _generate_nonce(self) -> str:
        # pylti1p3 mixes in uuid1 (host MAC and time); a CSPRNG value is enough.
        return secrets.token_urlsafe(32)


def initiate_login(
    params: Mapping[str, str],
    *,
    registrations: RegistrationStore,
    launch_data: LaunchDataStore,
    launch_url: str,
    login_url: str,
    clock: Clock = utc_now,
) -> LoginResponse:
    """Answer a third-party initiated login (GET or POST parameters alike).

    Args:
        params: The login initiation parameters (query string or form).
        registrations: The registration store.
        launch_data: Where the state record is kept until the launch.
        launch_url: The tool's redirect URI registered with the platform.
        login_url: This login initiation URL (for the "new window" fallback).
        clock: Returns the current aware ``datetime``.

    Returns:
        The ``LoginResponse`` to render.

    Raises:
        LtiLaunchError: A required parameter is missing, the issuer/client is not
            registered, or ``target_link_uri`` is not one of the tool's URLs.
    """
    for name in ("iss", "login_hint", "target_link_uri"):
        if not params.get(name):
            raise LtiLaunchError(LaunchErrorReason.MISSING_PARAMETER, name)
    target = params["target_link_uri"]
    # Security §5.1.1.1: the tool must only redirect to its own target link URIs.
    if _state.origin_of(target) != _state.origin_of(launch_url):
        raise LtiLaunchError(LaunchErrorReason.INVALID_TARGET_LINK_URI, target)
    auth_url, login_state = _auth_request(params, registrations, launch_url)
    login_state = replace(
        login_state, new_window_url=_new_window_url(params, login_url)
    )
    launch_data.put(
        _state.state_key(login_state.state),
        login_state.to_record(),
        clock() + _state.STATE_TTL,
    )
    return LoginResponse(
        auth_url=auth_url,
        html=_login_page(login_state, auth_url),
        cookies=(
            CookieToSet(
                name=_state.cookie_name(login_state.state),
                value=login_state.state,
                max_age=int(_state.STATE_TTL.total_seconds()),
            ),
        ),
        state=login_state.state,
        nonce=login_state.nonce,
    )


def _auth_request(
    params: Mapping[str, str], registrations: RegistrationStore, launch_url: str
) -> tuple[str, _state.LoginState]:
    """Let pylti1p3 build the OIDC auth request and capture its state and nonce."""
    request = ParamsRequest(params)
    cookies = RecordingCookies()
    session = RecordingSession(request)
    login = _HubOIDCLogin(request, StoreToolConf(registrations), session, cookies)
    try:
        auth_url = login.get_redirect_object(launch_url).get_redirect_url()
    except OIDCException as exc:  # translated once, at the boundary
        raise LtiLaunchError(LaunchErrorReason.UNKNOWN_REGISTRATION, str(exc)) from exc
    assert cookies.state is not None and session.nonce is not None
    login_state = _state.LoginState(
        state=cookies.state,
        nonce=session.nonce,
        issuer=str(login.get_iss()),
        client_id=str(login.get_client_id()),
        target_link_uri=params["target_link_uri"],
        platform_origin=_state.origin_of(login.auth_login_url()),
        storage_target=params.get(STORAGE_TARGET_PARAM) or None,
    )
    return auth_url, login_state


def _new_window_url(params: Mapping[str, str], login_url: str) -> str | None:
    """The same login initiation, marked to run in a first-party window."""
    if params.get(NEW_WINDOW_PARAM):
        return None  # already one: cookies work, a plain redirect will do
    query = {name: params[name] for name in LOGIN_PARAMS if params.get(name)}
    query[NEW_WINDOW_PARAM] = "1"
    return f"{login_url}?{urlencode(query)}"


def _login_page(login_state: _state.LoginState, auth_url: str) -> str | None:
    new_window_url = login_state.new_window_url
    if new_window_url is None:
        return None
    if login_state.storage_target:
        return platform_storage.storage_login_page(
            auth_url=auth_url,
            state=login_state.state,
            nonce=login_state.nonce,
            storage_target=login_state.storage_target,
            platform_origin=login_state.platform_origin,
            new_window_url=new_window_url,
        )
    return platform_storage.cookie_login_page(
        auth_url=auth_url, new_window_url=new_window_url
    )
