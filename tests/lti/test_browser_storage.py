"""A real browser launch inside a cross-site iframe, completed through platform storage.

The platform page (``localhost``) frames the tool (``127.0.0.1``, another site). The
tool's launch view ignores cookies, as a browser blocking every third-party cookie
would leave it, so the launch can only complete through the LTI postMessage storage
(``lti.put_data`` at login, ``lti.get_data`` at launch) that the platform page hosts.
"""

import json
import shutil
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from flask import Flask, request
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from lti import claims
from lti.errors import LtiLaunchError
from lti.flask_adapter import (
    html_response,
    launch_error_response,
    login_response,
    pending_launch_response,
    request_params,
)
from lti.http import build_session
from lti.jwks import PlatformKeySets
from lti.launch import LaunchValidator, PendingLaunch
from lti.oidc_login import initiate_login
from lti.stores import (
    InMemoryLaunchDataStore,
    InMemoryNonceStore,
    InMemoryRegistrationStore,
    PlatformRegistration,
)
from tests.servers import serving

from .conftest import make_key

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium executable"),
]

STORAGE_FRAME = """<!DOCTYPE html><script>
var store = {};
window.addEventListener("message", function (e) {
  var d = e.data || {}, key = e.origin + "|" + d.key;
  var reply = {subject: d.subject + ".response", message_id: d.message_id, key: d.key};
  if (d.subject === "lti.put_data") { store[key] = d.value; reply.value = d.value; }
  else if (d.subject === "lti.get_data") {
    if (key in store) { reply.value = store[key]; }
    else { reply.error = {code: "bad_request", message: "unknown key"}; }
  } else { return; }
  e.source.postMessage(reply, e.origin);
});
</script>"""


class _Platform(BaseHTTPRequestHandler):
    """Course page, storage frame, JWKS and authorization endpoint of the platform."""

    base = ""
    tool = ""
    key = make_key("browser-platform")

    def log_message(self, *args):
        return

    def _html(self, body: str, content_type: str = "text/html") -> None:
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        parts = urlsplit(self.path)
        if parts.path == "/course":
            login = (
                self.tool
                + "/lti/login?"
                + urlencode(
                    {
                        "iss": self.base,
                        "login_hint": "u",
                        "target_link_uri": self.tool + "/lti/launch",
                        "client_id": "browser-client",
                        "lti_storage_target": "post_message_forwarding",
                    }
                )
            )
            storage = '<iframe name="post_message_forwarding" src="/storage"></iframe>'
            if "nostorage" in parts.query:
                storage = ""  # a platform that announced storage but offers no frame
            self._html(
                f'{storage}<iframe id="tool" src="{login}" width="600" height="300">'
                "</iframe>"
            )
        elif parts.path == "/storage":
            self._html(STORAGE_FRAME)
        elif parts.path == "/jwks":
            self._html(json.dumps({"keys": [self.key.jwk]}), "application/json")
        elif parts.path == "/auth":
            self._html(
                self._authorize({k: v[0] for k, v in parse_qs(parts.query).items()})
            )

    def _authorize(self, query):
        now = int(time.time())
        body = {
            "iss": self.base,
            "aud": "browser-client",
            "sub": "browser-user",
            "iat": now,
            "exp": now + 300,
            "nonce": query["nonce"],
            claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_RESOURCE_LINK,
            claims.VERSION: claims.LTI_VERSION,
            claims.DEPLOYMENT_ID: "browser-deployment",
            claims.TARGET_LINK_URI: self.tool + "/lti/launch",
            claims.RESOURCE_LINK: {"id": "rl"},
            claims.ROLES: [claims.ROLE_LEARNER],
        }
        token = jwt.encode(
            body, self.key.private_pem, "RS256", headers={"kid": self.key.kid}
        )
        return (
            f'<form id="f" method="post" action="{query["redirect_uri"]}">'
            f'<input type="hidden" name="id_token" value="{token}">'
            f'<input type="hidden" name="state" value="{query["state"]}"></form>'
            '<script>document.getElementById("f").submit();</script>'
        )


def _tool_app(platform_url: str, tool_url: str) -> tuple[Flask, list[str]]:
    registrations = InMemoryRegistrationStore(
        [
            PlatformRegistration(
                issuer=platform_url,
                client_id="browser-client",
                auth_login_url=platform_url + "/auth",
                auth_token_url=platform_url + "/token",
                jwks_url=platform_url + "/jwks",
                deployment_ids=("browser-deployment",),
            )
        ]
    )
    launch_data = InMemoryLaunchDataStore()
    session = build_session(retries=0)
    validator = LaunchValidator(
        registrations=registrations,
        nonces=InMemoryNonceStore(),
        launch_data=launch_data,
        key_sets=PlatformKeySets(session),
        session=session,
    )
    paths: list[str] = []
    app = Flask("browser-tool")

    @app.route("/lti/login", methods=["GET", "POST"])
    def login():
        result = initiate_login(
            request_params(request),
            registrations=registrations,
            launch_data=launch_data,
            launch_url=tool_url + "/lti/launch",
            login_url=tool_url + "/lti/login",
        )
        return login_response(result)

    @app.post("/lti/launch")
    def launch():
        try:
            # No cookies at all: what a browser blocking third-party cookies sends.
            result = validator.validate(
                request_params(request), {}, storage_check_url=tool_url + "/lti/check"
            )
        except LtiLaunchError as error:
            return launch_error_response(error)
        assert isinstance(result, PendingLaunch)
        paths.append("pending")
        return pending_launch_response(result)

    @app.post("/lti/check")
    def check():
        form = request.form
        try:
            context = validator.complete_storage_check(
                form["launch_id"], form["state"], form["nonce"]
            )
        except LtiLaunchError as error:
            return launch_error_response(error)
        paths.append("completed")
        return html_response(f"<p id='done'>Launched as {context.subject}</p>")

    return app, paths


@pytest.fixture
def servers():
    platform = ThreadingHTTPServer(("127.0.0.1", 0), _Platform)
    platform_url = f"http://localhost:{platform.server_port}"
    tool_server = make_server("127.0.0.1", 0, Flask("placeholder"), threaded=True)
    tool_url = f"http://127.0.0.1:{tool_server.server_port}"
    app, paths = _tool_app(platform_url, tool_url)
    tool_server.app = app
    handler = type("P", (_Platform,), {"base": platform_url, "tool": tool_url})
    platform.RequestHandlerClass = handler
    with serving(platform, tool_server):
        yield platform_url, paths


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            # Keep the cross-site iframe in-process: Playwright then tracks its
            # navigations reliably. Origins, postMessage and cookies are unaffected.
            args=[
                "--test-third-party-cookie-phaseout",
                "--disable-site-isolation-trials",
                "--disable-features=IsolateOrigins,site-per-process",
            ],
        )
        yield chromium
        chromium.close()


def test_browser_iframe_launch_completes_through_platform_storage(servers, browser):
    platform_url, paths = servers
    page = browser.new_page()
    page.goto(platform_url + "/course")
    done = page.frame_locator("#tool").locator("#done")
    done.wait_for(timeout=30000)
    assert done.inner_text() == "Launched as browser-user"
    assert paths == ["pending", "completed"]


def test_browser_iframe_without_storage_frame_offers_a_new_window(servers, browser):
    platform_url, paths = servers
    page = browser.new_page()
    page.goto(platform_url + "/course?nostorage=1")
    failed = page.frame_locator("#tool").locator("#lti-failed")
    failed.wait_for(state="visible", timeout=30000)
    offer = failed.locator("a[target=_blank]")
    assert offer.inner_text() == "Open in a new window"
    assert "lti1p3_new_window=1" in offer.get_attribute("href")
    assert paths == ["pending"]  # validated server-side, never completed
