"""LTI administration: manual registration (page and CLI), the tool's values and the
Canvas JSON, dynamic registration against the platform simulator, key rotation."""

# hub_env is a fixture imported from test_cli; pytest injects it by name.
# ruff: noqa: F811

import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from hub.models import LtiToolKey, Platform, PlatformOrigin
from tests.factories import make_org
from tests.hub.functional.test_cli import hub_env, run  # noqa: F401 - fixture
from tests.lti.simulator import PlatformSimulator

FORM = {
    "name": "University Canvas",
    "issuer": "https://canvas.instructure.com",
    "client_id": "10000000000001",
    "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
    "jwks_url": "https://sso.canvaslms.com/api/lti/security/jwks",
    "deployment_ids": "1:abc\n2:def",
}


def test_lti_admin_registers_a_platform_by_hand(admin_web, session, org):
    response = admin_web.post("/admin/lti/platforms", FORM)
    assert response.status_code == 302
    platform = session.scalar(select(Platform))
    assert (platform.org_id, platform.client_id) == (org.id, "10000000000001")
    assert platform.deployment_ids == ["1:abc", "2:def"]
    assert platform.created_via is PlatformOrigin.MANUAL
    page = admin_web.get("/admin/lti/platforms").get_data(as_text=True)
    assert "University Canvas" in page and "1:abc, 2:def" in page


def test_lti_admin_form_rejects_bad_urls(admin_web, session):
    response = admin_web.post("/admin/lti/platforms", {**FORM, "jwks_url": "nope"})
    assert response.status_code == 422
    assert session.scalar(select(Platform)) is None


def test_lti_admin_form_rejects_urls_longer_than_stored(admin_web, session):
    """A valid https URL may run to 2083 characters; the table keeps 1000."""
    long = "https://sso.example.edu/" + "x" * 1100
    response = admin_web.post("/admin/lti/platforms", {**FORM, "jwks_url": long})
    assert response.status_code == 422
    assert "jwks_url" in response.get_data(as_text=True)
    assert session.scalar(select(Platform)) is None


def test_lti_dynamic_registration_longer_than_stored_is_refused(session, org):
    from hub.errors import ValidationError
    from hub.services.lti_stores import SqlRegistrationStore
    from lti import PlatformRegistration

    store = SqlRegistrationStore(
        session, org_id=org.id, created_via=PlatformOrigin.DYNAMIC, name=None
    )
    registration = PlatformRegistration(
        issuer="https://lms.example.edu/" + "i" * 600,
        client_id="c",
        auth_login_url=FORM["auth_login_url"],
        auth_token_url=FORM["auth_token_url"],
        jwks_url=FORM["jwks_url"],
        deployment_ids=("d",),
    )
    with pytest.raises(ValidationError, match="issuer"):
        store.save_platform(registration)
    assert session.scalar(select(Platform)) is None


def test_lti_admin_cannot_take_another_orgs_client(admin_web, session, settings):
    from hub.services import lti_platforms

    other = make_org(session, slug="other")
    data = {**FORM, "deployment_ids": ["x"]}
    lti_platforms.create_platform(
        session, org_id=other.id, data=lti_platforms.PlatformIn(**data)
    )
    session.commit()
    response = admin_web.post("/admin/lti/platforms", FORM)
    assert response.status_code == 409
    assert session.scalar(select(Platform)).org_id == other.id


def test_lti_admin_adds_a_deployment(admin_web, session):
    admin_web.post("/admin/lti/platforms", FORM)
    platform = session.scalar(select(Platform))
    admin_web.post(
        f"/admin/lti/platforms/{platform.id}/deployments", {"deployment_id": "3:ghi"}
    )
    session.expire_all()
    assert session.get(Platform, platform.id).deployment_ids[-1] == "3:ghi"


def test_lti_admin_page_shows_the_tool_values_and_canvas_json(admin_web, app):
    page = admin_web.get("/admin/lti/platforms").get_data(as_text=True)
    tool = app.extensions["hub.lti"].info
    for url in (tool.login_url, tool.launch_url, tool.jwks_url, tool.deep_linking_url):
        assert url in page
    canvas = json.loads(
        unescape(re.search(r'<pre id="canvas-json">(.*?)</pre>', page, re.S).group(1))
    )
    assert canvas["oidc_initiation_url"] == tool.login_url
    assert canvas["public_jwk_url"] == tool.jwks_url


def _registration_url(admin_web):
    page = admin_web.get("/admin/lti/platforms").get_data(as_text=True)
    url = unescape(
        re.search(r'<code id="registration-url">([^<]+)</code>', page).group(1)
    )
    assert url.split("?")[0].endswith("/lti/register")
    return url.split("?org=", 1)[1]


@pytest.fixture
def insecure_platforms(settings, monkeypatch):
    # The simulator speaks http on 127.0.0.1; production requires https.
    monkeypatch.setattr(settings.lti, "allow_insecure_platforms", True)


def test_lti_dynamic_registration_with_the_simulator(
    admin_web, web, session, org, insecure_platforms
):
    org_token = _registration_url(admin_web)
    with PlatformSimulator() as sim:
        response = web.client.get(
            "/lti/register",
            query_string={
                "org": org_token,
                "openid_configuration": sim.config_url,
                "registration_token": sim.state.registration_token,
            },
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        assert "org.imsglobal.lti.close" in response.get_data(as_text=True)
        client = sim.state.clients["client-1"]
    platform = session.scalar(select(Platform))
    assert (platform.org_id, platform.issuer, platform.client_id) == (
        org.id,
        sim.url,
        "client-1",
    )
    assert platform.deployment_ids == ["deployment-1"]
    assert platform.created_via is PlatformOrigin.DYNAMIC
    assert client.jwks_uri.endswith("/lti/jwks.json")
    assert session.scalar(select(LtiToolKey)) is not None  # published before use


def test_lti_dynamic_registration_failure_is_a_4xx_page(
    admin_web, web, session, insecure_platforms
):
    org_token = _registration_url(admin_web)
    with PlatformSimulator() as sim:
        response = web.client.get(
            "/lti/register",
            query_string={
                "org": org_token,
                "openid_configuration": sim.config_url,
                "registration_token": "bad",
            },
        )
    assert response.status_code == 400
    assert session.scalar(select(Platform)) is None


def test_lti_dynamic_registration_needs_a_signed_org(web):
    response = web.client.get("/lti/register?org=forged&openid_configuration=x")
    assert response.status_code == 400


def test_lti_cli_adds_a_platform_and_rotates_keys(hub_env):
    created = run(hub_env, "create-org", "--slug", "lti-cli", "--name", "LTI CLI")
    assert created.returncode == 0, created.stderr
    args = [
        "lti",
        "add-platform",
        "--org",
        "lti-cli",
        "--name",
        "Moodle",
        "--issuer",
        "https://moodle.example",
        "--client-id",
        "abc",
        "--auth-login-url",
        "https://moodle.example/mod/lti/auth.php",
        "--token-url",
        "https://moodle.example/mod/lti/token.php",
        "--jwks-url",
        "https://moodle.example/mod/lti/certs.php",
        "--deployment-id",
        "1",
    ]
    result = run(hub_env, *args)
    assert result.returncode == 0, result.stderr
    assert "'Moodle' registered" in result.stdout
    bad = run(
        hub_env,
        *[a if a != "https://moodle.example/mod/lti/certs.php" else "x" for a in args],
    )
    assert bad.returncode != 0 and "jwks_url" in bad.stderr
    first, *again = [run(hub_env, "lti", "rotate-keys").stdout for _ in range(3)]
    assert "activated kid" in first  # then nothing: the new key is young
    assert all(out.startswith("nothing due") for out in again)
    sent = run(hub_env, "lti", "deliver-scores")
    assert sent.returncode == 0 and "0 pending score(s) sent" in sent.stdout
    synced = run(hub_env, "lti", "sync-rosters")
    assert synced.returncode == 0, synced.stderr


def test_lti_api_registers_and_lists_platforms(api, session, org):
    from tests.factories import make_api_key

    _, secret = make_api_key(session, org)
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    payload = {**FORM, "deployment_ids": ["1:abc"]}
    created = api.post("/api/v1/lti/platforms", headers=headers, json=payload)
    assert created.status_code == 201, created.json
    assert created.json["client_id"] == "10000000000001"
    assert created.json["created_via"] == "manual"
    listed = api.get("/api/v1/lti/platforms", headers=headers).json["data"]
    assert [p["name"] for p in listed] == ["University Canvas"]
    bad = api.post(
        "/api/v1/lti/platforms", headers=headers, json={**payload, "jwks_url": "x"}
    )
    assert bad.status_code == 422
    assert api.get("/api/v1/lti/platforms").status_code == 401
