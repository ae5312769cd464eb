import pytest
import requests
import responses

from lti.errors import JwksFetchError
from lti.http import DEFAULT_TIMEOUT, build_session
from lti.jwks import PlatformKeySets, fetch_jwks

from .conftest import JWKS_URL


def _sets(clock):
    return PlatformKeySets(build_session(), clock=clock)


def test_jwks_find_key_cached_within_ttl(platform, clock):
    sets = _sets(clock)
    kid = platform.key.kid
    assert sets.find_key(JWKS_URL, kid)["kid"] == kid
    clock.advance(minutes=59)
    assert sets.find_key(JWKS_URL, kid)["kid"] == kid
    assert platform.jwks_calls == 1


def test_jwks_find_key_refetched_after_ttl(platform, clock):
    sets = _sets(clock)
    sets.find_key(JWKS_URL, platform.key.kid)
    clock.advance(hours=1)
    sets.find_key(JWKS_URL, platform.key.kid)
    assert platform.jwks_calls == 2


def test_jwks_unknown_kid_refetch_rate_limited(platform, clock):
    sets = _sets(clock)
    sets.find_key(JWKS_URL, platform.key.kid)
    assert sets.find_key(JWKS_URL, "bogus") is None
    assert platform.jwks_calls == 1  # within 30 s of the last fetch: no refetch
    clock.advance(seconds=30)
    assert sets.find_key(JWKS_URL, "bogus") is None
    assert platform.jwks_calls == 2


def test_jwks_unknown_kid_found_after_platform_rotation(platform, clock):
    sets = _sets(clock)
    sets.find_key(JWKS_URL, platform.key.kid)
    clock.advance(minutes=5)
    new = platform.rotate()
    assert sets.find_key(JWKS_URL, new.kid)["kid"] == new.kid


def test_jwks_refresh_failure_keeps_stale_set(platform, clock, rsps, caplog):
    sets = _sets(clock)
    kid = platform.key.kid
    sets.find_key(JWKS_URL, kid)
    rsps.replace(responses.GET, JWKS_URL, status=500)
    clock.advance(hours=2)
    assert sets.find_key(JWKS_URL, kid)["kid"] == kid
    assert "using the cached set" in caplog.text


def test_jwks_fetch_uses_timeout(platform, rsps):
    fetch_jwks(build_session(), JWKS_URL)
    assert rsps.calls[0].request.req_kwargs["timeout"] == DEFAULT_TIMEOUT


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": 404},
        {"body": "not json"},
        {"json": {"no": "keys"}},
        {"json": {"keys": "nope"}},
        {"body": requests.ConnectTimeout("slow")},
    ],
)
def test_jwks_fetch_failures_raise(rsps, kwargs):
    rsps.add(responses.GET, "https://p.example/jwks", **kwargs)
    with pytest.raises(JwksFetchError):
        fetch_jwks(build_session(), "https://p.example/jwks")


def test_jwks_fetch_skips_non_object_entries(rsps):
    rsps.add(responses.GET, "https://p.example/jwks", json={"keys": [1, {"kid": "a"}]})
    assert fetch_jwks(build_session(), "https://p.example/jwks") == [{"kid": "a"}]
