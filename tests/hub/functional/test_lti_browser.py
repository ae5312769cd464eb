"""A real browser launches the hub inside a cross-site iframe with third-party cookies
phased out: the launch validates, the launch page finds the frame keeps no session and
offers a new window, where the learner reaches the player. The hub runs in-process on
127.0.0.1; the platform on ``localhost``. (The cookie-less platform-storage path in a
real browser is ``tests/lti/test_browser_storage.py``; the hub's storage check is in
``test_lti_deep_linking.py``.)"""

import time
from urllib.parse import urlsplit

import jwt
import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from hub import create_app
from hub.db import Base
from hub.extensions import db
from hub.models import Registration
from hub.services import lti_platforms
from lti import claims
from tests.factories import make_course, make_org
from tests.hub.conftest import make_settings
from tests.hub.functional.test_packages import SCORM12
from tests.hub.functional.test_player import import_demo
from tests.lti.test_browser_storage import CHROMIUM, _Platform
from tests.servers import serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium executable"),
]


class _HubPlatform(_Platform):
    """The library test's platform, launching a link bound to a hub course."""

    course_id = 0

    def _authorize(self, query):
        now = int(time.time())
        body = {
            "iss": self.base,
            "aud": "browser-client",
            "sub": "browser-user",
            "name": "Bea Browser",
            "iat": now,
            "exp": now + 300,
            "nonce": query["nonce"],
            claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_RESOURCE_LINK,
            claims.VERSION: claims.LTI_VERSION,
            claims.DEPLOYMENT_ID: "browser-deployment",
            claims.TARGET_LINK_URI: self.tool + "/lti/launch",
            claims.RESOURCE_LINK: {"id": "rl-browser"},
            claims.ROLES: [claims.ROLE_LEARNER],
            claims.CUSTOM: {"hub_course_id": str(self.course_id)},
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


def _prepare(app, platform_url):
    """An organization with the platform registered and a SCORM course."""
    app.extensions["celery"].set_current()
    with app.app_context():
        session = db.session
        org = make_org(session, slug="browser-org")
        lti_platforms.create_platform(
            session,
            org_id=org.id,
            data=lti_platforms.PlatformIn(
                name="Browser LMS",
                issuer=platform_url,
                client_id="browser-client",
                auth_login_url=platform_url + "/auth",
                auth_token_url=platform_url + "/token",
                jwks_url=platform_url + "/jwks",
                deployment_ids=["browser-deployment"],
            ),
        )
        package_id = import_demo(app, session, org, SCORM12)
        course = make_course(session, org, code="WEB", package_id=package_id)
        session.commit()
        return course.id


@pytest.fixture
def servers(app, tmp_path):
    from http.server import ThreadingHTTPServer

    platform = ThreadingHTTPServer(("127.0.0.1", 0), _HubPlatform)
    platform_url = f"http://localhost:{platform.server_port}"
    tool_server = make_server("127.0.0.1", 0, lambda e, s: [], threaded=True)
    tool_url = f"http://127.0.0.1:{tool_server.server_port}"
    hub_app = create_app(
        make_settings(
            tmp_path,
            database_url=f"sqlite:///{tmp_path / 'hub.db'}",
            base_url=tool_url,
        )
    )
    Base.metadata.create_all(hub_app.extensions["hub.db"].engine)
    course_id = _prepare(hub_app, platform_url)
    tool_server.app = hub_app
    handler = type(
        "P",
        (_HubPlatform,),
        {"base": platform_url, "tool": tool_url, "course_id": course_id},
    )
    platform.RequestHandlerClass = handler
    with serving(platform, tool_server):
        yield hub_app, platform_url
    hub_app.extensions["hub.db"].engine.dispose()
    # create_app made this hub's Celery app the process default: give it back to the
    # session's app, so later tests' tasks do not run against this closed database.
    app.extensions["celery"].set_default()
    app.extensions["celery"].set_current()


@pytest.fixture
def browser():
    """Chromium blocking every third-party cookie, partitioned (CHIPS) ones too."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--test-third-party-cookie-phaseout",
                "--disable-features=PartitionedCookies,IsolateOrigins,site-per-process",
                "--disable-site-isolation-trials",
            ],
        )
        yield chromium
        chromium.close()


def test_lti_browser_iframe_launch_without_session_cookie_opens_a_new_window(
    servers, browser
):
    app, platform_url = servers
    page = browser.new_page()
    launches = []
    page.on(
        "response",
        lambda r: launches.append(r.status) if r.url.endswith("/lti/launch") else None,
    )
    page.goto(platform_url + "/course")
    frame = page.frame_locator("#tool")
    # The login's state cookie is partitioned (CHIPS), so the launch validates in the
    # frame; over http the session cookie (SameSite=Lax) is not sent inside another
    # site's frame: the launch page finds that out and offers the new window.
    link = frame.locator("#lti-new-window a")
    link.wait_for(state="visible", timeout=30000)
    assert launches == [200]  # validated; the page that checks the session answered
    with page.context.expect_page() as popup_info:
        link.click()
    popup = popup_info.value
    popup.wait_for_url("**/play/*", timeout=30000)
    with app.app_context():
        registration = db.session.scalar(select(Registration))
    assert urlsplit(popup.url).path == f"/play/{registration.id}"
    assert popup.locator("body").inner_text()  # the player page rendered
