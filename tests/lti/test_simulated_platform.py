"""End to end over real HTTP against the platform simulator on 127.0.0.1."""

from datetime import UTC, datetime, timedelta

import pytest

from lti import claims
from lti.access_token import PlatformServiceConnector
from lti.ags import AgsClient, LineItem, Score
from lti.deep_linking import LineItemSpec, ResourceLinkItem, build_deep_linking_response
from lti.dynamic_registration import register_with_platform
from lti.errors import AgsError
from lti.http import build_session
from lti.jwks import PlatformKeySets
from lti.launch import LaunchValidator
from lti.nrps import NrpsClient
from lti.oidc_login import initiate_login
from lti.stores import (
    InMemoryAccessTokenCache,
    InMemoryLaunchDataStore,
    InMemoryNonceStore,
    InMemoryRegistrationStore,
)
from lti.tool_info import ToolInfo

from .simulator import PlatformSimulator

TOOL = ToolInfo(
    title="Interop Hub",
    login_url="https://tool.example/lti/login",
    launch_url="https://tool.example/lti/launch",
    jwks_url="https://tool.example/lti/jwks",
    deep_linking_url="https://tool.example/lti/deep-link",
)


@pytest.fixture
def sim(keyring):
    with PlatformSimulator() as simulator:
        simulator.state.tool_jwks = keyring.jwks
        yield simulator


@pytest.fixture
def hub(sim):
    """The tool side: stores, validator and a registration made dynamically."""
    session = build_session(retries=0)
    registrations = InMemoryRegistrationStore()
    registration = register_with_platform(
        session,
        sim.config_url,
        sim.state.registration_token,
        tool=TOOL,
        allow_insecure=True,
    )
    registrations.save_registration(registration)
    launch_data = InMemoryLaunchDataStore()
    validator = LaunchValidator(
        registrations=registrations,
        nonces=InMemoryNonceStore(),
        launch_data=launch_data,
        key_sets=PlatformKeySets(session),
        session=session,
    )
    return registration, registrations, launch_data, validator, session


def _launch(sim, hub, target=TOOL.launch_url, **overrides):
    registration, registrations, launch_data, validator, _ = hub
    params = sim.login_initiation(registration.client_id, target)
    login = initiate_login(
        params,
        registrations=registrations,
        launch_data=launch_data,
        launch_url=TOOL.launch_url,
        login_url=TOOL.login_url,
    )
    form = sim.authorize(login.auth_url, **overrides)
    cookies = {cookie.name: cookie.value for cookie in login.cookies}
    return validator.validate(
        form, cookies, storage_check_url=TOOL.launch_url + "/check"
    )


def _connector(hub, keyring):
    registration, *_, session = hub
    return PlatformServiceConnector(
        registration,
        keyring=keyring,
        token_cache=InMemoryAccessTokenCache(),
        session=session,
    )


def test_simulated_dynamic_registration_stores_platform_urls(sim, hub):
    registration = hub[0]
    assert registration.issuer == sim.url
    assert registration.jwks_url == sim.url + "/jwks"
    assert registration.deployment_ids == ("deployment-1",)
    client = sim.state.clients[registration.client_id]
    assert client.redirect_uris == [TOOL.launch_url, TOOL.deep_linking_url]


def test_simulated_launch_as_learner_and_instructor(sim, hub):
    learner = _launch(sim, hub)
    assert learner.subject == "user-1"
    assert learner.name == "Ada Lovelace"
    assert learner.ags.lineitems_url == sim.url + "/contexts/ctx-1/lineitems"
    instructor = _launch(sim, hub, **{claims.ROLES: [claims.ROLE_INSTRUCTOR]})
    assert instructor.roles == (claims.ROLE_INSTRUCTOR,)


def test_simulated_deep_linking_round_trip(sim, hub, keyring):
    settings = {
        "deep_link_return_url": sim.url + "/dl-return",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe"],
        "accept_multiple": True,
        "data": "d-1",
    }
    context = _launch(
        sim,
        hub,
        target=TOOL.deep_linking_url,
        **{
            claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_DEEP_LINKING,
            claims.RESOURCE_LINK: None,
            claims.DL_SETTINGS: settings,
        },
    )
    items = [
        ResourceLinkItem(
            "Course A", url=TOOL.launch_url + "?c=a", line_item=LineItemSpec(100)
        ),
        ResourceLinkItem("Course B", url=TOOL.launch_url + "?c=b"),
    ]
    response = build_deep_linking_response(context, items, keyring=keyring)
    payload = sim.verify_tool_jwt(response.jwt, context.client_id, audience=sim.url)
    assert [i["title"] for i in payload[claims.DL_CONTENT_ITEMS]] == [
        "Course A",
        "Course B",
    ]
    assert payload[claims.DL_DATA] == "d-1"


def test_simulated_scores_survive_outage_newest_lands_once(sim, hub, keyring):
    context = _launch(sim, hub)
    ags = AgsClient(_connector(hub, keyring), context.ags)
    item = ags.find_or_create_line_item(
        LineItem(label="Unit 1", score_maximum=10, resource_link_id="rl-1")
    )
    assert (
        ags.find_or_create_line_item(
            LineItem(label="Unit 1", score_maximum=10, resource_link_id="rl-1")
        )
        == item
    )  # found, not created twice
    t0 = datetime.now(UTC)
    older = Score("user-1", "Completed", "FullyGraded", t0, 6, 10)
    newer = Score(
        "user-1", "Completed", "FullyGraded", t0 + timedelta(seconds=5), 9, 10
    )
    sim.state.fail_scores = 2
    for _ in range(2):  # the outbox's first two deliveries meet the outage
        with pytest.raises(AgsError) as info:
            ags.publish_score(item.id, newer)
        assert info.value.retryable and info.value.status == 503
    ags.publish_score(item.id, newer)
    ags.publish_score(item.id, newer)  # a duplicate delivery changes nothing
    ags.publish_score(item.id, older)  # a late, older score never wins
    assert [(r.user_id, r.result_score) for r in ags.get_results(item.id)] == [
        ("user-1", 9.0)
    ]
    assert sim.state.token_requests == 1


def test_simulated_transport_retries_hide_a_short_outage(sim, hub, keyring):
    context = _launch(sim, hub)
    registration, *_ = hub
    connector = PlatformServiceConnector(
        registration,
        keyring=keyring,
        token_cache=InMemoryAccessTokenCache(),
        session=build_session(retries=2, backoff_factor=0),
    )
    ags = AgsClient(connector, context.ags)
    item = ags.create_line_item(LineItem(label="Quiz", score_maximum=5, tag="quiz"))
    sim.state.fail_scores = 2
    ags.publish_score(
        item.id, Score("user-1", "Completed", "FullyGraded", datetime.now(UTC), 5, 5)
    )
    assert sim.state.score_posts == 3


def test_simulated_roster_all_pages_and_differences(sim, hub, keyring):
    sim.state.members = [
        {"user_id": f"u{n}", "roles": [claims.ROLE_LEARNER], "name": f"User {n}"}
        for n in range(5)
    ]
    context = _launch(sim, hub)
    roster = NrpsClient(_connector(hub, keyring)).fetch_roster(context.nrps_url)
    assert [m.user_id for m in roster.members] == ["u0", "u1", "u2", "u3", "u4"]
    assert roster.differences_url == sim.url + "/contexts/ctx-1/memberships?since=42"
