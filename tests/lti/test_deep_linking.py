from dataclasses import replace

import jwt
import pytest

from lti import claims
from lti.deep_linking import (
    LineItemSpec,
    ResourceLinkItem,
    accepts_multiple,
    build_deep_linking_response,
)
from lti.errors import DeepLinkingError

from .conftest import CLIENT_ID, DEPLOYMENT_ID, ISSUER

RETURN_URL = "https://platform.example/dl/return?x=1&y=2"


def _dl_context(tool, **settings):
    values = {
        "deep_link_return_url": RETURN_URL,
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "data": "opaque-platform-data",
        "accept_multiple": True,
    }
    values.update(settings)
    return tool.login_and_launch(
        **{
            claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_DEEP_LINKING,
            claims.RESOURCE_LINK: None,
            claims.DL_SETTINGS: {k: v for k, v in values.items() if v is not None},
        }
    )


def _verify(token, keyring):
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in keyring.jwks()["keys"] if k["kid"] == kid)
    return jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=ISSUER)


def test_deep_linking_response_signed_with_tool_key_and_items(tool, keyring, clock):
    context = _dl_context(tool)
    items = [
        ResourceLinkItem(
            title="Course A",
            url="https://tool.example/lti/launch?course=a",
            custom={"course_id": "a"},
            line_item=LineItemSpec(score_maximum=100, label="Course A", tag="a"),
        ),
        ResourceLinkItem(title="Course B", text="Second", line_item=LineItemSpec(50)),
    ]
    response = build_deep_linking_response(context, items, keyring=keyring, clock=clock)
    payload = _verify(response.jwt, keyring)
    assert payload["iss"] == CLIENT_ID
    assert payload[claims.DEPLOYMENT_ID] == DEPLOYMENT_ID
    assert payload[claims.MESSAGE_TYPE] == claims.MESSAGE_TYPE_DEEP_LINKING_RESPONSE
    assert payload[claims.VERSION] == "1.3.0"
    assert payload[claims.DL_DATA] == "opaque-platform-data"
    assert payload["iat"] == int(clock().timestamp())
    assert payload["exp"] == payload["iat"] + 600
    assert payload["nonce"]
    assert payload[claims.DL_CONTENT_ITEMS] == [
        {
            "type": "ltiResourceLink",
            "title": "Course A",
            "url": "https://tool.example/lti/launch?course=a",
            "custom": {"course_id": "a"},
            "lineItem": {"scoreMaximum": 100, "label": "Course A", "tag": "a"},
        },
        {
            "type": "ltiResourceLink",
            "title": "Course B",
            "text": "Second",
            "lineItem": {"scoreMaximum": 50},
        },
    ]
    assert response.return_url == RETURN_URL
    assert 'action="https://platform.example/dl/return?x=1&amp;y=2"' in response.html
    assert f'name="JWT" value="{response.jwt}"' in response.html
    assert ".submit()" in response.html


def test_deep_linking_response_without_data_omits_claim(tool, keyring):
    context = _dl_context(tool, data=None)
    response = build_deep_linking_response(
        context, [ResourceLinkItem("A")], keyring=keyring
    )
    assert claims.DL_DATA not in _verify(response.jwt, keyring)


def test_deep_linking_response_empty_selection_allowed(tool, keyring):
    response = build_deep_linking_response(_dl_context(tool), [], keyring=keyring)
    assert _verify(response.jwt, keyring)[claims.DL_CONTENT_ITEMS] == []


@pytest.mark.parametrize("accept_multiple", [False, "false", None])
def test_deep_linking_multiple_items_when_single_accepted_rejected(
    tool, keyring, accept_multiple
):
    context = _dl_context(tool, accept_multiple=accept_multiple)
    with pytest.raises(DeepLinkingError, match="single item"):
        build_deep_linking_response(
            context, [ResourceLinkItem("A"), ResourceLinkItem("B")], keyring=keyring
        )


def test_deep_linking_line_item_dropped_when_not_accepted(tool, keyring, caplog):
    context = _dl_context(tool, accept_lineitem=False)
    item = ResourceLinkItem("A", line_item=LineItemSpec(10, resource_id="r"))
    response = build_deep_linking_response(context, [item], keyring=keyring)
    content = _verify(response.jwt, keyring)[claims.DL_CONTENT_ITEMS]
    assert content == [{"type": "ltiResourceLink", "title": "A"}]
    assert "does not accept line items" in caplog.text


def test_deep_linking_resource_id_kept_on_line_item(tool, keyring):
    item = ResourceLinkItem("A", line_item=LineItemSpec(10, resource_id="course-7"))
    response = build_deep_linking_response(_dl_context(tool), [item], keyring=keyring)
    content = _verify(response.jwt, keyring)[claims.DL_CONTENT_ITEMS]
    assert content[0]["lineItem"] == {"scoreMaximum": 10, "resourceId": "course-7"}


def test_deep_linking_for_resource_link_launch_rejected(tool, keyring):
    context = tool.login_and_launch()
    with pytest.raises(DeepLinkingError, match="not a deep linking"):
        build_deep_linking_response(context, [ResourceLinkItem("A")], keyring=keyring)


def test_deep_linking_platform_not_accepting_resource_links_rejected(tool, keyring):
    context = _dl_context(tool)
    settings = dict(context.deep_linking_settings)
    settings["accept_types"] = ["link"]
    context = replace(context, deep_linking_settings=settings)
    with pytest.raises(DeepLinkingError, match="ltiResourceLink"):
        build_deep_linking_response(context, [ResourceLinkItem("A")], keyring=keyring)


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), ("true", True), (False, False), (None, False)]
)
def test_deep_linking_accepts_multiple_only_when_explicit(tool, value, expected):
    assert accepts_multiple(_dl_context(tool, accept_multiple=value)) is expected
