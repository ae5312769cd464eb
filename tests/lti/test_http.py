import responses

from lti.http import DEFAULT_TIMEOUT, RETRY_STATUSES, USER_AGENT, build_session


def test_build_session_sets_default_timeout_and_user_agent(rsps):
    rsps.add(responses.GET, "https://p.example/x", json={})
    build_session().get("https://p.example/x")
    request = rsps.calls[0].request
    assert request.req_kwargs["timeout"] == DEFAULT_TIMEOUT
    assert request.headers["User-Agent"] == USER_AGENT


def test_build_session_explicit_timeout_kept(rsps):
    rsps.add(responses.GET, "https://p.example/x", json={})
    build_session().get("https://p.example/x", timeout=1)
    assert rsps.calls[0].request.req_kwargs["timeout"] == 1


def test_build_session_retries_configured_for_both_schemes():
    session = build_session(retries=4, backoff_factor=1.5)
    for prefix in ("https://", "http://"):
        retry = session.get_adapter(prefix + "p.example").max_retries
        assert retry.total == 4
        assert retry.backoff_factor == 1.5
        assert set(RETRY_STATUSES) <= set(retry.status_forcelist)
        assert "POST" in retry.allowed_methods
        assert retry.respect_retry_after_header is False
