import logging

import pytest
from flask import Flask

from lti.deep_linking import DeepLinkingResponse
from lti.errors import LaunchErrorReason as R
from lti.errors import LtiLaunchError
from lti.flask_adapter import (
    clear_state_cookie,
    deep_linking_response,
    html_response,
    jwks_response,
    launch_error_response,
    login_response,
    pending_launch_response,
    request_cookies,
    request_params,
)
from lti.launch import PendingLaunch
from lti.oidc_login import CookieToSet, LoginResponse


@pytest.fixture
def app():
    return Flask("lti-adapter-test")


def _login(html):
    cookie = CookieToSet("lti1p3-state-s1", "s1", 600)
    return LoginResponse("https://p/auth?x=1", html, (cookie,), "s1", "n1")


def test_request_params_merge_query_and_form(app):
    with app.test_request_context(
        "/login?iss=a&login_hint=q", method="POST", data={"login_hint": "f", "x": "1"}
    ) as ctx:
        assert request_params(ctx.request) == {"iss": "a", "login_hint": "f", "x": "1"}


def test_request_cookies_plain_dict(app):
    with app.test_request_context("/", headers={"Cookie": "a=1; b=2"}) as ctx:
        assert request_cookies(ctx.request) == {"a": "1", "b": "2"}


def test_login_response_redirect_sets_cross_site_state_cookie(app):
    with app.test_request_context("/"):
        response = login_response(_login(None))
    assert response.status_code == 302
    assert response.headers["Location"] == "https://p/auth?x=1"
    cookie = response.headers["Set-Cookie"]
    for part in (
        "lti1p3-state-s1=s1",
        "Secure",
        "HttpOnly",
        "SameSite=None",
        "Max-Age=600",
    ):
        assert part in cookie


def test_login_response_page_uncached_with_cookie(app):
    with app.test_request_context("/"):
        response = login_response(_login("<p>page</p>"))
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "<p>page</p>"
    assert response.headers["Cache-Control"] == "no-store"
    assert "lti1p3-state-s1=s1" in response.headers["Set-Cookie"]


def test_pending_and_deep_linking_pages_are_html(app):
    with app.test_request_context("/"):
        pending = pending_launch_response(PendingLaunch("L", "<p>check</p>"))
        dl = deep_linking_response(DeepLinkingResponse("https://p/r", "jwt", "<form>"))
    assert pending.mimetype == dl.mimetype == "text/html"
    assert pending.get_data(as_text=True) == "<p>check</p>"
    assert dl.get_data(as_text=True) == "<form>"


def test_clear_state_cookie_expires_it(app):
    with app.test_request_context("/"):
        response = clear_state_cookie(html_response("ok"), "s1")
    cookie = response.headers["Set-Cookie"]
    assert "lti1p3-state-s1=;" in cookie
    assert "Max-Age=0" in cookie
    assert "Partitioned" in cookie


def test_jwks_response_cacheable_json(app):
    with app.test_request_context("/"):
        response = jwks_response({"keys": [{"kid": "k"}]}, max_age=60)
    assert response.get_json() == {"keys": [{"kid": "k"}]}
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_launch_error_response_logs_reason_without_trace(app, caplog):
    caplog.set_level(logging.WARNING)
    with app.test_request_context("/"):
        response = launch_error_response(LtiLaunchError(R.STATE_NOT_BOUND, "no cookie"))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "blocked the cookies" in body
    assert "state_not_bound" in body
    assert "Traceback" not in body
    assert "LTI launch rejected: state_not_bound (no cookie)" in caplog.text


def test_launch_error_response_security_reason_is_401_generic_text(app):
    with app.test_request_context("/"):
        response = launch_error_response(LtiLaunchError(R.BAD_SIGNATURE, "<x>"))
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "could not be verified" in body
    assert "<x>" not in body
