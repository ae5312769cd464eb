"""SCORM 2004 data model conformance, table-driven from RTE 4th ed. §4.2-§4.4.

Codes from RTE 4th ed. §3.1.7.6 (Table 3.1.7.6a); the same tables run against the
2nd, 3rd and 4th editions unless a row names an edition.
"""

import pytest
from scorm_testkit import LENIENT, launched, outcome

from scorm_runtime import unusable_launch_identifiers

EDITIONS = ["2004-2nd", "2004-3rd", "2004-4th"]
NOT_SET = object()

# RTE 4th ed. §4.2: element, access, value of a fresh attempt (NOT_SET: error 403).
ELEMENTS_2004 = [
    ("cmi._version", "RO", "1.0"),
    ("cmi.comments_from_learner._children", "RO", "comment,location,timestamp"),
    ("cmi.comments_from_learner._count", "RO", "0"),
    ("cmi.comments_from_lms._children", "RO", "comment,location,timestamp"),
    ("cmi.comments_from_lms._count", "RO", "0"),
    ("cmi.completion_status", "RW", "unknown"),
    ("cmi.completion_threshold", "RO", NOT_SET),
    ("cmi.credit", "RO", "credit"),
    ("cmi.entry", "RO", "ab-initio"),
    ("cmi.exit", "WO", None),
    ("cmi.interactions._count", "RO", "0"),
    ("cmi.launch_data", "RO", NOT_SET),
    ("cmi.learner_id", "RO", "learner-1"),
    ("cmi.learner_name", "RO", "Doe, Jane"),
    ("cmi.learner_preference._children", "RO", None),
    ("cmi.learner_preference.audio_level", "RW", "1"),
    ("cmi.learner_preference.language", "RW", ""),
    ("cmi.learner_preference.delivery_speed", "RW", "1"),
    ("cmi.learner_preference.audio_captioning", "RW", "0"),
    ("cmi.location", "RW", NOT_SET),
    ("cmi.max_time_allowed", "RO", NOT_SET),
    ("cmi.mode", "RO", "normal"),
    ("cmi.objectives._count", "RO", "0"),
    ("cmi.progress_measure", "RW", NOT_SET),
    ("cmi.scaled_passing_score", "RO", NOT_SET),
    ("cmi.score._children", "RO", "scaled,raw,min,max"),
    ("cmi.score.scaled", "RW", NOT_SET),
    ("cmi.score.raw", "RW", NOT_SET),
    ("cmi.score.min", "RW", NOT_SET),
    ("cmi.score.max", "RW", NOT_SET),
    ("cmi.session_time", "WO", None),
    ("cmi.success_status", "RW", "unknown"),
    ("cmi.suspend_data", "RW", NOT_SET),
    ("cmi.time_limit_action", "RO", "continue,no message"),
    ("cmi.total_time", "RO", "PT0H0M0S"),
    ("adl.nav.request", "RW", "_none_"),
    ("adl.nav.request_valid.continue", "RO", "unknown"),
    ("adl.nav.request_valid.previous", "RO", "unknown"),
    ("adl.nav.request_valid.choice.{target=intro}", "RO", "unknown"),
]


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize(("element", "access", "initial"), ELEMENTS_2004)
def test_get_2004_each_element_book_access(edition, element, access, initial):
    api = launched(edition)
    value, error = outcome(api, ("GetValue", element))
    if access == "WO":
        assert (value, error) == ("", "405")
    elif initial is NOT_SET:
        assert (value, error) == ("", "403")
    else:
        assert error == "0"
        assert initial is None or value == initial


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize(
    ("element", "access", "initial"), [e for e in ELEMENTS_2004 if e[1] == "RO"]
)
def test_set_2004_read_only_element_404(edition, element, access, initial):
    api = launched(edition)
    assert outcome(api, ("SetValue", element, "x")) == ("false", "404")


# (element, value, expected error) from the types of RTE 4th ed. §4.1.1 and §4.2.
SETS_2004 = [
    ("cmi.location", "x" * 1000, "0"),
    ("cmi.location", "x" * 1001, "351"),
    ("cmi.completion_status", "completed", "0"),
    ("cmi.completion_status", "passed", "406"),
    ("cmi.success_status", "failed", "0"),
    ("cmi.success_status", "complete", "406"),
    ("cmi.exit", "normal", "0"),
    ("cmi.exit", "suspend", "0"),
    ("cmi.exit", "quit", "406"),
    ("cmi.session_time", "PT1H30M", "0"),
    ("cmi.session_time", "00:10:00", "406"),
    ("cmi.progress_measure", "0.5", "0"),
    ("cmi.progress_measure", "1.5", "407"),
    ("cmi.progress_measure", "half", "406"),
    ("cmi.score.scaled", "-1", "0"),
    ("cmi.score.scaled", "1.0000001", "407"),
    ("cmi.score.raw", "-250.5", "0"),
    ("cmi.score.max", "1e3", "406"),
    ("cmi.suspend_data", "x" * 4000, "0"),
    ("cmi.learner_preference.audio_level", "0", "0"),
    ("cmi.learner_preference.audio_level", "-0.1", "407"),
    ("cmi.learner_preference.delivery_speed", "2.5", "0"),
    ("cmi.learner_preference.language", "en-US", "0"),
    ("cmi.learner_preference.language", "", "0"),
    ("cmi.learner_preference.language", "english!", "406"),
    ("cmi.learner_preference.audio_captioning", "-1", "0"),
    ("cmi.learner_preference.audio_captioning", "2", "406"),
    ("cmi.objectives.0.id", "urn:ADL:objective-1", "0"),
    ("cmi.objectives.0.id", "urn:", "406"),
    ("cmi.objectives.0.id", "has space", "406"),
    ("cmi.objectives.0.id", "", "406"),
    ("cmi.objectives.1.id", "obj", "351"),
    ("cmi.objectives.0.success_status", "passed", "408"),
    ("cmi.objectives.0.score.raw", "1", "408"),
    ("cmi.interactions.0.id", "q1", "0"),
    ("cmi.interactions.0.type", "choice", "408"),
    ("cmi.interactions.0.learner_response", "a", "408"),
    ("cmi.comments_from_learner.0.comment", "{lang=en}Great", "0"),
    ("cmi.comments_from_learner.0.comment", "{lang=123}Great", "406"),
    ("cmi.comments_from_learner.0.location", "p1", "0"),
    ("cmi.comments_from_learner.0.timestamp", "2024-05-01T10:00:00", "0"),
    ("cmi.comments_from_learner.0.timestamp", "2024-05-01T10:00:00.5Z", "0"),
    ("cmi.comments_from_learner.0.timestamp", "2024-05-01T10:00:00.25-05:00", "0"),
    # §4.1.1.6: ss[.s[TZD]] -- no time zone without a fraction of a second.
    ("cmi.comments_from_learner.0.timestamp", "2024-05-01T10:00:00Z", "406"),
    ("cmi.interactions.0.timestamp", "2024-05-01T10:00:00+01:00", "408"),
    ("cmi.comments_from_learner.0.timestamp", "yesterday", "406"),
    ("cmi.comments_from_learner.1.comment", "out of order", "351"),
    ("cmi.comments_from_lms.0.comment", "x", "404"),
    ("adl.nav.request", "continue", "0"),
    ("adl.nav.request", "suspendAll", "0"),
    ("adl.nav.request", "{target=intro}choice", "0"),
    ("adl.nav.request", "{target=}choice", "406"),
    ("adl.nav.request", "jump", "406"),
    ("cmi.bogus", "x", "401"),
    ("", "x", "351"),
    ("cmi.objectives._count", "1", "404"),
    ("cmi._version", "2.0", "404"),
    ("cmi.nothing._count", "1", "401"),
]


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize(("element", "value", "error"), SETS_2004)
def test_set_2004_table_book_error(edition, element, value, error):
    api = launched(edition)
    result, code = outcome(api, ("SetValue", element, value))
    assert code == error
    assert result == ("true" if error == "0" else "false")


# (element, expected error): RTE 4th ed. §3.1.7.6 "SCORM Extension Error Conditions".
GETS_2004 = [
    ("", "301"),
    ("cmi.location._children", "301"),
    ("cmi.location._count", "301"),
    ("cmi.score._count", "301"),
    ("cmi.location._version", "301"),
    ("cmi.objectives.0.id", "301"),
    ("cmi.interactions.0.objectives._count", "301"),
    ("cmi.interactions.0.correct_responses._children", "301"),
    ("cmi.nothing", "401"),
    ("adl.nav.request_valid.choice", "401"),
    ("adl.nav.request_valid.choice.intro", "401"),
    ("cmi.core.student_id", "401"),
    ("cmi.objectives.n.id", "401"),
    ("_count", "401"),
    ("_children", "401"),
    ("cmi.objectives.n.score._children", "401"),
]


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize(("element", "error"), GETS_2004)
def test_get_2004_invalid_request_book_error(edition, element, error):
    api = launched(edition)
    assert outcome(api, ("GetValue", element)) == ("", error)


@pytest.mark.parametrize(
    ("edition", "children"),
    [
        ("2004-2nd", "id,score,success_status,completion_status,description"),
        (
            "2004-4th",
            "id,score,success_status,completion_status,progress_measure,description",
        ),
    ],
)
def test_get_2004_objectives_children_per_edition(edition, children):
    api = launched(edition)
    assert api.get_value("cmi.objectives._children") == children


def test_get_2004_interactions_children_book_list():
    api = launched("2004-4th")
    assert api.get_value("cmi.interactions._children") == (
        "id,type,objectives,timestamp,correct_responses,weighting,learner_response,"
        "result,latency,description"
    )


def test_set_2004_suspend_data_spm_per_edition():
    third, fourth = launched("2004-3rd"), launched("2004-4th")
    assert outcome(third, ("SetValue", "cmi.suspend_data", "x" * 4001)) == (
        "false",
        "351",
    )
    assert outcome(fourth, ("SetValue", "cmi.suspend_data", "x" * 64000)) == (
        "true",
        "0",
    )


def test_set_2004_fourth_edition_adl_data_and_jump():
    api = launched("2004-4th", data_stores=["notes"])
    assert outcome(api, ("GetValue", "adl.data._count")) == ("1", "0")
    assert outcome(api, ("GetValue", "adl.data._children")) == ("id,store", "0")
    assert outcome(api, ("GetValue", "adl.data.0.id")) == ("notes", "0")
    assert outcome(api, ("GetValue", "adl.data.0.store")) == ("", "403")
    assert outcome(api, ("SetValue", "adl.data.0.store", "kept")) == ("true", "0")
    assert outcome(api, ("GetValue", "adl.data.0.store")) == ("kept", "0")
    assert outcome(api, ("SetValue", "adl.data.0.id", "other")) == ("false", "404")
    assert outcome(api, ("SetValue", "adl.data.1.store", "x")) == ("false", "351")
    assert outcome(api, ("SetValue", "adl.nav.request", "{target=b}jump")) == (
        "true",
        "0",
    )
    assert outcome(api, ("GetValue", "adl.nav.request_valid.jump.{target=b}")) == (
        "unknown",
        "0",
    )


@pytest.mark.parametrize("edition", ["2004-2nd", "2004-3rd"])
def test_set_2004_before_fourth_no_adl_data_or_jump(edition):
    api = launched(edition)
    assert outcome(api, ("GetValue", "adl.data._count")) == ("", "401")
    assert outcome(api, ("SetValue", "adl.nav.request", "{target=b}jump")) == (
        "false",
        "406",
    )


def test_set_2004_objective_rules_unique_and_immutable():
    api = launched("2004-4th")
    assert api.set_value("cmi.objectives.0.id", "obj-a") == "true"
    assert api.set_value("cmi.objectives.0.id", "obj-a") == "true"
    assert outcome(api, ("SetValue", "cmi.objectives.0.id", "obj-b")) == (
        "false",
        "351",
    )
    assert outcome(api, ("SetValue", "cmi.objectives.1.id", "obj-a")) == (
        "false",
        "351",
    )
    assert api.set_value("cmi.objectives.0.score.scaled", "0.5") == "true"
    assert outcome(api, ("GetValue", "cmi.objectives.0.score.scaled")) == ("0.5", "0")
    assert outcome(api, ("GetValue", "cmi.objectives.0.description")) == ("", "403")
    assert outcome(api, ("GetValue", "cmi.objectives.0.success_status")) == (
        "unknown",
        "0",
    )


def test_set_2004_interaction_flow_counts_and_values():
    api = launched("2004-4th")
    calls = [
        ("cmi.interactions.0.id", "urn:ADL:interaction-1"),
        ("cmi.interactions.0.type", "choice"),
        ("cmi.interactions.0.objectives.0.id", "obj-a"),
        ("cmi.interactions.0.timestamp", "2024-05-01T10:00:00"),
        ("cmi.interactions.0.correct_responses.0.pattern", "a[,]b"),
        ("cmi.interactions.0.weighting", "1"),
        ("cmi.interactions.0.learner_response", "a"),
        ("cmi.interactions.0.result", "incorrect"),
        ("cmi.interactions.0.latency", "PT5S"),
        ("cmi.interactions.0.description", "{lang=fr}Question"),
    ]
    for element, value in calls:
        assert outcome(api, ("SetValue", element, value)) == ("true", "0"), element
        assert outcome(api, ("GetValue", element)) == (value, "0")
    assert api.get_value("cmi.interactions.0.objectives._count") == "1"
    assert api.get_value("cmi.interactions.0.correct_responses._count") == "1"
    assert outcome(
        api, ("SetValue", "cmi.interactions.0.objectives.1.id", "obj-a")
    ) == (
        "false",
        "351",
    )


def test_set_2004_single_pattern_types_second_pattern_351():
    api = launched("2004-4th", settings=LENIENT)
    api.set_value("cmi.interactions.0.id", "q1")
    api.set_value("cmi.interactions.0.type", "true-false")
    assert api.set_value("cmi.interactions.0.correct_responses.0.pattern", "true")
    assert outcome(
        api, ("SetValue", "cmi.interactions.0.correct_responses.1.pattern", "false")
    ) == ("false", "351")


def test_set_2004_collection_beyond_spm_strict_351_lenient_recorded():
    strict = launched("2004-4th")
    lenient = launched("2004-4th", settings=LENIENT)
    for api in (strict, lenient):
        for index in range(250):
            api.set_value(f"cmi.comments_from_learner.{index}.comment", "c")
    assert outcome(
        strict, ("SetValue", "cmi.comments_from_learner.250.comment", "c")
    ) == (
        "false",
        "351",
    )
    assert outcome(
        lenient, ("SetValue", "cmi.comments_from_learner.250.comment", "c")
    ) == ("true", "0")
    assert lenient.deviations[-1].kind == "spm-exceeded"
    assert lenient.deviations[-1].element == "cmi.comments_from_learner"


def test_get_2004_comments_from_lms_loaded_at_launch():
    api = launched(
        "2004-4th",
        comments_from_lms=[
            {"comment": "Welcome", "location": "intro", "timestamp": "2024-01-01"},
            "Second",
        ],
    )
    assert api.get_value("cmi.comments_from_lms._count") == "2"
    assert api.get_value("cmi.comments_from_lms.0.location") == "intro"
    assert api.get_value("cmi.comments_from_lms.1.comment") == "Second"
    assert outcome(api, ("GetValue", "cmi.comments_from_lms.1.location")) == ("", "403")


def test_set_2004_identifier_label_strict_406_lenient_tolerated():
    strict, lenient = launched("2004-4th"), launched("2004-4th", settings=LENIENT)
    element = "cmi.interactions.0.id"
    assert outcome(strict, ("SetValue", element, "Question 1")) == ("false", "406")
    assert outcome(lenient, ("SetValue", element, "Question 1")) == ("true", "0")
    assert lenient.deviations[-1].kind == "tolerated-format:identifier"
    assert outcome(lenient, ("SetValue", element, "")) == ("false", "406")
    # Too long to tolerate: it stays a type mismatch.
    assert outcome(lenient, ("SetValue", element, "x y" * 30000)) == ("false", "406")


@pytest.mark.parametrize("edition", EDITIONS)
def test_get_2004_manifest_objectives_initialized_at_launch(edition):
    # RTE 4th ed. §4.2.17 (3rd ed. §4.2.17, 2nd ed. §3.4.2.17): the LMS initializes
    # cmi.objectives.n.id with the objective IDs the manifest defines for the SCO
    # (imsss:primaryObjective / imsss:objective objectiveID), in manifest order.
    api = launched(edition, objectives=["obj1", "obj2", "obj1"])
    assert outcome(api, ("GetValue", "cmi.objectives._count")) == ("2", "0")
    assert outcome(api, ("GetValue", "cmi.objectives.0.id")) == ("obj1", "0")
    assert outcome(api, ("GetValue", "cmi.objectives.1.id")) == ("obj2", "0")
    assert outcome(api, ("GetValue", "cmi.objectives.1.success_status")) == (
        "unknown",
        "0",
    )
    assert outcome(api, ("GetValue", "cmi.objectives.0.score.scaled")) == ("", "403")
    # The ids are the SCO's too: same value accepted, another one refused (351).
    assert outcome(api, ("SetValue", "cmi.objectives.0.id", "obj1")) == ("true", "0")
    assert outcome(api, ("SetValue", "cmi.objectives.0.id", "other")) == (
        "false",
        "351",
    )
    assert outcome(api, ("SetValue", "cmi.objectives.2.id", "obj2")) == (
        "false",
        "351",
    )
    assert outcome(api, ("SetValue", "cmi.objectives.2.id", "obj3")) == ("true", "0")
    assert outcome(api, ("SetValue", "cmi.objectives.1.score.scaled", "0.5")) == (
        "true",
        "0",
    )


def test_new_attempt_2004_manifest_objectives_kept_for_next_attempt():
    from scorm_runtime import start_session

    api = launched("2004-4th", objectives=["obj1"])
    api.set_value("cmi.objectives.0.success_status", "passed")
    api.terminate("")
    launch = start_session(api.state)
    assert launch.decision == "new-attempt"
    assert launch.state.cmi["cmi.objectives.0.id"] == "obj1"
    assert "cmi.objectives.0.success_status" not in launch.state.cmi


def test_new_attempt_2004_manifest_identifiers_of_another_type_left_out():
    # A manifest's objectiveID or targetID that is no long_identifier_type (RTE 4th
    # ed. §4.1.1.4) cannot be handed to the SCO; the launch goes on without it.
    api = launched(
        "2004-4th",
        objectives=["has space", "urn:x", "obj1"],
        data_stores=["urn:x", {"id": "urn:hub:notes", "read": True, "write": True}],
    )
    assert outcome(api, ("GetValue", "cmi.objectives._count")) == ("1", "0")
    assert outcome(api, ("GetValue", "cmi.objectives.0.id")) == ("obj1", "0")
    assert outcome(api, ("GetValue", "adl.data._count")) == ("1", "0")
    assert outcome(api, ("GetValue", "adl.data.0.id")) == ("urn:hub:notes", "0")


# RTE 4th ed. §4.3 (adl.data) with CAM 4th ed. <adlcp:map readSharedData
# writeSharedData>: a store the SCO may not write is read-only (404), one it may not
# read is write-only (405); ids stay readable.
DATA_STORE_ACCESS = [
    ({"id": "rw", "read": True, "write": True}, ("", "403"), ("true", "0")),
    ({"id": "ro", "read": True, "write": False}, ("", "403"), ("false", "404")),
    ({"id": "wo", "read": False, "write": True}, ("", "405"), ("true", "0")),
    ({"id": "no", "read": False, "write": False}, ("", "405"), ("false", "404")),
    ("plain", ("", "403"), ("true", "0")),
]


@pytest.mark.parametrize(("store", "get", "set_"), DATA_STORE_ACCESS)
def test_adl_data_store_access_from_manifest_map(store, get, set_):
    api = launched("2004-4th", data_stores=[store])
    name = store if isinstance(store, str) else store["id"]
    assert outcome(api, ("GetValue", "adl.data.0.id")) == (name, "0")
    assert outcome(api, ("GetValue", "adl.data.0.store")) == get
    assert outcome(api, ("SetValue", "adl.data.0.store", "kept")) == set_
    # The LMS-side access marker is no element a SCO can name.
    assert outcome(api, ("GetValue", ".adl.data.0.store")) == ("", "401")
    assert outcome(api, ("SetValue", ".adl.data.0.store", "RW")) == ("false", "401")


def test_set_2004_timestamp_zone_without_fraction_lenient_tolerated():
    element = "cmi.comments_from_learner.0.timestamp"
    strict, lenient = launched("2004-4th"), launched("2004-4th", settings=LENIENT)
    assert outcome(strict, ("SetValue", element, "2024-05-01T10:00:00Z")) == (
        "false",
        "406",
    )
    assert outcome(lenient, ("SetValue", element, "2024-05-01T10:00:00Z")) == (
        "true",
        "0",
    )
    assert lenient.deviations[-1].kind == "tolerated-format:time-format"


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (
            "2004-4th",
            [("cmi.objectives.n.id", "has space"), ("adl.data.n.id", "a b")],
        ),
        ("2004-3rd", [("cmi.objectives.n.id", "has space")]),  # no adl.data
        ("1.2", []),  # no objective IDs from the manifest
    ],
)
def test_unusable_launch_identifiers_are_the_ones_a_launch_leaves_out(
    version, expected
):
    found = unusable_launch_identifiers(
        version,
        objectives=["has space", "obj1", "has space"],
        data_stores=["a b", "urn:hub:notes"],
    )
    assert found == expected
