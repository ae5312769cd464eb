"""Property tests: no SetValue input crashes the runtime or corrupts stored state."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scorm_testkit import LENIENT, STRICT

from scorm_runtime import (
    AttemptState,
    ScormApi,
    apply_commit,
    definitions,
    new_attempt_state,
)

VERSIONS = ["1.2", "2004-2nd", "2004-3rd", "2004-4th"]


def _element_names(version: str) -> list[str]:
    names = []
    for path in definitions(version)["elements"]:
        names.append(path.replace(".n.", ".0.").replace("{target}", "{target=a}"))
        names.append(path.replace(".n.", ".1.").replace("{target}", "{target=b}"))
        names.append(path)  # the table's own placeholders must be refused, not crash
    return names


ELEMENT_NAMES = {version: _element_names(version) for version in VERSIONS}
VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ["", "0", "1", "-1", "0.5", "true", "choice", "a[,]b", "PT1S", "00:00:01"]
        + ["PT1.2345S", "1:00:00.999", "P1Y2M3DT4H5M6.7S", "9999:59:59.99"]
    ),
    st.from_regex(r"[a-z0-9\[\],.:{}=_ -]{0,30}", fullmatch=True),
)


@st.composite
def calls(draw):
    version = draw(st.sampled_from(VERSIONS))
    keywords = st.sampled_from(["_count", "_children", "_version", ".", "n"])
    elements = st.one_of(
        st.sampled_from(ELEMENT_NAMES[version]), st.text(max_size=40), keywords
    )
    changes = draw(st.lists(st.tuples(elements, VALUES), max_size=25))
    return version, changes


def _invariants(state: AttemptState) -> None:
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in state.cmi.items())
    for key, value in state.cmi.items():
        if key.endswith("._count"):
            collection = key[: -len("._count")]
            for index in range(int(value)):
                assert any(k.startswith(f"{collection}.{index}.") for k in state.cmi)
    json.dumps(state.to_dict())


# No deadline: under xdist load one example may take longer than 200 ms.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls(), st.booleans())
def test_set_value_any_input_never_crashes_and_keeps_invariants(call, strict):
    version, changes = call
    state = new_attempt_state(version, learner_id="l", learner_name="n")
    api = ScormApi(state, settings=STRICT if strict else LENIENT)
    api.initialize("")
    for element, value in changes:
        before = dict(state.cmi)
        result = api.set_value(element, value)
        assert result in ("true", "false")
        if result == "false":
            assert state.cmi == before
            assert api.get_last_error() != "0"
        api.get_value(element)
    assert api.terminate("") == "true"  # end-of-session rules never crash
    _invariants(state)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls())
def test_apply_commit_matches_api_and_never_crashes(call):
    version, changes = call
    start = new_attempt_state(version, learner_id="l", learner_name="n")
    api = ScormApi(start.copy(), settings=LENIENT)
    api.initialize("")
    accepted = [(e, v) for e, v in changes if api.set_value(e, v) == "true"]
    result = apply_commit(start, changes, version=version, settings=LENIENT, seq=1)
    assert len(result.errors) == len(changes) - len(accepted)
    assert result.state.cmi == api.state.cmi
    closed = apply_commit(result.state, [], version=version, seq=2, terminate=True)
    assert closed.state.phase == "terminated"
    _invariants(result.state)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(VERSIONS), st.lists(JSON_VALUES, max_size=8))
def test_apply_commit_any_json_batch_never_crashes(version, changes):
    start = new_attempt_state(version, learner_id="l", learner_name="n")
    result = apply_commit(start, changes, version=version, seq=1)
    assert len(result.errors) <= len(changes)
    _invariants(result.state)
