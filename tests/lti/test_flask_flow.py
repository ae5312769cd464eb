"""The login → launch round trip through Flask, shaped like the hub's blueprint."""

import pytest
from flask import Flask, request

from lti import claims
from lti.errors import LtiLaunchError
from lti.flask_adapter import (
    clear_state_cookie,
    html_response,
    launch_error_response,
    login_response,
    pending_launch_response,
    request_cookies,
    request_params,
)
from lti.launch import PendingLaunch
from lti.oidc_login import initiate_login

from .conftest import CHECK_URL, LAUNCH_URL, LOGIN_URL


@pytest.fixture
def client(tool):
    app = Flask("lti-flow-test")

    @app.route("/lti/login", methods=["GET", "POST"])
    def login():
        try:
            result = initiate_login(
                request_params(request),
                registrations=tool.registrations,
                launch_data=tool.launch_data,
                launch_url=LAUNCH_URL,
                login_url=LOGIN_URL,
                clock=tool.clock,
            )
        except LtiLaunchError as error:
            return launch_error_response(error)
        return login_response(result)

    @app.post("/lti/launch")
    def launch():
        params = request_params(request)
        try:
            result = tool.validator.validate(
                params, request_cookies(request), storage_check_url=CHECK_URL
            )
        except LtiLaunchError as error:
            return launch_error_response(error)
        if isinstance(result, PendingLaunch):
            return pending_launch_response(result)
        return clear_state_cookie(html_response(result.subject), params["state"])

    @app.post("/lti/launch/check")
    def check():
        form = request.form
        try:
            context = tool.validator.complete_storage_check(
                form["launch_id"], form["state"], form["nonce"]
            )
        except LtiLaunchError as error:
            return launch_error_response(error)
        return html_response(context.subject)

    return app.test_client()


def _login_params(**extra):
    params = {
        "iss": "https://platform.example",
        "login_hint": "h",
        "target_link_uri": LAUNCH_URL,
        "client_id": "tool-client-1",
    }
    params.update(extra)
    return params


def _state_and_nonce(tool, response):
    # http.cookies cannot parse the Partitioned attribute; the pair comes first.
    name, state = response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)
    assert name == f"lti1p3-state-{state}"
    return state, tool.launch_data.get(f"lti-state:{state}")["nonce"]


def test_flow_login_by_get_then_launch_with_cookie(client, tool):
    response = client.get(
        "/lti/login", query_string=_login_params(lti1p3_new_window="1")
    )
    assert response.status_code == 302
    state, nonce = _state_and_nonce(tool, response)
    client.set_cookie(f"lti1p3-state-{state}", state, domain="localhost")
    token = tool.platform.sign(
        tool.platform.claims(nonce, **{claims.ROLES: [claims.ROLE_INSTRUCTOR]})
    )
    launched = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert launched.status_code == 200
    assert launched.get_data(as_text=True) == "user-42"
    assert "Max-Age=0" in launched.headers["Set-Cookie"]


def test_flow_login_by_post_then_launch_through_platform_storage(client, tool):
    response = client.post(
        "/lti/login", data=_login_params(lti_storage_target="_parent")
    )
    assert response.status_code == 200
    assert "lti.put_data" in response.get_data(as_text=True)
    state, nonce = _state_and_nonce(tool, response)
    client.delete_cookie(f"lti1p3-state-{state}", domain="localhost")  # blocked
    token = tool.platform.sign(tool.platform.claims(nonce))
    page = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert page.status_code == 200
    assert "lti.get_data" in page.get_data(as_text=True)
    body = page.get_data(as_text=True)
    launch_id = body.split('name="launch_id" value="', 1)[1].split('"', 1)[0]
    done = client.post(
        "/lti/launch/check",
        data={"launch_id": launch_id, "state": state, "nonce": nonce},
    )
    assert done.get_data(as_text=True) == "user-42"


def test_flow_replayed_launch_gets_error_page(client, tool):
    response = client.get("/lti/login", query_string=_login_params())
    state, nonce = _state_and_nonce(tool, response)
    client.set_cookie(f"lti1p3-state-{state}", state, domain="localhost")
    token = tool.platform.sign(tool.platform.claims(nonce))
    assert (
        client.post("/lti/launch", data={"id_token": token, "state": state}).status_code
        == 200
    )
    replay = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert replay.status_code == 400
    assert "already used" in replay.get_data(as_text=True)


def test_flow_login_unknown_issuer_gets_error_page(client):
    response = client.get(
        "/lti/login", query_string=_login_params(iss="https://x.example")
    )
    assert response.status_code == 400
    assert "not registered" in response.get_data(as_text=True)
