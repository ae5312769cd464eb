"""Deep linking round trip and the cookie-less platform-storage launch, through the
hub's test client against the platform simulator."""

# The simulator fixtures are imported from test_lti_launch; pytest injects them by name.
# ruff: noqa: F811

import re
from urllib.parse import parse_qs, urlsplit

import jwt
from sqlalchemy import select

from hub.models import Registration
from lti import claims
from tests.factories import make_course
from tests.hub.functional.test_lti_launch import (  # noqa: F401 - fixtures
    CLIENT_ID,
    HTTPS,
    course,
    custom,
    launch,
    login,
    platform,
    sim,
    tool,
)


def _dl_overrides(tool, sim, multiple=True):
    return {
        claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_DEEP_LINKING,
        claims.ROLES: [claims.ROLE_INSTRUCTOR],
        claims.DL_SETTINGS: {
            "deep_link_return_url": sim.url + "/deep-link-return",
            "accept_types": [claims.DL_CONTENT_TYPE_RESOURCE_LINK],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": multiple,
            "data": "opaque-platform-data",
        },
    }


def test_lti_deep_linking_round_trip(web, session, sim, tool, platform, course, org):
    second = make_course(session, org, code="CHEM", title="Chemistry")
    session.commit()
    response, _ = launch(
        web, sim, tool, target=tool.info.deep_linking_url, **_dl_overrides(tool, sim)
    )
    assert response.status_code == 303
    picker_url = response.headers["Location"]
    picker = web.client.get(picker_url, base_url=HTTPS)
    page = picker.get_data(as_text=True)
    assert picker.status_code == 200 and "Biology" in page and "Chemistry" in page
    done = web.client.post(
        picker_url,
        data={"course_ids": [str(course.id), str(second.id)], "score_maximum": "50"},
        base_url=HTTPS,
    )
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert f'action="{sim.url}/deep-link-return"' in html
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    jwks = web.client.get("/lti/jwks.json").json
    sim.state.tool_jwks = lambda: jwks
    body = sim.verify_tool_jwt(token, CLIENT_ID, audience=sim.url)
    assert body[claims.MESSAGE_TYPE] == "LtiDeepLinkingResponse"
    assert body[claims.DL_DATA] == "opaque-platform-data"
    items = body[claims.DL_CONTENT_ITEMS]
    assert [i["title"] for i in items] == ["Biology", "Chemistry"]
    assert items[0]["custom"] == {"hub_course_id": str(course.id)}
    assert items[0]["lineItem"]["scoreMaximum"] == 50
    assert items[0]["url"] == tool.info.launch_url

    # The platform then launches the new link: the course comes from its custom claim.
    web.client._cookies.clear()
    response, _ = launch(web, sim, tool, **custom(course))
    assert response.status_code == 303


def test_lti_deep_linking_single_item_platform_refuses_two(
    web, session, sim, tool, platform, course, org
):
    second = make_course(session, org, code="CHEM", title="Chemistry")
    session.commit()
    response, _ = launch(
        web,
        sim,
        tool,
        target=tool.info.deep_linking_url,
        **_dl_overrides(tool, sim, multiple=False),
    )
    done = web.client.post(
        response.headers["Location"],
        data={"course_ids": [str(course.id), str(second.id)]},
        base_url=HTTPS,
    )
    assert done.status_code == 422


def test_lti_deep_linking_learner_cannot_pick(web, sim, tool, platform, course):
    overrides = _dl_overrides(tool, sim)
    overrides[claims.ROLES] = [claims.ROLE_LEARNER]
    response, _ = launch(web, sim, tool, target=tool.info.deep_linking_url, **overrides)
    assert response.status_code == 403


def test_lti_deep_linking_unknown_launch_is_404(web):
    assert web.client.get("/lti/deep-link/unknown", base_url=HTTPS).status_code == 404


def test_lti_storage_check_with_forged_values_is_rejected(
    web, session, sim, tool, platform, course
):
    params = sim.login_initiation(CLIENT_ID, tool.info.launch_url)
    params["lti_storage_target"] = "post_message_forwarding"
    page = web.client.get("/lti/login", query_string=params, base_url=HTTPS)
    auth_url = re.search(r'var authUrl = "([^"]*)";', page.get_data(as_text=True))
    auth_url = auth_url.group(1).replace("\\u0026", "&")
    form = sim.authorize(auth_url, **custom(course))
    web.client._cookies.clear()  # the iframe kept no cookie
    pending = web.client.post("/lti/launch", data=form, base_url=HTTPS)
    assert pending.status_code == 200
    launch_id = re.search(
        r'name="launch_id" value="([^"]+)"', pending.get_data(as_text=True)
    ).group(1)
    wrong = web.client.post(
        "/lti/launch/check",
        data={"launch_id": launch_id, "state": form["state"], "nonce": "forged"},
        base_url=HTTPS,
    )
    assert wrong.status_code == 400  # and the pending launch is gone
    pending = web.client.post("/lti/launch", data=form, base_url=HTTPS)
    assert pending.status_code == 400  # the state was single use


def test_lti_storage_check_with_read_back_values_enters_the_player(
    web, session, sim, tool, platform, course
):
    params = sim.login_initiation(CLIENT_ID, tool.info.launch_url)
    params["lti_storage_target"] = "post_message_forwarding"
    page = web.client.get("/lti/login", query_string=params, base_url=HTTPS)
    auth_url = re.search(r'var authUrl = "([^"]*)";', page.get_data(as_text=True))
    auth_url = auth_url.group(1).replace("\\u0026", "&")
    form = sim.authorize(auth_url, **custom(course))
    web.client._cookies.clear()
    pending = web.client.post("/lti/launch", data=form, base_url=HTTPS)
    launch_id = re.search(
        r'name="launch_id" value="([^"]+)"', pending.get_data(as_text=True)
    ).group(1)
    nonce = parse_qs(urlsplit(auth_url).query)["nonce"][0]
    done = web.client.post(
        "/lti/launch/check",
        data={"launch_id": launch_id, "state": form["state"], "nonce": nonce},
        base_url=HTTPS,
    )
    assert done.status_code == 303
    registration = session.scalar(select(Registration))
    assert done.headers["Location"] == f"/play/{registration.id}"
    jwt.decode(form["id_token"], options={"verify_signature": False})  # a real token
