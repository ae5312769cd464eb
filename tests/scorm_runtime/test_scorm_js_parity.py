"""The browser adapter (hub/static/js/scorm-api.js) and the Python model agree.

Both run the same table of API calls from the same attempt state: every return value
and error code must match, and so must the CMI cache afterwards. Runs in Chromium
through Playwright; skipped when /usr/bin/chromium is absent.
"""

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scorm_testkit import LENIENT, STRICT

from scorm_runtime import ScormApi, definitions, new_attempt_state, parse_duration

CHROMIUM = Path("/usr/bin/chromium")
ADAPTER = Path(__file__).resolve().parents[2] / "hub/static/js/scorm-api.js"
VERSIONS = ["1.2", "2004-2nd", "2004-3rd", "2004-4th"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium not installed at /usr/bin/chromium"
    ),
]

HARNESS = """
window.runCalls = function (defs, state, calls) {
  var target = {};
  var adapter = InteropScorm.install({
    definitions: defs, state: state, target: target,
    transport: {commit: function () { return Promise.resolve(); }}
  });
  var api = target.API || target.API_1484_11;
  var lastError = target.API ? "LMSGetLastError" : "GetLastError";
  var out = calls.map(function (call) {
    var result = api[call[0]].apply(null, call.slice(1));
    return [result, api[lastError]()];
  });
  adapter.stopTimers();
  var cmi = {};
  for (var key in adapter.cmi) cmi[key] = adapter.cmi[key];
  return {out: out, cmi: cmi};
};
"""


@pytest.fixture(scope="module")
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
            ],
        )
        page = browser.new_page()
        script = ADAPTER.read_text(encoding="utf-8")
        page.set_content(
            f"<html><body><script>{script}\n{HARNESS}</script></body></html>"
        )
        yield page
        browser.close()


def _launch(version):
    extra = (
        {"mastery_score": "80", "max_time_allowed": "PT1H"}
        if version == "1.2"
        else {
            "completion_threshold": "0.7",
            "scaled_passing_score": "0.5",
            "objectives": ["obj-1"],
        }
    )
    if version == "2004-4th":
        # RTE 4th ed. §4.3: one store per access the manifest can give.
        extra["data_stores"] = [
            "store-1",
            {"id": "store-ro", "read": True, "write": False},
            {"id": "store-wo", "read": False, "write": True},
            {"id": "store-na", "read": False, "write": False},
        ]
    return new_attempt_state(version, learner_id="l-1", learner_name="Ann", **extra)


def _python(version, config, calls):
    state = _launch(version)
    api = ScormApi(state, settings=config)
    out = [[api.call(*call), api.get_last_error()] for call in calls]
    return out, state.cmi


def _compare(page, version, config, calls):
    expected, cmi = _python(version, config, calls)
    state = _launch(version).to_dict()
    got = page.evaluate(
        "([d, s, c]) => window.runCalls(d, s, c)",
        [definitions(version, config), state, calls],
    )
    for call, want, have in zip(calls, expected, got["out"], strict=True):
        assert have == want, call
    if not any(call[0] in ("Terminate", "LMSFinish") for call in calls):
        assert got["cmi"] == cmi


def _names(version):
    lms = version == "1.2"
    return {
        name: ("LMS" + name if lms else name).replace("LMSTerminate", "LMSFinish")
        for name in ("Initialize", "Terminate", "GetValue", "SetValue", "Commit")
    } | {
        name: ("LMS" + name if lms else name)
        for name in ("GetLastError", "GetErrorString", "GetDiagnostic")
    }


def _elements(version):
    names = set()
    defs = definitions(version)
    for path in list(defs["elements"]) + list(defs["collections"]):
        for index in ("0", "1", "2"):
            names.add(
                path.replace(".n.", f".{index}.").replace("{target}", "{target=x}")
            )
    for path in list(defs["groups"]) + list(defs["collections"]):
        names.update({f"{path}._children", f"{path}._count", f"{path}._version"})
    names.update(
        {"", "cmi", "cmi._version", "cmi..x", "cmi.objectives.01.id", "__proto__"}
        | {"_count", "_children", "_version", "toString", "constructor"}
        | {"adl.data.3.store", ".adl.data.1.store", ".cmi.location"}
    )
    return sorted(names)


VALUES = [
    "",
    "0",
    "1",
    "-1",
    "100",
    "101",
    "0.5",
    "1.5",
    ".5",
    "1.",
    "+1",
    "1e3",
    "true",
    "t",
    "completed",
    "passed",
    "incomplete",
    "suspend",
    "normal",
    "choice",
    "true-false",
    "fill-in",
    "matching",
    "numeric",
    "performance",
    "sequencing",
    "likert",
    "other",
    "long-fill-in",
    "a",
    "a,b",
    "{a,b}",
    "1.a,2.b",
    "a[,]b",
    "a[,]a",
    "1[.]a[,]2[.]b",
    "1[:]2",
    "[:]",
    "[.]x",
    "{case_matters=true}{order_matters=false}x[,]y",
    "{lang=en}hello",
    "{lang=}x",
    "PT1H2M3.4S",
    "PT",
    "P1DT",
    "00:10:00",
    "0000:00:01.5",
    "13:05:00",
    "2024-02-29T10:11:12.5Z",
    "2024-02-29T10:11:12Z",
    "2024-02-29T10:11:12.125+01:00",
    "1969-01-01",
    "urn:x:y",
    "urn:",
    "has space",
    "{target=x}choice",
    "{target=x}jump",
    "suspendAll",
    "\U0001f600" * 3,
    "\x00\x1f",
    "x" * 256,
    "y" * 4097,
]


def _random_calls(version, seed, count=250):
    rng = random.Random(seed)
    names = _names(version)
    elements = _elements(version)
    calls = [[names["Initialize"], ""]]
    for _ in range(count):
        roll = rng.random()
        element = rng.choice(elements)
        if roll < 0.6:
            calls.append([names["SetValue"], element, rng.choice(VALUES)])
        elif roll < 0.95:
            calls.append([names["GetValue"], element])
        else:
            code = rng.choice(["0", "101", "201", "351", "406", "999", "x", ""])
            calls.append(
                [rng.choice([names["GetErrorString"], names["GetDiagnostic"]]), code]
            )
    return calls


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("config", [STRICT, LENIENT], ids=["strict", "lenient"])
@pytest.mark.parametrize("seed", range(4))
def test_js_parity_random_call_table_identical(page, version, config, seed):
    _compare(page, version, config, _random_calls(version, seed))


@pytest.mark.parametrize("version", VERSIONS)
def test_js_parity_state_machine_identical(page, version):
    n = _names(version)
    calls = [
        [n["GetValue"], "cmi._version"],
        [n["SetValue"], "cmi._version", "x"],
        [n["Commit"], ""],
        [n["Terminate"], ""],
        [n["Initialize"], "x"],
        [n["Initialize"], ""],
        [n["Initialize"], ""],
        [n["Commit"], "x"],
        [n["Commit"], ""],
        [n["GetDiagnostic"], ""],
        [n["Terminate"], ""],
        [n["GetValue"], "cmi._version"],
        [n["SetValue"], "cmi._version", "x"],
        [n["Commit"], ""],
        [n["Terminate"], ""],
        [n["Initialize"], ""],
        [n["GetErrorString"], "0"],
    ]
    _compare(page, version, STRICT, calls)


def test_js_parity_data_store_access_identical(page):
    n = _names("2004-4th")
    calls = [[n["Initialize"], ""]]
    for index in range(4):
        element = f"adl.data.{index}.store"
        calls += [
            [n["SetValue"], element, "x"],
            [n["GetValue"], element],
            [n["GetValue"], "." + element],
            [n["SetValue"], "." + element, "RW"],
        ]
    _compare(page, "2004-4th", STRICT, calls)


INTERACTION_VALUES = st.one_of(
    st.sampled_from(VALUES),
    st.lists(
        st.sampled_from(["a", "b", "1", "x y", "{lang=fr}", "[.]", "[:]", "2.5", ""]),
        max_size=5,
    ).map("[,]".join),
    st.text(max_size=20),
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    version=st.sampled_from(VERSIONS),
    kind=st.sampled_from(["choice", "fill-in", "performance", "matching", "numeric"]),
    values=st.lists(INTERACTION_VALUES, min_size=1, max_size=6),
    strict=st.booleans(),
)
def test_js_parity_interaction_values_identical(page, version, kind, values, strict):
    n = _names(version)
    response = "student_response" if version == "1.2" else "learner_response"
    calls = [
        [n["Initialize"], ""],
        [n["SetValue"], "cmi.interactions.0.id", "q1"],
        [n["SetValue"], "cmi.interactions.0.type", kind],
    ]
    for value in values:
        calls.append([n["SetValue"], f"cmi.interactions.0.{response}", value])
        calls.append(
            [n["SetValue"], "cmi.interactions.0.correct_responses.0.pattern", value]
        )
    _compare(page, version, STRICT if strict else LENIENT, calls)


def test_js_definitions_json_round_trip_is_what_browser_loads():
    from scorm_runtime import definitions_json

    assert json.loads(definitions_json("2004-4th")) == definitions("2004-4th")


DURATIONS = [
    "00:00:00",
    "0000:00:00.05",
    "1:02:03.456",
    "9999:59:59.99",
    "PT0S",
    "PT1.5S",
    "PT1.239S",
    "P1Y2M3DT4H5M6.07S",
    "P10D",
    "PT36H",
]


def test_js_duration_parser_matches_python(page):
    got = page.evaluate("(values) => values.map(InteropScorm.durationCs)", DURATIONS)
    assert got == [parse_duration(value) for value in DURATIONS]
    assert (
        page.evaluate(
            "['', 'P', 'PT', 'P1DT', 'x', '1:2:3'].map(InteropScorm.durationCs)"
        )
        == [None] * 6
    )


@pytest.mark.parametrize("config", [STRICT, LENIENT], ids=["strict", "lenient"])
def test_js_parity_timestamp_forms_identical(page, config):
    # RTE 4th ed. §4.1.1.6: ss[.s[TZD]]; lenient mode tolerates a TZD after seconds.
    n = _names("2004-4th")
    calls = [[n["Initialize"], ""]]
    for index, stamp in enumerate(
        ["2024-05-01T10:00:00", "2024-05-01T10:00:00.5Z", "2024-05-01T10:00:00Z"]
        + ["2024-05-01T10:00:00+01:00", "2024-05-01T10:00:00.123Z", "2024-05-01T10Z"]
    ):
        calls.append(
            [n["SetValue"], f"cmi.comments_from_learner.{index}.timestamp", stamp]
        )
    _compare(page, "2004-4th", config, calls)
