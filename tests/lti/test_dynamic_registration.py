import json

import pytest
import requests
import responses

from lti import claims
from lti.dynamic_registration import (
    close_page_html,
    fetch_platform_configuration,
    register_with_platform,
)
from lti.errors import RegistrationError
from lti.http import DEFAULT_TIMEOUT, build_session
from lti.stores import PlatformRegistration
from lti.tool_info import ToolInfo

CONFIG_URL = "https://lms.example/mod/lti/openid-configuration.php"
REGISTER_URL = "https://lms.example/mod/lti/openid-registration.php"
TOOL = ToolInfo(
    title="Interop Hub",
    login_url="https://hub.example/lti/login",
    launch_url="https://hub.example/lti/launch",
    jwks_url="https://hub.example/lti/jwks",
    deep_linking_url="https://hub.example/lti/deep-link",
    logo_url="https://hub.example/logo.png",
    contact_email="admin@hub.example",
)


def _config(**overrides):
    config = {
        "issuer": "https://lms.example",
        "authorization_endpoint": "https://lms.example/mod/lti/auth.php",
        "token_endpoint": "https://lms.example/mod/lti/token.php",
        "jwks_uri": "https://lms.example/mod/lti/certs.php",
        "registration_endpoint": REGISTER_URL,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": [claims.SCOPE_SCORE, claims.SCOPE_LINEITEM, "openid"],
        claims.DR_PLATFORM_CONFIGURATION: {"product_family_code": "moodle"},
    }
    config.update(overrides)
    return {k: v for k, v in config.items() if v is not None}


def _register(**kwargs):
    return register_with_platform(
        build_session(), CONFIG_URL, "reg-token", tool=TOOL, **kwargs
    )


def test_dynamic_registration_happy_path_returns_registration(rsps):
    rsps.add(responses.GET, CONFIG_URL, json=_config())
    rsps.add(
        responses.POST,
        REGISTER_URL,
        json={
            "client_id": "client-77",
            claims.DR_TOOL_CONFIGURATION: {"deployment_id": "dep-5"},
        },
    )
    registration = _register()
    assert registration == PlatformRegistration(
        issuer="https://lms.example",
        client_id="client-77",
        auth_login_url="https://lms.example/mod/lti/auth.php",
        auth_token_url="https://lms.example/mod/lti/token.php",
        jwks_url="https://lms.example/mod/lti/certs.php",
        deployment_ids=("dep-5",),
    )
    get, post = rsps.calls
    assert get.request.headers["Authorization"] == "Bearer reg-token"
    assert post.request.headers["Authorization"] == "Bearer reg-token"
    assert post.request.req_kwargs["timeout"] == DEFAULT_TIMEOUT
    sent = json.loads(post.request.body)
    assert sent["initiate_login_uri"] == TOOL.login_url
    assert sent["redirect_uris"] == [TOOL.launch_url, TOOL.deep_linking_url]
    assert sent["jwks_uri"] == TOOL.jwks_url
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert sent["grant_types"] == ["implicit", "client_credentials"]
    assert sent["scope"].split() == [claims.SCOPE_LINEITEM, claims.SCOPE_SCORE]
    assert sent["logo_uri"] == TOOL.logo_url
    assert sent["contacts"] == ["admin@hub.example"]
    tool_config = sent[claims.DR_TOOL_CONFIGURATION]
    assert tool_config["domain"] == "hub.example"
    assert tool_config["target_link_uri"] == TOOL.launch_url
    assert {m["type"] for m in tool_config["messages"]} == {
        "LtiDeepLinkingRequest",
        "LtiResourceLinkRequest",
    }
    assert "email" in tool_config["claims"]


def test_dynamic_registration_without_token_or_deployment(rsps):
    rsps.add(
        responses.GET,
        CONFIG_URL,
        json=_config(
            scopes_supported=None, authorization_server="https://lms.example/aud"
        ),
    )
    rsps.add(responses.POST, REGISTER_URL, json={"client_id": "c"})
    tool = ToolInfo("T", "https://t/l", "https://t/x", "https://t/j", "https://t/d")
    registration = register_with_platform(build_session(), CONFIG_URL, None, tool=tool)
    assert registration.deployment_ids == ()
    assert registration.auth_audience == "https://lms.example/aud"
    assert "Authorization" not in rsps.calls[0].request.headers
    sent = json.loads(rsps.calls[1].request.body)
    assert "logo_uri" not in sent and "contacts" not in sent
    assert len(sent["scope"].split()) == len(tool.scopes)


def test_dynamic_registration_issuer_from_other_origin_rejected(rsps):
    rsps.add(responses.GET, CONFIG_URL, json=_config(issuer="https://evil.example"))
    with pytest.raises(RegistrationError, match="does not match"):
        _register()
    assert len(rsps.calls) == 1  # never registered


def test_dynamic_registration_issuer_with_path_must_prefix_url(rsps):
    url = "https://lms.example/moodle/mod/lti/openid-configuration.php"
    rsps.add(responses.GET, url, json=_config(issuer="https://lms.example/other"))
    with pytest.raises(RegistrationError, match="does not match"):
        fetch_platform_configuration(build_session(), url, None)


def test_dynamic_registration_issuer_with_matching_path_accepted(rsps):
    url = "https://lms.example/moodle/mod/lti/openid-configuration.php"
    rsps.add(responses.GET, url, json=_config(issuer="https://lms.example/moodle"))
    config = fetch_platform_configuration(build_session(), url, None)
    assert config["issuer"] == "https://lms.example/moodle"


def test_dynamic_registration_http_rejected_unless_allowed(rsps):
    url = "http://127.0.0.1:8000/.well-known/openid-configuration"
    with pytest.raises(RegistrationError, match="not an https URL"):
        fetch_platform_configuration(build_session(), url, None)
    local = {
        k: (
            v.replace("https://lms.example", "http://127.0.0.1:8000")
            if isinstance(v, str)
            else v
        )
        for k, v in _config().items()
    }
    rsps.add(responses.GET, url, json=local)
    config = fetch_platform_configuration(
        build_session(), url, None, allow_insecure=True
    )
    assert config["issuer"] == "http://127.0.0.1:8000"


def test_dynamic_registration_http_endpoint_in_https_config_rejected(rsps):
    rsps.add(
        responses.GET, CONFIG_URL, json=_config(token_endpoint="http://lms.example/t")
    )
    with pytest.raises(RegistrationError, match="not an https URL"):
        _register()


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"jwks_uri": None}, "lacks jwks_uri"),
        ({"registration_endpoint": None, "token_endpoint": None}, "token_endpoint"),
        ({"id_token_signing_alg_values_supported": ["HS256"]}, "RS256"),
        (
            {"token_endpoint_auth_methods_supported": ["client_secret_basic"]},
            "private_key_jwt",
        ),
    ],
)
def test_dynamic_registration_bad_configuration_rejected(rsps, overrides, match):
    rsps.add(responses.GET, CONFIG_URL, json=_config(**overrides))
    with pytest.raises(RegistrationError, match=match):
        _register()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"status": 401, "body": "token expired"}, "answered 401"),
        ({"body": "<html>"}, "did not answer JSON"),
        ({"json": ["list"]}, "did not answer an object"),
        ({"body": requests.ConnectionError("refused")}, "failed"),
    ],
)
def test_dynamic_registration_configuration_fetch_failures(rsps, kwargs, match):
    rsps.add(responses.GET, CONFIG_URL, **kwargs)
    with pytest.raises(RegistrationError, match=match):
        _register()


def test_dynamic_registration_refused_carries_status_and_body(rsps):
    rsps.add(responses.GET, CONFIG_URL, json=_config())
    rsps.add(
        responses.POST, REGISTER_URL, status=400, json={"error": "invalid_redirect_uri"}
    )
    with pytest.raises(RegistrationError) as info:
        _register()
    assert info.value.status == 400
    assert "invalid_redirect_uri" in info.value.body


def test_dynamic_registration_answer_without_client_id_rejected(rsps):
    rsps.add(responses.GET, CONFIG_URL, json=_config())
    rsps.add(responses.POST, REGISTER_URL, json={"client_name": "x"})
    with pytest.raises(RegistrationError, match="no client_id"):
        _register()


def test_close_page_posts_close_subject_to_opener_or_parent():
    page = close_page_html()
    assert '{"subject": "org.imsglobal.lti.close"}' in page
    assert "(window.opener || window.parent).postMessage(" in page
    assert "'*'" in page


def test_dynamic_registration_trusted_issuer_from_other_origin_accepted(rsps):
    canvas = "https://canvas.instructure.com"
    rsps.add(responses.GET, CONFIG_URL, json=_config(issuer=canvas))
    rsps.add(responses.POST, REGISTER_URL, json={"client_id": "10000000000001"})
    registration = _register(trusted_issuers={canvas})
    assert registration.issuer == canvas
    assert registration.client_id == "10000000000001"
