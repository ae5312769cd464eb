import pytest
import responses

from lti import claims
from lti.errors import NrpsError
from lti.nrps import Member, NrpsClient, Roster, membership_changes

MEMBERS = "https://platform.example/ctx/1/memberships"


def _member(n, roles=(claims.ROLE_LEARNER,), **fields):
    data = {"user_id": f"u{n}", "roles": list(roles)}
    data.update(fields)
    return data


def _page(*members, context="ctx-1"):
    return {"id": MEMBERS, "context": {"id": context}, "members": list(members)}


def test_nrps_roster_follows_next_pages_and_keeps_differences(connector, rsps):
    page2 = MEMBERS + "?page=2&Cursor=Zz"
    diff = MEMBERS + "?since=AbC"
    rsps.add(
        responses.GET,
        MEMBERS,
        json=_page(_member(1, name="Ada", email="ada@example.edu")),
        headers={"Link": f'<{page2}>; rel="next"'},
    )
    rsps.add(
        responses.GET,
        page2,
        json=_page(_member(2, roles=[claims.ROLE_INSTRUCTOR], status="Inactive")),
        headers={"Link": f'<{diff}>; rel="differences"'},
    )
    roster = NrpsClient(connector).fetch_roster(MEMBERS)
    assert roster.context_id == "ctx-1"
    assert roster.differences_url == diff
    assert not roster.is_delta
    assert roster.members == (
        Member("u1", (claims.ROLE_LEARNER,), name="Ada", email="ada@example.edu"),
        Member("u2", (claims.ROLE_INSTRUCTOR,), status="Inactive"),
    )
    assert rsps.calls[-1].request.headers["Accept"] == claims.MEDIA_NRPS_MEMBERSHIP
    token_form = rsps.calls[0].request.body
    assert "contextmembership.readonly" in token_form


def test_nrps_roster_passes_filters(connector, rsps):
    rsps.add(
        responses.GET,
        f"{MEMBERS}?role=Learner&rlid=rl-1&limit=50",
        json=_page(_member(1)),
    )
    roster = NrpsClient(connector).fetch_roster(
        MEMBERS, role="Learner", resource_link_id="rl-1", limit=50
    )
    assert [m.user_id for m in roster.members] == ["u1"]


def test_nrps_empty_roster_is_error_never_everyone_left(connector, rsps):
    rsps.add(responses.GET, MEMBERS, json=_page())
    with pytest.raises(NrpsError, match="empty membership page"):
        NrpsClient(connector).fetch_roster(MEMBERS)


def test_nrps_empty_later_page_is_error(connector, rsps):
    page2 = MEMBERS + "?page=2"
    rsps.add(
        responses.GET,
        MEMBERS,
        json=_page(_member(1)),
        headers={"Link": f'<{page2}>; rel="next"'},
    )
    rsps.add(responses.GET, page2, json=_page())
    with pytest.raises(NrpsError):
        NrpsClient(connector).fetch_roster(MEMBERS)


def test_nrps_failed_page_is_error_with_status(connector, rsps):
    page2 = MEMBERS + "?page=2"
    rsps.add(
        responses.GET,
        MEMBERS,
        json=_page(_member(1)),
        headers={"Link": f'<{page2}>; rel="next"'},
    )
    rsps.add(responses.GET, page2, status=502, body="bad gateway")
    with pytest.raises(NrpsError) as info:
        NrpsClient(connector).fetch_roster(MEMBERS)
    assert info.value.status == 502


@pytest.mark.parametrize("body", [{"members": "nope"}, ["list"], {"context": {}}])
def test_nrps_malformed_page_is_error(connector, rsps, body):
    rsps.add(responses.GET, MEMBERS, json=body)
    with pytest.raises(NrpsError, match="members list"):
        NrpsClient(connector).fetch_roster(MEMBERS)


def test_nrps_member_without_user_id_is_error(connector, rsps):
    rsps.add(responses.GET, MEMBERS, json=_page({"roles": []}))
    with pytest.raises(NrpsError, match="user_id"):
        NrpsClient(connector).fetch_roster(MEMBERS)


def test_nrps_member_user_id_longer_than_an_lti_id_is_error(connector, rsps):
    rsps.add(responses.GET, MEMBERS, json=_page({"user_id": "u" * 256, "roles": []}))
    with pytest.raises(NrpsError, match="user_id of 256 characters"):
        NrpsClient(connector).fetch_roster(MEMBERS)


def test_nrps_differences_may_be_empty(connector, rsps):
    diff = MEMBERS + "?since=1"
    rsps.add(responses.GET, diff, json=_page())
    roster = NrpsClient(connector).fetch_differences(diff)
    assert roster.is_delta
    assert roster.members == ()


def test_nrps_endless_paging_bounded(connector, rsps, monkeypatch):
    monkeypatch.setattr("lti.nrps.MAX_PAGES", 2)
    rsps.add(
        responses.GET,
        MEMBERS,
        json=_page(_member(1)),
        headers={"Link": f'<{MEMBERS}>; rel="next"'},
    )
    with pytest.raises(NrpsError, match="more than 2"):
        NrpsClient(connector).fetch_roster(MEMBERS)


def test_membership_changes_full_roster_departs_absent_and_inactive():
    roster = Roster(
        "ctx",
        (
            Member("u1", ()),
            Member("u2", (), status="Inactive"),
            Member("u3", (), status="Deleted"),
        ),
        None,
    )
    changes = membership_changes(roster, {"u1", "u2", "u4"})
    assert [m.user_id for m in changes.present] == ["u1"]
    assert changes.departed == {"u2", "u3", "u4"}


def test_membership_changes_delta_departs_only_listed():
    roster = Roster(
        "ctx",
        (Member("u5", ()), Member("u2", (), status="Deleted")),
        None,
        is_delta=True,
    )
    changes = membership_changes(roster, {"u1", "u2"})
    assert [m.user_id for m in changes.present] == ["u5"]
    assert changes.departed == {"u2"}
