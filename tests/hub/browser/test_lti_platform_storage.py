"""A cookie-less LTI launch of the real hub through the platform's postMessage storage
(LTI Client Side postMessages, ``lti_storage_target``) in headless Chromium.

The platform's course page (``localhost``, another site than the hub on
``127.0.0.1``) frames the hub's login initiation URL next to its storage frame, which
answers ``lti.put_data``/``lti.get_data``; its authorization endpoint has the platform
simulator sign the id_token. Every request the hub's frame makes goes through a route
that drops ``Cookie`` and ``Set-Cookie``, as a browser blocking third-party cookies
would: the hub must find state and nonce in platform storage, then offers the player
in a new window (first-party), since its session cookie cannot reach the frame.
"""

from __future__ import annotations

import html
import http.client
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from hub import create_app
from hub.db import Base
from hub.extensions import db
from hub.models import LtiLaunchData, Registration
from hub.services import lti_platforms
from lti import claims
from tests.factories import make_course, make_org
from tests.hub.browser.conftest import CHROMIUM_ARGS
from tests.hub.conftest import (
    create_postgres_database,
    make_settings,
    migrate,
    postgres_base_url,
)
from tests.hub.functional.test_packages import SCORM12
from tests.hub.functional.test_player import import_demo
from tests.lti.simulator import SCORE_SCOPES, Client, PlatformSimulator
from tests.lti.test_browser_storage import STORAGE_FRAME
from tests.servers import serving

pytestmark = pytest.mark.browser

CLIENT_ID = "storage-client"
STORAGE_FRAME_NAME = "platform-storage"
#: The hub's storage page waits 5 s for each answer (lti/platform_storage.py).
FLOW_TIMEOUT_MS = 45_000

# The storage frame of the lti layer's browser test answers put/get (lti-pm-s §3);
# this listener beside it logs every message, so the test sees what the hub stored
# and read. Alone, it plays a platform that never answers.
MESSAGE_LOG = """<script>
window.messages = [];
window.addEventListener("message", function (e) {
  var d = e.data || {};
  window.messages.push({subject: d.subject, key: d.key, value: d.value || null,
                        origin: e.origin});
});
</script>"""


class _PlatformPage(BaseHTTPRequestHandler):
    """The platform's browser side: course page, storage frame, authorization."""

    origin = ""
    login_url = ""
    sim: PlatformSimulator
    course_id = 0

    def log_message(self, *args: Any) -> None:
        return

    def _html(self, body: str) -> None:
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/course":
            self._html(
                f'<iframe name="{STORAGE_FRAME_NAME}" src="/storage?{parts.query}">'
                f'</iframe><iframe id="tool" src="{html.escape(self.login_url)}" '
                'width="800" height="400"></iframe>'
            )
        elif parts.path == "/storage":
            answers = "" if "mute" in parts.query else STORAGE_FRAME
            self._html(answers + MESSAGE_LOG)
        elif parts.path == "/auth":
            self._authorize(self.origin + self.path)
        else:
            self.send_error(404)

    def _authorize(self, auth_url: str) -> None:
        """The OIDC authorization endpoint: the simulator signs the id_token."""
        form = self.sim.authorize(
            auth_url, **{claims.CUSTOM: {"hub_course_id": str(self.course_id)}}
        )
        target = parse_qs(urlsplit(auth_url).query)["redirect_uri"][0]
        inputs = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
            for name, value in form.items()
        )
        self._html(
            f'<form id="f" method="post" action="{html.escape(target)}">'
            f'{inputs}</form><script>document.getElementById("f").submit();</script>'
        )


@dataclass
class HubExchange:
    """One request of the hub's frame, as the route forwarded it."""

    method: str
    path: str
    status: int
    dropped_cookies: list[str]
    body: str


#: Response headers the forwarder does not pass on (cookies; framing it recomputes).
DROPPED_HEADERS = ("set-cookie", "content-length", "transfer-encoding", "connection")


def _forward(
    base_url: str, method: str, path: str, headers: dict[str, str], body: bytes | None
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One HTTP exchange with the hub, outside the browser."""
    target = urlsplit(base_url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def _in_child_frame(request) -> bool:
    from playwright.sync_api import Error

    try:
        return request.frame.parent_frame is not None
    except Error:  # a new window's first navigation: its frame does not exist yet
        return False


@dataclass
class CookielessFrames:
    """Forwards the hub frame's requests itself, without cookies either way; the
    top-level window (the new window) keeps the browser's own cookie handling."""

    hub_url: str
    exchanges: list[HubExchange] = field(default_factory=list)

    def handle(self, route) -> None:
        request = route.request
        if not _in_child_frame(request):
            route.continue_()
            return
        # Intercepted requests carry no Cookie header (the network stack adds it
        # later), and this forwarder never adds one: the hub sees what a browser
        # blocking third-party cookies sends. Sec-Fetch-* are added later too; the
        # hub tells a framed launch by Sec-Fetch-Dest, so the frame's navigations
        # get it here.
        headers = {k: v for k, v in request.headers.items() if k.lower() != "cookie"}
        if request.is_navigation_request():
            headers["Sec-Fetch-Dest"] = "iframe"
        path = urlsplit(request.url)._replace(scheme="", netloc="").geturl()
        status, answer, body = _forward(
            self.hub_url, request.method, path, headers, request.post_data_buffer
        )
        dropped = [v.split("=", 1)[0] for k, v in answer if k.lower() == "set-cookie"]
        kept = {k: v for k, v in answer if k.lower() not in DROPPED_HEADERS}
        self.exchanges.append(
            HubExchange(
                request.method,
                urlsplit(request.url).path,
                status,
                dropped,
                body.decode("utf-8", "replace"),
            )
        )
        route.fulfill(status=status, headers=kept, body=body)

    def paths(self) -> list[tuple[str, str, int]]:
        return [(e.method, e.path, e.status) for e in self.exchanges]


@dataclass
class Servers:
    hub_app: Any
    hub_url: str
    platform_url: str


def _hub_database(tmp_path) -> str:
    if postgres_base_url() is None:
        return f"sqlite:///{tmp_path / 'hub.db'}"
    url = create_postgres_database(f"hub_storage_{uuid.uuid4().hex[:8]}")
    migrate(url)
    return url


def _arrange(hub_app, sim: PlatformSimulator, platform_url: str) -> int:
    """The simulator's platform (authorizing on the platform page's origin) and a
    SCORM course; returns the course id."""
    hub_app.extensions["celery"].set_current()  # the import task runs on this app
    with hub_app.app_context():
        session = db.session
        org = make_org(session, slug="storage-org")
        lti_platforms.create_platform(
            session,
            org_id=org.id,
            data=lti_platforms.PlatformIn(
                name="Storage LMS",
                issuer=sim.url,
                client_id=CLIENT_ID,
                auth_login_url=platform_url + "/auth",
                auth_token_url=sim.url + "/token",
                jwks_url=sim.url + "/jwks",
                deployment_ids=["storage-deployment"],
            ),
        )
        package_id = import_demo(hub_app, session, org, SCORM12)
        course = make_course(session, org, code="PMS", package_id=package_id)
        session.commit()
        return course.id


@pytest.fixture
def servers(app, tmp_path) -> Iterator[Servers]:
    """The hub on 127.0.0.1, the platform's pages on ``localhost`` (another site)."""
    hub_server = make_server("127.0.0.1", 0, lambda e, s: [], threaded=True)
    hub_url = f"http://127.0.0.1:{hub_server.server_port}"
    database_url = _hub_database(tmp_path)
    hub_app = create_app(
        make_settings(tmp_path, database_url=database_url, base_url=hub_url)
    )
    if database_url.startswith("sqlite"):
        Base.metadata.create_all(hub_app.extensions["hub.db"].engine)
    hub_server.app = hub_app
    page_server = ThreadingHTTPServer(("127.0.0.1", 0), _PlatformPage)
    platform_url = f"http://localhost:{page_server.server_port}"
    tool = hub_app.extensions["hub.lti"]
    with PlatformSimulator() as sim:
        sim.state.clients[CLIENT_ID] = Client(
            client_id=CLIENT_ID,
            deployment_id="storage-deployment",
            jwks_uri=tool.info.jwks_url,
            redirect_uris=list(tool.info.redirect_uris),
            scopes=list(SCORE_SCOPES),
        )
        params = sim.login_initiation(CLIENT_ID, tool.info.launch_url)
        params["lti_storage_target"] = STORAGE_FRAME_NAME
        page_server.RequestHandlerClass = type(
            "Page",
            (_PlatformPage,),
            {
                "origin": platform_url,
                "login_url": f"{tool.info.login_url}?{urlencode(params)}",
                "sim": sim,
                "course_id": _arrange(hub_app, sim, platform_url),
            },
        )
        with serving(hub_server, page_server):
            yield Servers(hub_app, hub_url, platform_url)
    hub_app.extensions["hub.db"].engine.dispose()
    # create_app made this hub's Celery app the process default: give it back.
    app.extensions["celery"].set_default()
    app.extensions["celery"].set_current()


@pytest.fixture
def framed_browser(chromium_path):
    """Chromium keeping cross-site frames in-process, so routes and frames are
    tracked reliably (origins, postMessage and cookies are unaffected)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                *CHROMIUM_ARGS,
                "--disable-site-isolation-trials",
                # A page fulfilled by a route has no IP address: Local Network
                # Access then counts it public and blocks its navigation to the
                # platform on loopback. The hub's frame is on loopback in truth.
                "--disable-features=IsolateOrigins,site-per-process,"
                "LocalNetworkAccessChecks",
            ],
        )
        yield chromium
        chromium.close()


def _open_course(framed_browser, servers: Servers, query: str = ""):
    context = framed_browser.new_context()
    frames = CookielessFrames(servers.hub_url)
    context.route(f"{servers.hub_url}/**", frames.handle)
    page = context.new_page()
    page.goto(f"{servers.platform_url}/course?{query}")
    return context, page, frames


def _storage_log(page) -> list[dict[str, Any]]:
    return page.frame(name=STORAGE_FRAME_NAME).evaluate("window.messages")


def test_lti_cookieless_frame_launch_completes_through_platform_storage(
    servers, framed_browser
):
    context, page, frames = _open_course(framed_browser, servers)
    offer = page.frame_locator("#tool").locator("#lti-new-window a")
    offer.wait_for(state="visible", timeout=FLOW_TIMEOUT_MS)

    assert frames.paths() == [
        ("GET", "/lti/login", 200),
        ("POST", "/lti/launch", 200),  # valid, but no state cookie: the check page
        ("POST", "/lti/launch/check", 200),  # state and nonce read from storage
        ("GET", "/lti/session", 401),  # the frame sends no session cookie
    ]
    login, launch, check, _ = frames.exchanges
    assert 'id="lti-complete"' in launch.body  # lti.get_data, then post the values
    assert "hub_session" in check.dropped_cookies  # signed in, but not in this frame
    assert context.cookies(servers.hub_url) == []  # no cookie ever reached the jar

    # The hub stored state and nonce in the platform's frame at login and read
    # them back at launch, from its own origin (lti-pm-s §3).
    log = _storage_log(page)
    assert {m["origin"] for m in log} == {servers.hub_url}
    puts = {m["key"]: m["value"] for m in log if m["subject"] == "lti.put_data"}
    gets = {m["key"] for m in log if m["subject"] == "lti.get_data"}
    assert sorted(k.split("_")[1] for k in puts) == ["nonce", "state"]
    assert gets == set(puts)
    state = next(v for k, v in puts.items() if k.startswith("lti1p3_state_"))
    assert puts[f"lti1p3_state_{state}"] == state
    # The hub also offered its state cookie (the fallback); the frame never got it.
    assert [name for name in login.dropped_cookies if state in name]
    with servers.hub_app.app_context():
        # Login state and pending launch were consumed (single use); a learner's
        # validated launch is not kept (no later page reads it back), and the
        # learner has a registration.
        assert db.session.scalars(select(LtiLaunchData.key)).all() == []
        registration = db.session.scalar(select(Registration))
    assert registration is not None

    # The offer opens the player first-party, where the one-time link signs in.
    with context.expect_page() as popup_info:
        offer.click()
    popup = popup_info.value
    popup.wait_for_url("**/play/*", timeout=FLOW_TIMEOUT_MS)
    assert urlsplit(popup.url).path == f"/play/{registration.id}"
    assert popup.locator("body").inner_text()
    context.close()


def test_lti_cookieless_frame_without_storage_answer_shows_a_page_not_a_trace(
    servers, framed_browser
):
    context, page, frames = _open_course(framed_browser, servers, "mute=1")
    failed = page.frame_locator("#tool").locator("#lti-failed")
    failed.wait_for(state="visible", timeout=FLOW_TIMEOUT_MS)
    assert "Open in a new window" in failed.inner_text()
    # The login went on after the storage timeout; the launch validated and asked
    # for the values, which never came: nothing was completed, nobody signed in.
    assert frames.paths() == [("GET", "/lti/login", 200), ("POST", "/lti/launch", 200)]
    assert all("Traceback" not in e.body for e in frames.exchanges)
    log = _storage_log(page)
    assert {m["subject"] for m in log} == {"lti.put_data", "lti.get_data"}
    with servers.hub_app.app_context():
        assert db.session.scalar(select(Registration)) is None
    context.close()


def test_lti_cookieless_frame_without_storage_answer_offers_a_new_window(
    servers, framed_browser
):
    context, page, _ = _open_course(framed_browser, servers, "mute=1")
    frame = page.frame_locator("#tool")
    frame.locator("#lti-failed").wait_for(state="visible", timeout=FLOW_TIMEOUT_MS)
    offer = frame.locator("#lti-failed a[target=_blank]")
    assert offer.count() == 1
    # The new window logs in again first-party, where the state cookie works.
    with context.expect_page() as popup_info:
        offer.click()
    popup = popup_info.value
    popup.wait_for_url("**/play/*", timeout=FLOW_TIMEOUT_MS)
    with servers.hub_app.app_context():
        registration = db.session.scalar(select(Registration))
    assert urlsplit(popup.url).path == f"/play/{registration.id}"
    context.close()
