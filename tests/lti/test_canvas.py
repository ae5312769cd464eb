import json

from lti import claims
from lti.canvas import canvas_developer_key_config
from lti.tool_info import ToolInfo

TOOL = ToolInfo(
    title="Interop Hub",
    login_url="https://hub.example/lti/login",
    launch_url="https://hub.example/lti/launch",
    jwks_url="https://hub.example/lti/jwks",
    deep_linking_url="https://hub.example/lti/deep-link",
    logo_url="https://hub.example/logo.png",
)


def test_canvas_config_has_urls_scopes_and_placements():
    config = canvas_developer_key_config(TOOL)
    json.dumps(config)  # serialisable as is
    assert config["oidc_initiation_url"] == TOOL.login_url
    assert config["target_link_uri"] == TOOL.launch_url
    assert config["public_jwk_url"] == TOOL.jwks_url
    assert claims.SCOPE_SCORE in config["scopes"]
    assert config["redirect_uris"] == [TOOL.launch_url, TOOL.deep_linking_url]
    extension = config["extensions"][0]
    assert extension["domain"] == "hub.example"
    assert extension["privacy_level"] == "public"
    by_name = {p["placement"]: p for p in extension["settings"]["placements"]}
    assert by_name["link_selection"]["message_type"] == "LtiDeepLinkingRequest"
    assert by_name["link_selection"]["target_link_uri"] == TOOL.deep_linking_url
    assert by_name["link_selection"]["icon_url"] == TOOL.logo_url
    assert by_name["course_navigation"]["message_type"] == "LtiResourceLinkRequest"


def test_canvas_config_anonymous_and_no_logo():
    tool = ToolInfo("T", "https://t/l", "https://t/x", "https://t/j", "https://t/x")
    config = canvas_developer_key_config(tool, privacy_level="anonymous")
    assert config["extensions"][0]["privacy_level"] == "anonymous"
    assert config["description"] == "T"
    assert config["redirect_uris"] == ["https://t/x"]
    placements = config["extensions"][0]["settings"]["placements"]
    assert all("icon_url" not in p for p in placements)
