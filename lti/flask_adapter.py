"""Flask glue for the hub's LTI blueprint: parameters in, responses and cookies out.

The only module of ``lti`` that imports Flask (STYLE.md A). Views stay thin: they call
``request_params``/``request_cookies``, one ``lti`` function, then one helper here.
"""

import html
import logging
from collections.abc import Mapping

from flask import Request, Response, jsonify, redirect

from lti._state import cookie_name
from lti.deep_linking import DeepLinkingResponse
from lti.errors import LaunchErrorReason, LtiLaunchError
from lti.launch import PendingLaunch
from lti.oidc_login import LoginResponse

log = logging.getLogger(__name__)

R = LaunchErrorReason
#: What the learner sees; the reason code goes to the log and the page footer.
LAUNCH_ERROR_TEXT: Mapping[LaunchErrorReason, str] = {
    R.STATE_UNKNOWN: "This launch has expired or was already used. "
    "Please launch the tool again from your course.",
    R.STATE_NOT_BOUND: "Your browser blocked the cookies this launch needs. "
    "Please launch the tool again; choose “Open in a new window” if offered.",
    R.UNKNOWN_REGISTRATION: "This platform is not registered with the tool.",
    R.UNKNOWN_DEPLOYMENT: "This deployment of the tool is not registered yet. "
    "Please ask your administrator to add it.",
    R.EXPIRED: "The launch took too long. Please launch the tool again.",
    R.ISSUED_IN_FUTURE: "The platform's clock and the tool's disagree. "
    "Please try again in a minute.",
    R.JWKS_UNAVAILABLE: "The platform's keys could not be fetched. Please try again.",
}
DEFAULT_ERROR_TEXT = "The launch could not be verified. Please launch the tool again."


def request_params(request: Request) -> dict[str, str]:
    """Return query and form parameters merged (login initiation is GET or POST)."""
    params = dict(request.args.items())
    params.update(request.form.items())
    return params


def request_cookies(request: Request) -> dict[str, str]:
    """Return the request's cookies as a plain dict."""
    return dict(request.cookies.items())


def html_response(body: str, status: int = 200) -> Response:
    """Return an uncached HTML response (pages embedding states must not be cached)."""
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def login_response(result: LoginResponse) -> Response:
    """Turn ``initiate_login``'s result into a redirect or page with the state cookie.

    The cookie is ``Secure; HttpOnly; SameSite=None`` so it is sent on the platform's
    cross-site form POST to the launch URL, and ``Partitioned`` (CHIPS) so browsers
    that block third-party cookies still keep it for the platform's iframe, where the
    login and the launch happen under the same top-level site.
    """
    if result.html is None:
        response = redirect(result.auth_url, code=302)
        response.headers["Cache-Control"] = "no-store"
    else:
        response = html_response(result.html)
    for cookie in result.cookies:
        response.set_cookie(
            cookie.name,
            cookie.value,
            max_age=cookie.max_age,
            secure=True,
            httponly=True,
            samesite="None",
            partitioned=True,
            path="/",
        )
    return response


def pending_launch_response(pending: PendingLaunch) -> Response:
    """Return the platform-storage check page of a ``PendingLaunch``."""
    return html_response(pending.html)


def clear_state_cookie(response: Response, state: str) -> Response:
    """Delete the state cookie once the launch is complete."""
    response.delete_cookie(
        cookie_name(state),
        path="/",
        secure=True,
        httponly=True,
        samesite="None",
        partitioned=True,
    )
    return response


def deep_linking_response(result: DeepLinkingResponse) -> Response:
    """Return the auto-submitting form that posts the Deep Linking JWT."""
    return html_response(result.html)


def jwks_response(jwks: Mapping[str, object], *, max_age: int = 300) -> Response:
    """Return the tool's JWK Set, cacheable for ``max_age`` seconds."""
    response = jsonify(jwks)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


def launch_error_response(error: LtiLaunchError) -> Response:
    """Log the rejection reason at WARNING and return a clear page, no stack trace.

    Args:
        error: The rejection.

    Returns:
        A 400 (or 401 for signature and token problems) HTML response.
    """
    log.warning("LTI launch rejected: %s (%s)", error.reason.value, error.detail)
    text = LAUNCH_ERROR_TEXT.get(error.reason, DEFAULT_ERROR_TEXT)
    status = 400 if error.reason in LAUNCH_ERROR_TEXT else 401
    body = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Launch failed</title></head><body><h1>Launch failed</h1>"
        f"<p>{html.escape(text)}</p><p><small>Reason: "
        f"{html.escape(error.reason.value)}</small></p></body></html>"
    )
    return html_response(body, status=status)
