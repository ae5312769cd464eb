from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from lti import claims
from lti._paging import link_url, with_query
from lti._state import LoginState
from lti.ags import Score, service_url
from lti.roles import HubRole, map_roles

role_strings = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            claims.ROLE_INSTRUCTOR,
            claims.ROLE_LEARNER,
            claims.ROLE_SYSTEM_ADMINISTRATOR,
            claims.ROLE_TEACHING_ASSISTANT,
            "Instructor",
        ]
    ),
)
query_values = st.dictionaries(
    st.text("abcxyz_", min_size=1, max_size=5), st.text(max_size=10), max_size=3
)


@given(st.lists(role_strings, max_size=6))
def test_map_roles_any_input_returns_a_hub_role(roles):
    assert isinstance(map_roles(roles), HubRole)


@given(st.lists(role_strings, max_size=6))
def test_map_roles_adding_an_instructor_role_never_lowers_privilege(roles):
    rank = {HubRole.ADMIN: 0, HubRole.INSTRUCTOR: 1, HubRole.LEARNER: 2}
    before = map_roles(roles)
    after = map_roles([*roles, claims.ROLE_INSTRUCTOR])
    assert rank[after] <= rank[before]


@given(query_values, query_values)
def test_with_query_keeps_existing_and_adds_new_parameters(own, extra):
    base = with_query("https://p.example/li", own)
    merged = parse_qsl(urlsplit(with_query(base, extra)).query, keep_blank_values=True)
    assert merged == [*own.items(), *extra.items()]


@given(query_values)
def test_service_url_suffix_lands_in_path(own):
    url = service_url(with_query("https://p.example/li/7", own), "scores")
    parts = urlsplit(url)
    assert parts.path == "/li/7/scores"
    assert parse_qsl(parts.query, keep_blank_values=True) == list(own.items())


URL_CHARS = "".join(chr(c) for c in range(33, 127) if chr(c) not in "<>")


@given(st.text(alphabet=URL_CHARS, min_size=1, max_size=40))
def test_link_url_finds_next_among_other_relations(token):
    next_url = "https://p.example/page?c=" + token  # may hold ; , = and quotes
    header = f'<https://p.example/first>; rel="first", <{next_url}>; rel="next"'
    assert link_url({"Link": header}, "next") == next_url


@given(st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1)))
def test_score_timestamp_serialises_as_utc_milliseconds(moment):
    stamp = Score("u", "Completed", "FullyGraded", moment).to_json()["timestamp"]
    parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert stamp.endswith("Z")
    assert abs((parsed - moment).total_seconds()) < 0.001


@given(st.text(max_size=20), st.none() | st.text(max_size=10))
def test_login_state_record_round_trip(state, target):
    login = LoginState(state, "n", "iss", "c", "https://t", "https://p", target)
    assert LoginState.from_record(login.to_record()) == login


def test_link_url_rel_unquoted_case_insensitive_and_multi_valued():
    assert link_url({"link": "<https://p/a>; REL=next"}, "next") == "https://p/a"
    assert link_url({"Link": '<https://p/b>; rel="prev next"'}, "next") == "https://p/b"
    assert link_url({"Link": "<https://p/c>; title=x"}, "next") is None
    assert link_url({}, "next") is None
