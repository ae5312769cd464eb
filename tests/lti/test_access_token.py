import pytest
import requests
import responses

from lti import claims
from lti.access_token import EXPIRY_MARGIN, token_cache_key
from lti.errors import AccessTokenError, AgsError
from lti.http import DEFAULT_TIMEOUT

from .conftest import TOKEN_URL, registration

SCOPES = [claims.SCOPE_SCORE, claims.SCOPE_LINEITEM]


def test_access_token_first_call_requests_with_jwt_assertion(connector, token_endpoint):
    assert connector.get_access_token(SCOPES) == "token-1"
    form = token_endpoint.calls[0]
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"] == claims.CLIENT_ASSERTION_TYPE_JWT_BEARER
    assert form["scope"] == " ".join(sorted(SCOPES))


def test_access_token_cached_per_scope_set(connector, token_endpoint):
    connector.get_access_token(SCOPES)
    assert connector.get_access_token(list(reversed(SCOPES))) == "token-1"
    assert connector.get_access_token([claims.SCOPE_SCORE]) == "token-2"
    assert len(token_endpoint.calls) == 2


def test_access_token_renewed_after_expires_in(connector, token_endpoint, clock):
    token_endpoint.expires_in = 120
    connector.get_access_token(SCOPES)
    clock.advance(seconds=120 - EXPIRY_MARGIN.total_seconds() - 1)
    assert connector.get_access_token(SCOPES) == "token-1"
    clock.advance(seconds=2)
    assert connector.get_access_token(SCOPES) == "token-2"


def test_access_token_without_expires_in_defaults_to_one_hour(
    connector, token_endpoint, clock
):
    token_endpoint.expires_in = None
    connector.get_access_token(SCOPES)
    clock.advance(minutes=59)
    assert connector.get_access_token(SCOPES) == "token-1"
    clock.advance(minutes=1)
    assert connector.get_access_token(SCOPES) == "token-2"


def test_access_token_refused_carries_status_and_body(connector, token_endpoint):
    token_endpoint.status = 401
    with pytest.raises(AccessTokenError) as info:
        connector.get_access_token(SCOPES)
    assert info.value.status == 401
    assert "invalid_client" in info.value.body
    assert info.value.url == TOKEN_URL
    assert not info.value.retryable


def test_access_token_garbage_response_rejected(connector, rsps):
    rsps.replace(responses.POST, TOKEN_URL, body="<html>", status=200)
    with pytest.raises(AccessTokenError, match="unusable"):
        connector.get_access_token(SCOPES)


def test_access_token_network_error_is_retryable(connector, rsps):
    rsps.replace(
        responses.POST, TOKEN_URL, body=requests.ConnectionError("connection refused")
    )
    with pytest.raises(AccessTokenError) as info:
        connector.get_access_token(SCOPES)
    assert info.value.status is None
    assert info.value.retryable


def test_access_token_request_uses_timeout(connector, rsps, token_endpoint):
    connector.get_access_token(SCOPES)
    call = next(c for c in rsps.calls if c.request.url == TOKEN_URL)
    assert call.request.req_kwargs["timeout"] == DEFAULT_TIMEOUT


def test_access_token_audience_override_used(connector, token_endpoint, rsps):
    connector.record = registration(auth_audience="https://platform.example/aud")
    connector.get_access_token(SCOPES)
    assert token_endpoint.assertions[0]["aud"] == "https://platform.example/aud"


def test_access_token_assertion_claims(connector, token_endpoint, clock, keyring):
    connector.get_access_token(SCOPES)
    payload = token_endpoint.assertions[0]
    assert payload["aud"] == TOKEN_URL
    assert payload["iat"] == int(clock().timestamp())
    assert payload["exp"] == payload["iat"] + 300
    assert payload["jti"]


def test_service_request_401_retries_once_with_new_token(
    connector, rsps, token_endpoint
):
    url = "https://platform.example/lineitems/1"
    rsps.add(responses.GET, url, status=401, body="expired")
    rsps.add(responses.GET, url, json={"label": "x", "scoreMaximum": 1})
    result = connector.request(SCOPES, url, error_type=AgsError, what="get")
    assert result["body"] == {"label": "x", "scoreMaximum": 1}
    assert len(token_endpoint.calls) == 2


def test_service_request_5xx_raises_with_status(connector, rsps, token_endpoint):
    url = "https://platform.example/lineitems/1"
    rsps.add(responses.GET, url, status=500, body="boom")
    with pytest.raises(AgsError) as info:
        connector.request(SCOPES, url, error_type=AgsError, what="get")
    assert info.value.status == 500
    assert info.value.body == "boom"
    assert info.value.retryable


def test_token_cache_key_differs_by_client_and_scopes():
    a = token_cache_key(registration(), SCOPES)
    assert a == token_cache_key(registration(), list(reversed(SCOPES)))
    assert a != token_cache_key(registration(client_id="other"), SCOPES)
    assert a != token_cache_key(registration(), [claims.SCOPE_SCORE])


def test_service_request_network_error_is_retryable_service_error(
    connector, rsps, token_endpoint
):
    url = "https://platform.example/lineitems/1"
    rsps.add(responses.GET, url, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(AgsError, match="read timed out") as info:
        connector.request(SCOPES, url, error_type=AgsError, what="get")
    assert info.value.status is None
    assert info.value.retryable
