from urllib.parse import parse_qs, urlsplit

import pytest

from lti.errors import LaunchErrorReason as R
from lti.errors import LtiLaunchError

from .conftest import AUTH_URL, CLIENT_ID, ISSUER, LAUNCH_URL, LOGIN_URL, registration


def _query(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_login_builds_auth_request_and_state_record(tool):
    response = tool.login(lti_message_hint="msg-9", lti_deployment_id="deployment-1")
    assert response.auth_url.startswith(AUTH_URL + "?")
    query = _query(response.auth_url)
    assert query == {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": CLIENT_ID,
        "redirect_uri": LAUNCH_URL,
        "state": response.state,
        "nonce": response.nonce,
        "login_hint": "hint-1",
        "lti_message_hint": "msg-9",
    }
    assert len(response.nonce) >= 32
    record = tool.launch_data.get(f"lti-state:{response.state}")
    assert record["nonce"] == response.nonce
    assert record["issuer"] == ISSUER
    assert record["platform_origin"] == "https://platform.example"
    (cookie,) = response.cookies
    assert (cookie.name, cookie.value, cookie.max_age) == (
        f"lti1p3-state-{response.state}",
        response.state,
        600,
    )


def test_login_in_iframe_renders_cookie_check_with_new_window_fallback(tool):
    response = tool.login(lti_message_hint="m")
    assert "document.cookie" in response.html
    assert response.auth_url.replace("&", "\\u0026") in response.html
    assert f"{LOGIN_URL}?iss=" in response.html
    assert "lti1p3_new_window=1" in response.html
    assert "lti_message_hint=m" in response.html


def test_login_in_new_window_redirects_directly(tool):
    assert tool.login(lti1p3_new_window="1").html is None


def test_login_with_storage_target_renders_put_data_page(tool):
    response = tool.login(lti_storage_target="post_message_forwarding")
    assert "lti.put_data" in response.html
    assert '"target": "post_message_forwarding"' in response.html
    assert '"origin": "https://platform.example"' in response.html
    assert f"lti1p3_state_{response.state}" in response.html
    assert f"lti1p3_nonce_{response.nonce}" in response.html
    record = tool.launch_data.get(f"lti-state:{response.state}")
    assert record["storage_target"] == "post_message_forwarding"


def test_login_without_client_id_uses_issuers_only_registration(tool):
    response = tool.login(client_id="")
    assert _query(response.auth_url)["client_id"] == CLIENT_ID


def test_login_without_client_id_ambiguous_issuer_rejected(tool):
    tool.registrations.save_registration(registration(client_id="second"))
    with pytest.raises(LtiLaunchError) as info:
        tool.login(client_id="")
    assert info.value.reason is R.UNKNOWN_REGISTRATION


@pytest.mark.parametrize("missing", ["iss", "login_hint", "target_link_uri"])
def test_login_missing_parameter_rejected(tool, missing):
    with pytest.raises(LtiLaunchError) as info:
        tool.login(**{missing: ""})
    assert info.value.reason is R.MISSING_PARAMETER
    assert info.value.detail == missing


def test_login_target_link_uri_elsewhere_rejected(tool):
    with pytest.raises(LtiLaunchError) as info:
        tool.login(target_link_uri="https://evil.example/launch")
    assert info.value.reason is R.INVALID_TARGET_LINK_URI


def test_login_unknown_issuer_rejected(tool):
    with pytest.raises(LtiLaunchError) as info:
        tool.login(iss="https://unknown.example")
    assert info.value.reason is R.UNKNOWN_REGISTRATION
