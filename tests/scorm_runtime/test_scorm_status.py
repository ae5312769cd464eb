"""Status semantics: RTE 1.2 §3.4.4 lesson_status rules, RTE 4th ed. §4.2.4.1/§4.2.22."""

import pytest
from scorm_testkit import launched

from scorm_runtime import check_time_limit, new_attempt_state


@pytest.mark.parametrize(
    ("set_status", "raw", "credit", "mode", "expected"),
    [
        (None, None, "credit", "normal", "completed"),
        (None, None, "credit", "browse", "browsed"),
        (None, None, "credit", "review", "not attempted"),
        ("completed", "10", "credit", "review", "completed"),
        ("incomplete", "85", "credit", "normal", "incomplete"),
        ("incomplete", "40", "credit", "normal", "incomplete"),
        ("passed", "40", "credit", "normal", "failed"),
        ("failed", "90", "credit", "normal", "passed"),
        ("completed", "40", "credit", "normal", "failed"),
        ("completed", "80", "credit", "normal", "passed"),
        ("completed", "40", "no-credit", "normal", "completed"),
        ("incomplete", None, "credit", "normal", "incomplete"),
    ],
)
def test_finish_12_lesson_status_rules(set_status, raw, credit, mode, expected):
    # RTE 1.2 §3.4.4 cmi.core.lesson_status "Additional Behavior Requirements"; SCORM
    # 1.2 Conformance Requirements: a status the SCO set to "incomplete" stands, any
    # other is judged against the mastery score.
    api = launched("1.2", mastery_score="80", credit=credit, mode=mode)
    if set_status:
        api.call("LMSSetValue", "cmi.core.lesson_status", set_status)
    if raw:
        api.call("LMSSetValue", "cmi.core.score.raw", raw)
    api.call("LMSFinish", "")
    assert api.state.cmi["cmi.core.lesson_status"] == expected


def test_finish_12_accumulates_total_time():
    api = launched("1.2")
    api.call("LMSSetValue", "cmi.core.session_time", "01:15:30.5")
    api.call("LMSFinish", "")
    assert api.state.cmi["cmi.core.total_time"] == "0001:15:30.50"
    assert "cmi.core.session_time" not in api.state.cmi


@pytest.mark.parametrize(
    ("threshold", "measure", "stored", "expected"),
    [
        ("0.8", "0.9", "incomplete", "completed"),
        ("0.8", "0.8", None, "completed"),
        ("0.8", "0.5", "completed", "incomplete"),
        ("0.8", None, "completed", "unknown"),
        (None, "0.1", "completed", "completed"),
        (None, None, None, "unknown"),
    ],
)
def test_get_2004_completion_status_evaluated(threshold, measure, stored, expected):
    api = launched("2004-4th", completion_threshold=threshold)
    if measure:
        api.set_value("cmi.progress_measure", measure)
    if stored:
        api.set_value("cmi.completion_status", stored)
    assert api.get_value("cmi.completion_status") == expected


@pytest.mark.parametrize(
    ("passing", "scaled", "stored", "expected"),
    [
        ("0.6", "0.7", "failed", "passed"),
        ("0.6", "0.5", "passed", "failed"),
        ("0.6", None, "passed", "unknown"),
        (None, "0.1", "passed", "passed"),
    ],
)
def test_get_2004_success_status_evaluated(passing, scaled, stored, expected):
    api = launched("2004-3rd", scaled_passing_score=passing)
    if scaled:
        api.set_value("cmi.score.scaled", scaled)
    api.set_value("cmi.success_status", stored)
    assert api.get_value("cmi.success_status") == expected


def test_terminate_2004_stores_evaluation_and_total_time():
    api = launched("2004-4th", completion_threshold="0.5", scaled_passing_score="0.5")
    api.set_value("cmi.progress_measure", "0.75")
    api.set_value("cmi.score.scaled", "0.25")
    api.set_value("cmi.session_time", "PT1H")
    api.terminate("")
    cmi = api.state.cmi
    assert cmi["cmi.completion_status"] == "completed"
    assert cmi["cmi.success_status"] == "failed"
    assert cmi["cmi.total_time"] == "PT1H0M0S"


@pytest.mark.parametrize("mode", ["browse", "review"])
def test_launch_non_normal_mode_is_no_credit(mode):
    assert launched("2004-4th", mode=mode).get_value("cmi.credit") == "no-credit"
    assert launched("1.2", mode=mode).get_value("cmi.core.credit") == "no-credit"


def test_launch_bad_parameters_raise():
    with pytest.raises(ValueError, match="bad launch"):
        new_attempt_state("2004-4th", learner_id="a", learner_name="b", mode="test")


@pytest.mark.parametrize(
    ("version", "limit", "total", "session", "exceeded"),
    [
        ("1.2", "00:30:00", "00:20:00", 11 * 60 * 100, True),
        ("1.2", "PT30M", None, 60 * 100, False),
        ("2004-4th", "PT30M", "PT29M", 2 * 60 * 100, True),
        ("2004-4th", None, None, 10**9, False),
    ],
)
def test_check_time_limit_versions(version, limit, total, session, exceeded):
    state = new_attempt_state(
        version,
        learner_id="a",
        learner_name="b",
        max_time_allowed=limit,
        time_limit_action="exit,message",
    )
    if total:
        key = "cmi.core.total_time" if version == "1.2" else "cmi.total_time"
        state.cmi[key] = total
    result = check_time_limit(version, state.cmi, session)
    assert result.exceeded is exceeded
    assert result.action == "exit,message"


def test_launch_invalid_values_raise():
    with pytest.raises(ValueError, match="mastery_score"):
        new_attempt_state("1.2", learner_id="a", learner_name="b", mastery_score="x")
    with pytest.raises(ValueError, match="completion_threshold"):
        new_attempt_state(
            "2004-4th", learner_id="a", learner_name="b", completion_threshold=2
        )


def test_launch_long_launch_data_accepted_and_readable():
    api = launched("1.2", launch_data="x" * 5000)
    assert len(api.call("LMSGetValue", "cmi.launch_data")) == 5000


# RTE 1.2 §3.4.4 cmi.student_data.max_time_allowed / RTE 4th ed. §4.2.15
# cmi.max_time_allowed: initialized from the manifest (adlcp:maxtimeallowed,
# imsss:attemptAbsoluteDurationLimit); a value already of the element's type is
# returned as written, another format is converted.
MAX_TIME_ALLOWED = [
    ("1.2", "cmi.student_data.max_time_allowed", "00:30:00", "00:30:00"),
    ("1.2", "cmi.student_data.max_time_allowed", "0001:00:00.5", "0001:00:00.5"),
    ("1.2", "cmi.student_data.max_time_allowed", "PT30M", "0000:30:00.00"),
    ("2004-4th", "cmi.max_time_allowed", "PT1H", "PT1H"),
    ("2004-3rd", "cmi.max_time_allowed", "P1DT0.5S", "P1DT0.5S"),
    ("2004-4th", "cmi.max_time_allowed", "00:30:00", "PT0H30M0S"),
]


@pytest.mark.parametrize(("version", "element", "limit", "value"), MAX_TIME_ALLOWED)
def test_launch_max_time_allowed_as_in_manifest(version, element, limit, value):
    api = launched(version, max_time_allowed=limit)
    assert (api.call(("LMS" if version == "1.2" else "") + "GetValue", element)) == (
        value
    )


# The importers hand manifest decimals over as floats; the element returns the
# manifest's number as a SCO would expect it written ("80", not "80.0").
@pytest.mark.parametrize(
    ("version", "launch", "element", "value"),
    [
        ("1.2", {"mastery_score": 80.0}, "cmi.student_data.mastery_score", "80"),
        ("1.2", {"mastery_score": 62.5}, "cmi.student_data.mastery_score", "62.5"),
        ("1.2", {"mastery_score": "75"}, "cmi.student_data.mastery_score", "75"),
        ("2004-4th", {"completion_threshold": 0.8}, "cmi.completion_threshold", "0.8"),
        ("2004-4th", {"scaled_passing_score": 1.0}, "cmi.scaled_passing_score", "1"),
    ],
)
def test_launch_manifest_decimal_written_plainly(version, launch, element, value):
    api = launched(version, **launch)
    name = "LMSGetValue" if version == "1.2" else "GetValue"
    assert api.call(name, element) == value
