import base64
from dataclasses import replace
from datetime import timedelta

import jwt
import pytest
import responses

from lti import claims
from lti.context import AgsEndpoint, LaunchContext
from lti.errors import LaunchErrorReason as R
from lti.errors import LtiLaunchError
from lti.launch import PendingLaunch

from .conftest import CLIENT_ID, DEPLOYMENT_ID, ISSUER, LAUNCH_URL, make_key


def _rejects(tool, reason, **overrides):
    with pytest.raises(LtiLaunchError) as info:
        tool.login_and_launch(**overrides)
    assert info.value.reason is reason, info.value
    return info.value


def test_launch_valid_learner_returns_context(tool):
    context = tool.login_and_launch(
        email=None, **{claims.AGS_ENDPOINT: {"scope": [claims.SCOPE_SCORE]}}
    )
    assert isinstance(context, LaunchContext)
    assert context.issuer == ISSUER
    assert context.client_id == CLIENT_ID
    assert context.deployment_id == DEPLOYMENT_ID
    assert context.subject == "user-42"
    assert context.roles == (claims.ROLE_LEARNER,)
    assert context.resource_link_id == "rl-1"
    assert context.resource_link_title == "Unit 1"
    assert context.context_id == "ctx-1"
    assert context.context_title == "Biology"
    assert context.context_label == "BIO"
    assert context.email is None  # PII never required
    assert context.ags == AgsEndpoint(scopes=(claims.SCOPE_SCORE,))
    assert not context.is_deep_linking
    tool.validator.keep_launch(context)
    assert tool.validator.load_launch(context.launch_id) == context


def test_launch_claims_kept_only_when_asked(tool):
    context = tool.login_and_launch()
    with pytest.raises(LtiLaunchError) as info:
        tool.validator.load_launch(context.launch_id)
    assert info.value.reason is R.STATE_UNKNOWN
    tool.validator.keep_launch(context)
    assert tool.validator.load_launch(context.launch_id).claims == context.claims


def test_launch_with_pii_and_services_exposes_them(tool):
    context = tool.login_and_launch(
        name="Ada Lovelace",
        given_name="Ada",
        family_name="Lovelace",
        email="ada@example.edu",
        **{
            claims.CUSTOM: {"unit": "1"},
            claims.NRPS_SERVICE: {"context_memberships_url": "https://p/m"},
            claims.AGS_ENDPOINT: {
                "scope": [claims.SCOPE_LINEITEM],
                "lineitems": "https://p/li",
                "lineitem": "https://p/li/1",
            },
        },
    )
    assert (context.name, context.given_name, context.family_name) == (
        "Ada Lovelace",
        "Ada",
        "Lovelace",
    )
    assert context.email == "ada@example.edu"
    assert context.custom == {"unit": "1"}
    assert context.nrps_url == "https://p/m"
    assert context.ags.lineitem_url == "https://p/li/1"
    assert context.ags.lineitems_url == "https://p/li"


def test_launch_deep_linking_request_exposes_settings(tool):
    settings = {
        "deep_link_return_url": "https://platform.example/dl/return",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe"],
    }
    context = tool.login_and_launch(
        **{
            claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_DEEP_LINKING,
            claims.RESOURCE_LINK: None,
            claims.DL_SETTINGS: settings,
        }
    )
    assert context.is_deep_linking
    assert (
        context.deep_linking_settings["deep_link_return_url"]
        == settings["deep_link_return_url"]
    )
    assert context.resource_link_id is None


def test_launch_aud_array_with_azp_accepted(tool):
    context = tool.login_and_launch(aud=[CLIENT_ID, "other"], azp=CLIENT_ID)
    assert context.client_id == CLIENT_ID


def test_launch_aud_single_element_array_accepted(tool):
    assert tool.login_and_launch(aud=[CLIENT_ID]).client_id == CLIENT_ID


def test_launch_bad_signature_rejected(tool):
    login = tool.login()
    body = tool.platform.claims(login.nonce)
    forged = make_key("forger")  # signs under the platform's kid
    token = tool.platform.sign(body, key=forged, kid=tool.platform.key.kid)
    with pytest.raises(LtiLaunchError) as info:
        tool.launch(token, login.state)
    assert info.value.reason is R.BAD_SIGNATURE


def test_launch_alg_none_rejected(tool):
    login = tool.login()
    token = jwt.encode(
        tool.platform.claims(login.nonce), None, algorithm="none", headers={"kid": "k"}
    )
    with pytest.raises(LtiLaunchError) as info:
        tool.launch(token, login.state)
    assert info.value.reason is R.DISALLOWED_ALGORITHM


def test_launch_hs256_rejected(tool):
    login = tool.login()
    token = jwt.encode(
        tool.platform.claims(login.nonce),
        "a-shared-secret-of-sufficient-length-000",
        algorithm="HS256",
        headers={"kid": tool.platform.key.kid},
    )
    with pytest.raises(LtiLaunchError) as info:
        tool.launch(token, login.state)
    assert info.value.reason is R.DISALLOWED_ALGORITHM


def test_launch_missing_kid_rejected(tool):
    login = tool.login()
    token = jwt.encode(
        tool.platform.claims(login.nonce), tool.platform.key.private_pem, "RS256"
    )
    with pytest.raises(LtiLaunchError) as info:
        tool.launch(token, login.state)
    assert info.value.reason is R.UNKNOWN_KEY


def test_launch_wrong_iss_rejected(tool):
    _rejects(tool, R.WRONG_ISSUER, iss="https://evil.example")


def test_launch_wrong_aud_rejected(tool):
    _rejects(tool, R.WRONG_AUDIENCE, aud="someone-else")


def test_launch_aud_array_not_containing_client_rejected(tool):
    _rejects(tool, R.WRONG_AUDIENCE, aud=["a", "b"], azp=CLIENT_ID)


def test_launch_aud_array_without_azp_rejected(tool):
    _rejects(tool, R.WRONG_AZP, aud=[CLIENT_ID, "other"])


def test_launch_azp_not_client_rejected(tool):
    _rejects(tool, R.WRONG_AUDIENCE, aud=[CLIENT_ID, "other"], azp="other")


def test_launch_expired_rejected(tool, clock):
    now = int(clock().timestamp())
    _rejects(tool, R.EXPIRED, iat=now - 600, exp=now - 61)


def test_launch_expired_within_leeway_accepted(tool, clock):
    now = int(clock().timestamp())
    assert tool.login_and_launch(iat=now - 600, exp=now - 30).subject == "user-42"


def test_launch_iat_in_future_rejected(tool, clock):
    now = int(clock().timestamp())
    _rejects(tool, R.ISSUED_IN_FUTURE, iat=now + 120, exp=now + 600)


def test_launch_non_numeric_exp_rejected(tool):
    _rejects(tool, R.MALFORMED_TOKEN, exp="soon")


def test_launch_missing_exp_rejected(tool):
    _rejects(tool, R.MISSING_CLAIM, exp=None)


def test_launch_nonce_not_from_login_rejected(tool):
    login = tool.login()
    token = tool.platform.sign(tool.platform.claims("another-nonce"))
    with pytest.raises(LtiLaunchError) as info:
        tool.launch(token, login.state)
    assert info.value.reason is R.NONCE_MISMATCH


def test_launch_replayed_nonce_rejected(tool):
    first = tool.login()
    token = tool.platform.sign(tool.platform.claims(first.nonce))
    tool.launch(token, first.state)
    # A second state record carrying the same nonce: e.g. two processes racing.
    second = tool.login()
    record = dict(tool.launch_data.get(f"lti-state:{second.state}"))
    record["nonce"] = first.nonce
    tool.launch_data.put(f"lti-state:{second.state}", record, tool.clock() + _ten_min())
    with pytest.raises(LtiLaunchError) as info:
        tool.launch(token, second.state)
    assert info.value.reason is R.NONCE_REPLAYED


def _ten_min():
    return timedelta(minutes=10)


def test_launch_replayed_state_rejected(tool):
    login = tool.login()
    token = tool.platform.sign(tool.platform.claims(login.nonce))
    tool.launch(token, login.state)
    with pytest.raises(LtiLaunchError) as info:
        tool.launch(token, login.state)
    assert info.value.reason is R.STATE_UNKNOWN


def test_launch_missing_state_rejected(tool):
    with pytest.raises(LtiLaunchError) as info:
        tool.validator.validate({"id_token": "x"}, {}, storage_check_url="u")
    assert info.value.reason is R.MISSING_PARAMETER


def test_launch_state_without_cookie_or_storage_rejected(tool):
    _rejects(tool, R.STATE_NOT_BOUND, cookie=False)


def test_launch_cookie_with_other_value_rejected(tool):
    login = tool.login()
    token = tool.platform.sign(tool.platform.claims(login.nonce))
    with pytest.raises(LtiLaunchError) as info:
        tool.validator.validate(
            {"id_token": token, "state": login.state},
            {f"lti1p3-state-{login.state}": "other"},
            storage_check_url="u",
        )
    assert info.value.reason is R.STATE_NOT_BOUND


def test_launch_unknown_deployment_rejected(tool):
    _rejects(tool, R.UNKNOWN_DEPLOYMENT, **{claims.DEPLOYMENT_ID: "dep-unknown"})


def test_launch_missing_deployment_rejected(tool):
    _rejects(tool, R.MISSING_CLAIM, **{claims.DEPLOYMENT_ID: None})


def test_launch_wrong_message_type_rejected(tool):
    _rejects(tool, R.WRONG_MESSAGE_TYPE, **{claims.MESSAGE_TYPE: "LtiStartProctoring"})


def test_launch_wrong_version_rejected(tool):
    _rejects(tool, R.WRONG_VERSION, **{claims.VERSION: "1.1"})


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("sub", None),
        (claims.ROLES, None),
        (claims.RESOURCE_LINK, {"title": "no id"}),
        (claims.TARGET_LINK_URI, None),
    ],
)
def test_launch_missing_required_claim_rejected(tool, claim, value):
    error = _rejects(tool, R.MISSING_CLAIM, **{claim: value})
    assert claim in error.detail


def test_launch_deep_linking_without_return_url_rejected(tool):
    _rejects(
        tool,
        R.MISSING_CLAIM,
        **{
            claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_DEEP_LINKING,
            claims.DL_SETTINGS: {"accept_types": ["ltiResourceLink"]},
        },
    )


def test_launch_deep_linking_invalid_settings_rejected_by_pylti1p3(tool):
    _rejects(
        tool,
        R.INVALID_MESSAGE,
        **{
            claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_DEEP_LINKING,
            claims.DL_SETTINGS: {
                "deep_link_return_url": "https://p/r",
                "accept_types": [],
            },
        },
    )


def test_launch_target_link_uri_differs_from_login_rejected(tool):
    _rejects(
        tool, R.INVALID_TARGET_LINK_URI, **{claims.TARGET_LINK_URI: LAUNCH_URL + "x"}
    )


def test_launch_malformed_token_rejected(tool):
    login = tool.login()
    with pytest.raises(LtiLaunchError) as info:
        tool.launch("not-a-jwt", login.state)
    assert info.value.reason is R.MALFORMED_TOKEN


def test_launch_unregistered_client_after_login_rejected(tool):
    login = tool.login()
    tool.registrations._items.clear()
    token = tool.platform.sign(tool.platform.claims(login.nonce))
    with pytest.raises(LtiLaunchError) as info:
        tool.launch(token, login.state)
    assert info.value.reason is R.UNKNOWN_REGISTRATION


def test_launch_unknown_kid_refetches_jwks_after_platform_rotation(tool, clock):
    assert tool.login_and_launch().subject == "user-42"
    assert tool.platform.jwks_calls == 1
    clock.advance(seconds=31)
    tool.platform.rotate()
    assert tool.login_and_launch().subject == "user-42"
    assert tool.platform.jwks_calls == 2


def test_launch_kid_never_published_rejected(tool, clock):
    tool.login_and_launch()
    clock.advance(seconds=31)
    login = tool.login()
    stranger = make_key("never-published")
    token = tool.platform.sign(tool.platform.claims(login.nonce), key=stranger)
    with pytest.raises(LtiLaunchError) as info:
        tool.launch(token, login.state)
    assert info.value.reason is R.UNKNOWN_KEY


def test_launch_jwks_unreachable_rejected(tool, rsps):
    rsps.replace(responses.GET, "https://platform.example/jwks", status=503)
    _rejects(tool, R.JWKS_UNAVAILABLE)


def test_launch_jwk_with_other_alg_rejected(tool):
    key = tool.platform.key  # shared across tests: replace, never mutate
    tool.platform.keys = [replace(key, jwk={**key.jwk, "alg": "RS512"})]
    _rejects(tool, R.UNKNOWN_KEY)


def test_launch_storage_flow_without_cookie_pends_then_completes(tool):
    login = tool.login(lti_storage_target="_parent")
    token = tool.platform.sign(tool.platform.claims(login.nonce))
    pending = tool.launch(token, login.state, cookie=False)
    assert isinstance(pending, PendingLaunch)
    assert "lti.get_data" in pending.html
    assert pending.launch_id in pending.html
    context = tool.validator.complete_storage_check(
        pending.launch_id, login.state, login.nonce
    )
    assert context.subject == "user-42"
    tool.validator.keep_launch(context)
    assert tool.validator.load_launch(pending.launch_id).subject == "user-42"


def test_launch_storage_check_with_wrong_values_rejected(tool):
    login = tool.login(lti_storage_target="_parent")
    token = tool.platform.sign(tool.platform.claims(login.nonce))
    pending = tool.launch(token, login.state, cookie=False)
    with pytest.raises(LtiLaunchError) as info:
        tool.validator.complete_storage_check(pending.launch_id, login.state, "forged")
    assert info.value.reason is R.STATE_NOT_BOUND


def test_launch_storage_check_used_twice_rejected(tool):
    login = tool.login(lti_storage_target="_parent")
    token = tool.platform.sign(tool.platform.claims(login.nonce))
    pending = tool.launch(token, login.state, cookie=False)
    tool.validator.complete_storage_check(pending.launch_id, login.state, login.nonce)
    with pytest.raises(LtiLaunchError) as info:
        tool.validator.complete_storage_check(
            pending.launch_id, login.state, login.nonce
        )
    assert info.value.reason is R.STATE_UNKNOWN


def test_launch_storage_flow_with_cookie_completes_directly(tool):
    login = tool.login(lti_storage_target="_parent")
    token = tool.platform.sign(tool.platform.claims(login.nonce))
    assert isinstance(tool.launch(token, login.state), LaunchContext)


def test_load_launch_unknown_id_rejected(tool):
    with pytest.raises(LtiLaunchError) as info:
        tool.validator.load_launch("nope")
    assert info.value.reason is R.STATE_UNKNOWN


def test_launch_error_message_names_reason_and_detail():
    error = LtiLaunchError(R.EXPIRED, "exp 1 < now 2")
    assert str(error) == "expired: exp 1 < now 2"
    assert str(LtiLaunchError(R.EXPIRED)) == "expired"


def test_launch_nonce_retention_capped_for_far_future_exp(tool, clock, monkeypatch):
    seen = {}

    def consume(nonce, expires_at):
        seen[nonce] = expires_at
        return True

    monkeypatch.setattr(tool.nonces, "consume", consume)
    now = int(clock().timestamp())
    tool.login_and_launch(exp=now + 10 * 365 * 86400)
    tool.login_and_launch(exp=now + 120)
    first, second = seen.values()
    assert first == clock() + timedelta(hours=1)
    assert second == clock() + timedelta(seconds=180)  # exp + leeway


def test_launch_not_before_in_future_rejected(tool, clock):
    _rejects(tool, R.ISSUED_IN_FUTURE, nbf=int(clock().timestamp()) + 300)


def test_launch_not_before_past_accepted(tool, clock):
    assert tool.login_and_launch(nbf=int(clock().timestamp()) - 5).subject == "user-42"


def test_launch_payload_not_an_object_rejected(tool):
    login = tool.login()
    header = base64.urlsafe_b64encode(b'{"alg":"RS256","kid":"k"}').decode().rstrip("=")
    body = base64.urlsafe_b64encode(b"[1, 2]").decode().rstrip("=")
    with pytest.raises(LtiLaunchError) as info:
        tool.launch(f"{header}.{body}.sig", login.state)
    assert info.value.reason is R.MALFORMED_TOKEN
