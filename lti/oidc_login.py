"""Third-party initiated login (LTI 1.3 core §4.1; Security Framework 1.0 §5.1.1).

Built on pylti1p3's ``OIDCLogin`` through its service extension points: the cookie and
session services record the state and nonce it generates, and this module adds what
pylti1p3 2.0.0 lacks: a server-side state record, ``target_link_uri`` checking, and the
client-side postMessage storage flow (``lti_storage_target``) with a cookie fallback.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pylti1p3.cookie import CookieService
from pylti1p3.exception import OIDCException
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request
from pylti1p3.session import SessionService

from lti import _state, platform_storage
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


class _ParamsRequest(Request):
    def __init__(self, params: Mapping[str, str]) -> None:
        self._params = params

    @property
    def session(self) -> dict[str, Any]:
        return {}

    def is_secure(self) -> bool:
        return True

    def get_param(self, key: str) -> str:
        return self._params.get(key) or ""


class _RecordingCookies(CookieService):
    def __init__(self) -> None:
        self.state: str | None = None

    def get_cookie(self, name: str) -> str | None:
        return None

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        # pylti1p3 sets exactly one cookie at login: the state, named by its value.
        self.state = str(value)


class _RecordingSession(SessionService):
    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.nonce: str | None = None

    def save_nonce(self, nonce: str) -> None:
        self.nonce = nonce


class _UrlRedirect(Redirect[str]):
    def __init__(self, url: str) -> None:
        self._url = url

    def do_redirect(self) -> str:
        return self._url

    def do_js_redirect(self) -> str:
        return self._url

    def set_redirect_url(self, location: str) -> None:
        self._url = location

    def get_redirect_url(self) -> str:
        return self._url


class _HubOIDCLogin(OIDCLogin):
    def get_redirect(self, url: str) -> Redirect[str]:
        return _UrlRedirect(url)

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
    record = registrations.find_registration(params["iss"], params.get("client_id"))
    if record is None:
        raise LtiLaunchError(LaunchErrorReason.UNKNOWN_REGISTRATION, params["iss"])
    request = _ParamsRequest(params)
    cookies = _RecordingCookies()
    session = _RecordingSession(request)
    login = _HubOIDCLogin(request, StoreToolConf(registrations), session, cookies)
    try:
        auth_url = login.get_redirect_object(launch_url).get_redirect_url()
    except OIDCException as exc:  # translated once, at the boundary
        raise LtiLaunchError(LaunchErrorReason.UNKNOWN_REGISTRATION, str(exc)) from exc
    assert cookies.state is not None and session.nonce is not None
    login_state = _state.LoginState(
        state=cookies.state,
        nonce=session.nonce,
        issuer=record.issuer,
        client_id=record.client_id,
        target_link_uri=target,
        platform_origin=_state.origin_of(record.auth_login_url),
        storage_target=params.get(STORAGE_TARGET_PARAM) or None,
    )
    launch_data.put(
        _state.state_key(login_state.state),
        login_state.to_record(),
        clock() + _state.STATE_TTL,
    )
    return LoginResponse(
        auth_url=auth_url,
        html=_login_page(params, login_state, auth_url, login_url),
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


def _login_page(
    params: Mapping[str, str],
    login_state: _state.LoginState,
    auth_url: str,
    login_url: str,
) -> str | None:
    if params.get(NEW_WINDOW_PARAM):
        return None  # a first-party window: cookies work, a plain redirect will do
    query = {name: params[name] for name in LOGIN_PARAMS if params.get(name)}
    query[NEW_WINDOW_PARAM] = "1"
    new_window_url = f"{login_url}?{urlencode(query)}"
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
