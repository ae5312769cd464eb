"""SCORM 1.2 data model conformance, table-driven from RTE 1.2 §3.4.4 and §3.3.2.2."""

import pytest
from scorm_testkit import LENIENT, launched, outcome

from scorm_runtime import CompatibilitySettings

# RTE 1.2 §3.4.4: every element, its access and the value a fresh attempt returns.
ELEMENTS_12 = [
    ("cmi.core._children", "RO", None),
    ("cmi.core.student_id", "RO", "learner-1"),
    ("cmi.core.student_name", "RO", "Doe, Jane"),
    ("cmi.core.lesson_location", "RW", ""),
    ("cmi.core.credit", "RO", "credit"),
    ("cmi.core.lesson_status", "RW", "not attempted"),
    ("cmi.core.entry", "RO", "ab-initio"),
    ("cmi.core.score._children", "RO", "raw,min,max"),
    ("cmi.core.score.raw", "RW", ""),
    ("cmi.core.score.min", "RW", ""),
    ("cmi.core.score.max", "RW", ""),
    ("cmi.core.total_time", "RO", "0000:00:00.00"),
    ("cmi.core.lesson_mode", "RO", "normal"),
    ("cmi.core.exit", "WO", None),
    ("cmi.core.session_time", "WO", None),
    ("cmi.suspend_data", "RW", ""),
    ("cmi.launch_data", "RO", ""),
    ("cmi.comments", "RW", ""),
    ("cmi.comments_from_lms", "RO", ""),
    ("cmi.objectives._children", "RO", "id,score,status"),
    ("cmi.objectives._count", "RO", "0"),
    ("cmi.student_data._children", "RO", None),
    ("cmi.student_data.mastery_score", "RO", ""),
    ("cmi.student_data.max_time_allowed", "RO", ""),
    ("cmi.student_data.time_limit_action", "RO", "continue,no message"),
    ("cmi.student_preference._children", "RO", "audio,language,speed,text"),
    ("cmi.student_preference.audio", "RW", "0"),
    ("cmi.student_preference.language", "RW", ""),
    ("cmi.student_preference.speed", "RW", "0"),
    ("cmi.student_preference.text", "RW", "0"),
    ("cmi.interactions._children", "RO", None),
    ("cmi.interactions._count", "RO", "0"),
    ("cmi._version", "RO", "3.4"),
]


@pytest.mark.parametrize(("element", "access", "initial"), ELEMENTS_12)
def test_get_12_each_element_book_access(element, access, initial):
    api = launched("1.2")
    value, error = outcome(api, ("LMSGetValue", element))
    if access == "WO":
        assert (value, error) == ("", "404")  # §3.3.2.2 404 Element is write only
    else:
        assert error == "0"
        assert initial is None or value == initial


@pytest.mark.parametrize(
    ("element", "access", "initial"), [e for e in ELEMENTS_12 if e[1] == "RO"]
)
def test_set_12_read_only_element_error(element, access, initial):
    api = launched("1.2")
    keyword = element.rsplit(".", 1)[-1].startswith("_")
    # §3.3.2.2: 402 for keywords, 403 for read-only elements.
    assert outcome(api, ("LMSSetValue", element, "x")) == (
        "false",
        "402" if keyword else "403",
    )


# (element, value, expected error) — RTE 1.2 §3.4.3 data types, §3.4.4 vocabularies.
SETS_12 = [
    ("cmi.core.lesson_location", "page-3", "0"),
    ("cmi.core.lesson_location", "x" * 256, "405"),
    ("cmi.core.lesson_status", "passed", "0"),
    ("cmi.core.lesson_status", "browsed", "0"),
    ("cmi.core.lesson_status", "not attempted", "405"),
    ("cmi.core.lesson_status", "done", "405"),
    ("cmi.core.score.raw", "85.5", "0"),
    ("cmi.core.score.raw", "", "0"),
    ("cmi.core.score.raw", "101", "405"),
    ("cmi.core.score.raw", "-1", "405"),
    ("cmi.core.score.raw", "abc", "405"),
    ("cmi.core.score.min", "0", "0"),
    ("cmi.core.score.max", "100", "0"),
    ("cmi.core.exit", "suspend", "0"),
    ("cmi.core.exit", "", "0"),
    ("cmi.core.exit", "normal", "405"),
    ("cmi.core.session_time", "0000:10:00.00", "0"),
    ("cmi.core.session_time", "PT10M", "405"),
    ("cmi.suspend_data", "x" * 4096, "0"),
    ("cmi.suspend_data", "x" * 4097, "405"),
    ("cmi.comments", "nice", "0"),
    ("cmi.student_preference.audio", "-1", "0"),
    ("cmi.student_preference.audio", "101", "405"),
    ("cmi.student_preference.speed", "-100", "0"),
    ("cmi.student_preference.speed", "1.5", "405"),
    ("cmi.student_preference.text", "2", "405"),
    ("cmi.student_preference.language", "en", "0"),
    ("cmi.objectives.0.id", "obj-1", "0"),
    ("cmi.objectives.0.id", "two words", "405"),
    ("cmi.objectives.1.id", "obj-1", "201"),
    ("cmi.objectives.0.status", "failed", "0"),
    ("cmi.objectives.0.score.raw", "50", "0"),
    ("cmi.interactions.0.id", "q1", "0"),
    ("cmi.interactions.0.type", "choice", "0"),
    ("cmi.interactions.0.type", "long-fill-in", "405"),
    ("cmi.interactions.0.time", "13:05:00", "0"),
    ("cmi.interactions.0.time", "25:00:00", "405"),
    ("cmi.interactions.0.weighting", "1.5", "0"),
    ("cmi.interactions.0.result", "wrong", "0"),
    ("cmi.interactions.0.result", "0.75", "0"),
    ("cmi.interactions.0.result", "incorrect", "405"),
    ("cmi.interactions.0.latency", "00:00:05", "0"),
    ("cmi.interactions.0.objectives.0.id", "obj-1", "0"),
    ("cmi.interactions.0.objectives.1.id", "obj-1", "201"),
    ("cmi.interactions.0.correct_responses.0.pattern", "a", "0"),
    ("cmi.bogus", "x", "401"),
    ("xyz.score.result", "x", "401"),
    ("", "x", "201"),
    ("cmi.core._children", "x", "402"),
    ("cmi.core.score._count", "x", "402"),
]


@pytest.mark.parametrize(("element", "value", "error"), SETS_12)
def test_set_12_table_book_error(element, value, error):
    api = launched("1.2")
    result, code = outcome(api, ("LMSSetValue", element, value))
    assert code == error
    assert result == ("true" if error == "0" else "false")


# §3.3.2.2 202 / 203 / 201 and §3.4.4 index rules on LMSGetValue.
GETS_12 = [
    ("cmi.core.student_id._children", "202"),
    ("cmi.core._count", "203"),
    ("cmi.core.lesson_status._count", "203"),
    ("cmi.objectives.0.id", "201"),
    ("cmi.objectives.00.id", "401"),
    ("cmi.core._version", "201"),
    ("cmi.nothing._children", "401"),
    ("cmi.interactions.0.id", "404"),
    ("cmi.interactions.0.objectives.3.id", "404"),
    ("cmi.objectives.0.score.raw", "201"),
    ("", "201"),
    ("cmi..core", "401"),
    ("_count", "401"),
    ("_children", "401"),
]


@pytest.mark.parametrize(("element", "error"), GETS_12)
def test_get_12_invalid_request_book_error(element, error):
    api = launched("1.2")
    assert outcome(api, ("LMSGetValue", element)) == ("", error)


def test_set_12_interaction_elements_are_write_only():
    api = launched("1.2")
    assert outcome(api, ("LMSSetValue", "cmi.interactions.0.id", "q1")) == ("true", "0")
    assert outcome(api, ("LMSGetValue", "cmi.interactions._count")) == ("1", "0")
    assert outcome(api, ("LMSGetValue", "cmi.interactions.0.id")) == ("", "404")
    assert outcome(api, ("LMSGetValue", "cmi.interactions.0.objectives._count")) == (
        "0",
        "0",
    )


def test_set_12_objective_then_count_and_read_back():
    api = launched("1.2")
    api.call("LMSSetValue", "cmi.objectives.0.id", "obj-1")
    api.call("LMSSetValue", "cmi.objectives.1.id", "obj-2")
    assert outcome(api, ("LMSGetValue", "cmi.objectives._count")) == ("2", "0")
    assert outcome(api, ("LMSGetValue", "cmi.objectives.1.id")) == ("obj-2", "0")
    assert outcome(api, ("LMSGetValue", "cmi.objectives.1.status")) == (
        "not attempted",
        "0",
    )
    assert outcome(api, ("LMSGetValue", "cmi.objectives.0.score._children")) == (
        "raw,min,max",
        "0",
    )


def test_set_12_lenient_suspend_data_64000_recorded():
    api = launched("1.2", settings=LENIENT)
    assert outcome(api, ("LMSSetValue", "cmi.suspend_data", "x" * 64000)) == (
        "true",
        "0",
    )
    assert [d.kind for d in api.deviations] == ["spm-exceeded"]
    assert outcome(api, ("LMSSetValue", "cmi.suspend_data", "x" * 64001)) == (
        "false",
        "405",
    )
    assert len(api.get_value("cmi.suspend_data")) == 64000


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("cmi.interactions.0.result", "incorrect"),
        ("cmi.objectives.0.id", "Question 1"),
        ("cmi.core.session_time", "PT1M30S"),
        ("cmi.interactions.0.time", "2024-01-01T10:00:00"),
        ("cmi.interactions.0.latency", "PT5S"),
    ],
)
def test_set_12_lenient_authoring_tool_format_tolerated(element, value):
    api = launched("1.2", settings=LENIENT)
    assert outcome(api, ("LMSSetValue", element, value)) == ("true", "0")
    assert api.deviations[0].kind.startswith("tolerated-format")
    assert api.deviations[0].element == element


def _scored(element: str, settings):
    api = launched("1.2", settings=settings)
    if element.startswith("cmi.objectives"):
        api.call("LMSSetValue", "cmi.objectives.0.id", "q1")
    return api


@pytest.mark.parametrize(
    "element", ["cmi.core.score.raw", "cmi.objectives.0.score.max"]
)
def test_set_12_scores_as_points_only_when_the_course_says_so(element):
    # RTE 1.2 §3.4.4 cmi.core.score.raw: "a normalized value between 0 and 100"; a
    # course set to take points (scores_as_points_12) takes 150 and logs it.
    book = _scored(element, LENIENT)
    assert outcome(book, ("LMSSetValue", element, "150")) == ("false", "405")
    points = _scored(element, CompatibilitySettings(scores_as_points_12=True))
    assert outcome(points, ("LMSSetValue", element, "150")) == ("true", "0")
    assert points.deviations[0].kind == "tolerated-format:score-range"
    assert outcome(points, ("LMSSetValue", element, "x")) == ("false", "405")


def test_finish_12_iso_session_time_tolerated_accumulates():
    api = launched("1.2", settings=LENIENT)
    api.call("LMSSetValue", "cmi.core.session_time", "PT1M30.5S")
    api.call("LMSFinish", "")
    assert api.state.cmi["cmi.core.total_time"] == "0000:01:30.50"


def test_set_12_lenient_empty_identifier_still_405():
    api = launched("1.2", settings=LENIENT)
    assert outcome(api, ("LMSSetValue", "cmi.objectives.0.id", "")) == ("false", "405")
