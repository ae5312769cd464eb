"""LTI 1.3 launches through the hub's test client against the platform simulator
(real HTTP on 127.0.0.1 for the platform's JWKS): login initiation, launch, user and
enrollment, player or roster; every rejection a 4xx page; tenancy."""

import json
import re

import pytest
from sqlalchemy import select, update

from hub.models import (
    CourseRole,
    Enrollment,
    LtiContext,
    LtiIdentity,
    LtiResourceLink,
    OrgRole,
    PackageVersion,
    Platform,
    Registration,
    User,
)
from hub.services import lti_launch, lti_platforms
from lti import HubRole, claims
from tests.factories import make_course, make_org, make_user
from tests.hub.functional.test_packages import SCORM12
from tests.hub.functional.test_player import import_demo
from tests.lti.simulator import SCORE_SCOPES, Client, PlatformSimulator

HTTPS = "https://localhost"
CLIENT_ID = "client-1"
DEPLOYMENT_ID = "deployment-1"


@pytest.fixture
def tool(app):
    return app.extensions["hub.lti"]


@pytest.fixture
def sim(tool):
    with PlatformSimulator() as simulator:
        simulator.state.clients[CLIENT_ID] = Client(
            client_id=CLIENT_ID,
            deployment_id=DEPLOYMENT_ID,
            jwks_uri=tool.info.jwks_url,
            redirect_uris=list(tool.info.redirect_uris),
            scopes=list(SCORE_SCOPES),
        )
        yield simulator


def register(session, org, sim, client_id=CLIENT_ID):
    return lti_platforms.create_platform(
        session,
        org_id=org.id,
        data=lti_platforms.PlatformIn(
            name="Simulator",
            issuer=sim.url,
            client_id=client_id,
            auth_login_url=sim.url + "/auth",
            auth_token_url=sim.url + "/token",
            jwks_url=sim.url + "/jwks",
            deployment_ids=[DEPLOYMENT_ID],
        ),
    )


@pytest.fixture
def platform(session, org, sim):
    platform = register(session, org, sim)
    session.commit()
    return platform


@pytest.fixture
def course(app, session, org):
    app.extensions["celery"].set_current()  # the import task runs on this app
    package_id = import_demo(app, session, org, SCORM12)
    course = make_course(
        session, org, code="BIO", title="Biology", package_id=package_id
    )
    session.commit()
    return course


def login(web, sim, tool, method="GET", target=None):
    """Login initiation; returns the platform's auth URL from the tool's answer."""
    params = sim.login_initiation(CLIENT_ID, target or tool.info.launch_url)
    if method == "GET":
        response = web.client.get("/lti/login", query_string=params, base_url=HTTPS)
    else:
        response = web.client.post("/lti/login", data=params, base_url=HTTPS)
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    return json.loads(re.search(r"var authUrl = (\"[^\"]*\");", page).group(1))


def launch(web, sim, tool, method="GET", target=None, **overrides):
    auth_url = login(web, sim, tool, method, target)
    form = sim.authorize(auth_url, **overrides)
    return web.client.post("/lti/launch", data=form, base_url=HTTPS), form


def custom(course):
    return {claims.CUSTOM: {"hub_course_id": str(course.id)}}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_lti_learner_launch_ends_in_the_player(
    web, session, sim, tool, platform, course, method
):
    response, _ = launch(web, sim, tool, method, **custom(course))
    assert response.status_code == 303, response.get_data(as_text=True)
    registration = session.scalar(select(Registration))
    assert response.headers["Location"] == f"/play/{registration.id}"
    # The session cookie travels cross-site into the platform's iframe.
    cookie = next(
        c
        for c in response.headers.getlist("Set-Cookie")
        if c.startswith("hub_session=")
    )
    assert "SameSite=None" in cookie and "Secure" in cookie
    player = web.client.get(response.headers["Location"], base_url=HTTPS)
    assert player.status_code == 200
    assert "frame-ancestors 'self' https:" in player.headers["Content-Security-Policy"]
    user = session.get(User, registration.user_id)
    assert (user.given_name, user.family_name, user.role) == (
        "Ada",
        "Lovelace",
        OrgRole.LEARNER,
    )
    assert user.email.endswith("@lti.invalid")  # the simulator shares no email
    identity = session.scalar(select(LtiIdentity))
    assert (identity.subject, identity.user_id) == ("user-1", user.id)
    enrollment = session.scalar(select(Enrollment))
    assert (enrollment.user_id, enrollment.course_id, enrollment.role) == (
        user.id,
        course.id,
        CourseRole.LEARNER,
    )
    link = session.scalar(select(LtiResourceLink))
    assert (link.resource_link_id, link.course_id) == ("rl-1", course.id)
    context = session.scalar(select(LtiContext))
    assert context.course_id == course.id
    assert context.nrps_url == sim.url + "/contexts/ctx-1/memberships"


def test_lti_second_launch_reuses_the_user_and_link(
    web, session, sim, tool, platform, course
):
    launch(web, sim, tool, **custom(course))
    # The link remembers its course: a later launch needs no custom parameter.
    response, _ = launch(web, sim, tool, name="Ada King")
    assert response.status_code == 303
    assert len(session.scalars(select(User)).all()) == 1
    assert session.scalar(select(User)).family_name == "King"


def test_lti_instructor_launch_ends_in_the_roster(
    web, session, sim, tool, platform, course
):
    response, _ = launch(
        web, sim, tool, **custom(course), **{claims.ROLES: [claims.ROLE_INSTRUCTOR]}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/teaching/courses/{course.id}"
    assert (
        web.client.get(response.headers["Location"], base_url=HTTPS).status_code == 200
    )
    user = session.scalar(select(User))
    assert user.role is OrgRole.INSTRUCTOR
    assert session.scalar(select(Enrollment)).role is CourseRole.INSTRUCTOR
    assert session.scalar(select(Registration)) is None


def test_lti_email_is_used_when_free(web, session, sim, tool, platform, course):
    launch(web, sim, tool, email="ada@example.edu", **custom(course))
    assert session.scalar(select(User)).email == "ada@example.edu"


def test_lti_launch_is_rejected_on_replay(web, session, sim, tool, platform, course):
    response, form = launch(web, sim, tool, **custom(course))
    assert response.status_code == 303
    replay = web.client.post("/lti/launch", data=form, base_url=HTTPS)
    assert replay.status_code == 400
    assert "state_unknown" in replay.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"aud": "someone-else"}, "wrong_audience"),
        ({claims.DEPLOYMENT_ID: "unknown-deployment"}, "unknown_deployment"),
        ({claims.VERSION: "1.1"}, "wrong_version"),
        ({claims.MESSAGE_TYPE: "LtiSubmissionReviewRequest"}, "wrong_message_type"),
        ({"exp": 1000}, "expired"),
        ({"nonce": "not-the-login-nonce"}, "nonce_mismatch"),
        ({"iss": "https://evil.example"}, "wrong_issuer"),
        # Core §5.3.6, §5.3.5, §5.4.1: ids of at most 255 characters.
        ({"sub": "s" * 256}, "invalid_message"),
        ({claims.RESOURCE_LINK: {"id": "r" * 256}}, "invalid_message"),
        ({claims.CONTEXT: {"id": "c" * 256}}, "invalid_message"),
    ],
)
def test_lti_launch_rejections_are_4xx_pages(
    web, session, sim, tool, platform, course, overrides, reason
):
    response, _ = launch(web, sim, tool, **custom(course), **overrides)
    assert 400 <= response.status_code < 500
    body = response.get_data(as_text=True)
    assert f"Reason: {reason}" in body and "Traceback" not in body
    assert session.scalar(select(User)) is None


def test_lti_launch_without_state_cookie_or_storage_is_rejected(
    web, session, sim, tool, platform, course
):
    auth_url = login(web, sim, tool)
    form = sim.authorize(auth_url, **custom(course))
    web.client.delete_cookie(
        f"lti1p3-state-{form['state']}", domain="localhost", path="/"
    )
    response = web.client.post("/lti/launch", data=form, base_url=HTTPS)
    assert response.status_code == 400
    assert "state_not_bound" in response.get_data(as_text=True)


def test_lti_login_rejections_are_4xx_pages(web, sim, tool, platform):
    params = sim.login_initiation(CLIENT_ID, tool.info.launch_url)
    for changed, reason in (
        ({"iss": "https://unknown.example"}, "unknown_registration"),
        (
            {"target_link_uri": "https://evil.example/lti/launch"},
            "invalid_target_link_uri",
        ),
        ({"login_hint": ""}, "missing_parameter"),
    ):
        response = web.client.get(
            "/lti/login", query_string={**params, **changed}, base_url=HTTPS
        )
        assert 400 <= response.status_code < 500, reason
        assert f"Reason: {reason}" in response.get_data(as_text=True)


def test_lti_launch_with_garbage_token_is_a_4xx_page(web, sim, tool, platform):
    auth_url = login(web, sim, tool)
    form = sim.authorize(auth_url)
    form["id_token"] = "not.a.jwt"
    response = web.client.post("/lti/launch", data=form, base_url=HTTPS)
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.get_data(as_text=True)


def test_lti_link_without_course_is_a_409_page_and_burns_the_nonce(
    web, session, sim, tool, platform, course
):
    response, form = launch(web, sim, tool)
    assert response.status_code == 409
    assert "not connected" in response.get_data(as_text=True)
    assert web.client.post("/lti/launch", data=form, base_url=HTTPS).status_code == 400


def test_lti_platform_of_one_org_never_launches_into_another(
    web, session, sim, tool, platform, course, settings
):
    other = make_org(session, slug="other-org")
    foreign = make_course(session, other, code="FOREIGN", title="Foreign")
    session.commit()
    response, _ = launch(web, sim, tool, **custom(foreign))
    assert response.status_code == 404
    assert session.scalar(select(Enrollment)) is None
    assert session.scalar(select(User).where(User.org_id == other.id)) is None


def test_lti_users_belong_to_the_platforms_org(
    web, session, sim, tool, platform, course, org
):
    launch(web, sim, tool, **custom(course))
    assert {u.org_id for u in session.scalars(select(User))} == {org.id}


def test_lti_jwks_publishes_the_tool_key(web):
    response = web.client.get("/lti/jwks.json")
    keys = response.json["keys"]
    assert response.status_code == 200 and len(keys) == 1
    assert keys[0]["kid"] and keys[0]["alg"] == "RS256" and "d" not in keys[0]


def test_lti_launch_in_an_iframe_offers_a_new_window(
    app, web, session, sim, tool, platform, course
):
    auth_url = login(web, sim, tool)
    form = sim.authorize(auth_url, **custom(course))
    response = web.client.post(
        "/lti/launch", data=form, base_url=HTTPS, headers={"Sec-Fetch-Dest": "iframe"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    registration = session.scalar(select(Registration))
    assert f'"/play/{registration.id}"' in page  # the frame continues when it can
    token = re.search(r'href="/launch/([^"]+)" target="_blank"', page).group(1)
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert '"/lti/session"' in page
    # The page's question: does this browser context send the session cookie?
    assert web.client.get("/lti/session", base_url=HTTPS).status_code == 200
    assert app.test_client().get("/lti/session").status_code == 401
    # The new window is first-party: its one-time link signs the learner in.
    window = app.test_client()
    opened = window.get(f"/launch/{token}", base_url=HTTPS)
    assert opened.headers["Location"] == f"/play/{registration.id}"
    assert window.get(opened.headers["Location"], base_url=HTTPS).status_code == 200
    assert window.get(f"/launch/{token}", base_url=HTTPS).status_code == 404


def test_lti_instructor_connects_an_unconnected_link(
    app, web, session, sim, tool, platform, course
):
    staff = {claims.ROLES: [claims.ROLE_INSTRUCTOR]}
    response, form = launch(web, sim, tool, **staff)
    assert response.status_code == 303
    connect_url = response.headers["Location"]
    assert connect_url.startswith("/lti/connect/")
    page = web.client.get(connect_url, base_url=HTTPS)
    assert page.status_code == 200 and "Biology" in page.get_data(as_text=True)
    other = make_org(session, slug="elsewhere")
    foreign = make_course(session, other, code="ELSE", title="Elsewhere")
    session.commit()
    refused = web.client.post(
        connect_url, data={"course_id": str(foreign.id)}, base_url=HTTPS
    )
    assert refused.status_code == 404
    done = web.client.post(
        connect_url, data={"course_id": str(course.id)}, base_url=HTTPS
    )
    assert done.headers["Location"] == f"/teaching/courses/{course.id}"
    assert session.scalar(select(LtiResourceLink)).course_id == course.id
    # A learner's launch of the same link now opens the player.
    web.client._cookies.clear()
    response, _ = launch(web, sim, tool, sub="learner-2")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/play/")


def test_lti_connect_page_needs_a_staff_launch(web, sim, tool, platform, course):
    assert web.client.get("/lti/connect/unknown", base_url=HTTPS).status_code == 404
    response, _ = launch(web, sim, tool)  # a learner on an unconnected link
    assert response.status_code == 409


# -- a new learner without SAVEPOINTs: email taken, the same learner's other launch
# winning the race, content the player cannot run


def _user_of(session, subject):
    return session.scalar(
        select(User)
        .join(LtiIdentity, LtiIdentity.user_id == User.id)
        .where(LtiIdentity.subject == subject)
    )


def test_lti_new_learner_email_of_another_user_gets_a_placeholder(
    web, session, settings, org, sim, tool, platform, course
):
    make_user(session, org, settings=settings, email="ada@example.edu")
    session.commit()
    response, _ = launch(
        web, sim, tool, **custom(course), sub="ada", email="Ada@example.edu"
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert _user_of(session, "ada").email.endswith("@lti.invalid")


def test_lti_new_learner_email_too_long_to_store_gets_a_placeholder(
    web, session, sim, tool, platform, course
):
    email = "a" * 250 + "@example.edu"
    response, _ = launch(web, sim, tool, **custom(course), sub="ada", email=email)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert _user_of(session, "ada").email.endswith("@lti.invalid")


def test_lti_service_urls_of_any_length_are_kept(
    web, session, sim, tool, platform, course
):
    """AGS and NRPS URLs have no length limit (they used to fail the launch on
    PostgreSQL beyond 1000 characters)."""
    long = sim.url + "/contexts/ctx-1/" + "x" * 1500
    response, _ = launch(
        web, sim, tool, **custom(course),
        **{
            claims.AGS_ENDPOINT: {
                "scope": [claims.SCOPE_SCORE],
                "lineitems": long + "/lineitems",
                "lineitem": long + "/lineitems/1",
            },
            claims.NRPS_SERVICE: {
                "context_memberships_url": long + "/memberships",
                "service_versions": ["2.0"],
            },
        },
    )  # fmt: skip
    assert response.status_code == 303, response.get_data(as_text=True)
    context = session.scalar(select(LtiContext))
    assert (context.lineitems_url, context.nrps_url) == (
        long + "/lineitems",
        long + "/memberships",
    )
    assert (
        session.scalar(select(LtiResourceLink)).line_item_url == long + "/lineitems/1"
    )


def test_lti_new_learner_email_with_spaces_is_checked_stripped(
    web, session, settings, org, sim, tool, platform, course
):
    make_user(session, org, settings=settings, email="ada@example.edu")
    session.commit()
    launch(web, sim, tool, **custom(course), sub="ada", email=" ada@example.edu")
    launch(web, sim, tool, **custom(course), sub="bob", email=" bob@example.edu")
    assert _user_of(session, "ada").email.endswith("@lti.invalid")
    assert _user_of(session, "bob").email == " bob@example.edu"


def test_lti_identity_made_by_the_learners_other_launch_is_taken(
    web, session, sim, tool, platform, course
):
    launch(web, sim, tool, **custom(course), sub="twin", email="twin@example.edu")
    winner = _user_of(session, "twin")
    users = len(session.scalars(select(User)).all())
    # As if this launch had looked the identity up before the other one committed.
    user, new = lti_launch._upsert_user(
        session,
        platform=platform,
        subject="twin",
        context=None,
        role=HubRole.LEARNER,
        email="twin@example.edu",
        names=("Twin", ""),
        found=None,
    )
    session.flush()
    assert (user.id, new) == (winner.id, False)
    assert len(session.scalars(select(User)).all()) == users  # ours was removed


def test_lti_new_learner_on_content_the_player_cannot_run_is_a_409_page(
    web, session, sim, tool, platform, course
):
    session.execute(update(PackageVersion).values(standard="cmi5"))
    session.commit()
    response, _ = launch(web, sim, tool, **custom(course), sub="new")
    assert response.status_code == 409
    assert "does not play" in response.get_data(as_text=True)
    # Refused before the first write: no user, context or link either.
    assert session.scalar(select(Registration)) is None
    assert _user_of(session, "new") is None
    assert session.scalar(select(LtiContext)) is None


def test_lti_new_learner_in_an_archived_course_is_a_409_page_writing_nothing(
    web, session, sim, tool, platform, course
):
    course.is_archived = True
    session.commit()
    response, form = launch(web, sim, tool, **custom(course), sub="new")
    assert response.status_code == 409
    assert "archived" in response.get_data(as_text=True)
    assert session.scalar(select(User)) is None
    assert session.scalar(select(LtiResourceLink)) is None
    assert web.client.post("/lti/launch", data=form, base_url=HTTPS).status_code == 400


def test_lti_returning_learners_refused_launch_takes_its_writes_back(
    web, session, sim, tool, platform, course, org
):
    launch(web, sim, tool, **custom(course), sub="back", name="Ada Lovelace")
    other = make_course(
        session, org, code="OTHER", title="Other", package_id=course.package_id
    )
    session.execute(update(PackageVersion).values(standard="cmi5"))
    session.commit()
    # A new link to another course: the new registration's content does not play,
    # found once the user, context and link are written (SAVEPOINT).
    response, _ = launch(
        web,
        sim,
        tool,
        **custom(other),
        sub="back",
        name="Ada King",
        **{claims.RESOURCE_LINK: {"id": "rl-other", "title": "Other unit"}},
    )
    assert response.status_code == 409
    assert _user_of(session, "back").family_name == "Lovelace"
    links = session.scalars(select(LtiResourceLink.resource_link_id)).all()
    assert links == ["rl-1"]
    assert session.scalar(select(Enrollment).filter_by(course_id=other.id)) is None


# -- the registrations a process keeps (lti_stores.REGISTRATIONS) -------------------


def test_lti_platform_deactivated_in_this_process_stops_the_next_login(
    web, session, sim, tool, platform, course
):
    launch(web, sim, tool, **custom(course))  # the registration is kept
    platform.is_active = False
    session.commit()  # this process's change forgets it
    params = sim.login_initiation(CLIENT_ID, tool.info.launch_url)
    response = web.client.get("/lti/login", query_string=params, base_url=HTTPS)
    assert 400 <= response.status_code < 500
    assert "Reason: unknown_registration" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"is_active": False}, "this platform is not registered"),
        ({"deployment_ids": ["another-deployment"]}, "this deployment is not"),
    ],
)
def test_lti_platform_changed_in_another_process_stops_the_launch_at_once(
    web, session, sim, tool, platform, course, change, text
):
    launch(web, sim, tool, **custom(course), sub="first")  # the registration is kept
    auth_url = login(web, sim, tool)  # from the kept registration
    # Another process's change (no ORM event here): this one keeps the registration
    # for a few seconds, but provisioning reads the platform row itself.
    session.execute(update(Platform.__table__).values(**change))
    session.commit()
    form = sim.authorize(auth_url, **custom(course), sub="second")
    response = web.client.post("/lti/launch", data=form, base_url=HTTPS)
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)
    assert _user_of(session, "second") is None
    assert web.client.post("/lti/launch", data=form, base_url=HTTPS).status_code == 400
