import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
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


class _FlakyHandler(BaseHTTPRequestHandler):
    """Answers 503 to the first ``failures`` requests, then 200; sleeps on /slow."""

    failures = 0
    seen = 0

    def do_GET(self):
        type(self).seen += 1
        if self.path == "/slow":
            time.sleep(0.5)
        status = 503 if type(self).seen <= type(self).failures else 200
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        return


@pytest.fixture
def local_server():
    handler = type("Handler", (_FlakyHandler,), {"failures": 0, "seen": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_build_session_retries_503_over_real_http(local_server):
    handler, base = local_server
    handler.failures = 2
    response = build_session(retries=2, backoff_factor=0).get(base + "/x")
    assert response.status_code == 200
    assert handler.seen == 3


def test_build_session_gives_up_after_retries_with_last_status(local_server):
    handler, base = local_server
    handler.failures = 10
    response = build_session(retries=1, backoff_factor=0).get(base + "/x")
    assert response.status_code == 503
    assert handler.seen == 2


def test_build_session_read_timeout_raises_instead_of_hanging(local_server):
    _, base = local_server
    session = build_session(timeout=(1.0, 0.1), retries=0)
    started = time.monotonic()
    with pytest.raises(requests.RequestException, match="Read timed out"):
        session.get(base + "/slow")
    assert time.monotonic() - started < 0.45
