"""Rollup to the registration and grading (issue 4; SN 4th ed. §4.6.3 defaults)."""

import pytest
from scorm_testkit import launched

from scorm_runtime import activity_result, course_grade, rollup
from scorm_runtime.rollup import ActivityResult


def result(completion="completed", success="unknown", scaled=None, total=0):
    return ActivityResult(completion, success, scaled, None, total)


def test_activity_result_12_normalizes_raw_score():
    api = launched("1.2")
    for element, value in [
        ("cmi.core.lesson_status", "passed"),
        ("cmi.core.score.raw", "30"),
        ("cmi.core.score.min", "10"),
        ("cmi.core.score.max", "50"),
        ("cmi.core.session_time", "00:01:00"),
    ]:
        api.call("LMSSetValue", element, value)
    api.call("LMSFinish", "")
    found = activity_result(api.state)
    assert (found.completion, found.success, found.scaled, found.raw) == (
        "completed",
        "passed",
        0.5,
        30.0,
    )
    assert found.total_cs == 6000


def test_activity_result_12_default_range_and_incomplete():
    api = launched("1.2")
    api.call("LMSSetValue", "cmi.core.lesson_status", "browsed")
    api.call("LMSSetValue", "cmi.core.score.raw", "75")
    found = activity_result(api.state)
    assert (found.completion, found.success, found.scaled) == (
        "incomplete",
        "unknown",
        0.75,
    )


def test_activity_result_2004_uses_evaluated_status():
    api = launched("2004-4th", scaled_passing_score="0.5")
    api.set_value("cmi.score.scaled", "0.9")
    api.set_value("cmi.completion_status", "completed")
    found = activity_result(api.state)
    assert (found.completion, found.success, found.scaled) == (
        "completed",
        "passed",
        0.9,
    )


@pytest.mark.parametrize(
    ("results", "completion", "success"),
    [
        ([], "not attempted", "unknown"),
        ([result(), result()], "completed", "unknown"),
        ([result(success="passed"), result(success="passed")], "completed", "passed"),
        ([result(success="passed"), result(success="failed")], "completed", "failed"),
        ([result(), result("incomplete")], "incomplete", "unknown"),
        ([result("not attempted"), result("unknown")], "not attempted", "unknown"),
    ],
)
def test_rollup_status_rules(results, completion, success):
    rolled = rollup(results)
    assert (rolled.completion, rolled.success) == (completion, success)


def test_rollup_score_mean_and_time_sum():
    rolled = rollup([result(scaled=0.5, total=100), result(total=50), result(scaled=1)])
    assert rolled.scaled == 0.75
    assert rolled.total_cs == 150


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", 0.9), ("last", 0.7), ("first", 0.5), ("average", 0.7)],
)
def test_course_grade_methods(method, expected):
    assert course_grade([0.5, None, 0.9, 0.7], method) == pytest.approx(expected)


def test_course_grade_no_scores_none_and_bad_method_raises():
    assert course_grade([None], "highest") is None
    with pytest.raises(ValueError, match="grading method"):
        course_grade([1.0], "median")


def test_activity_result_12_no_score_and_unparsable_values():
    api = launched("1.2")
    found = activity_result(api.state)
    assert (found.completion, found.scaled, found.raw) == ("not attempted", None, None)
    api.state.cmi["cmi.core.score.raw"] = "n/a"  # written around the API by a tool
    assert activity_result(api.state).raw is None


def test_activity_result_credit_flag_and_rollup_credit():
    assert activity_result(launched("1.2", mode="browse").state).credit is False
    assert activity_result(launched("2004-4th").state).credit is True
    rolled = rollup(
        [result(), ActivityResult("completed", "unknown", None, None, 0, False)]
    )
    assert rolled.credit is False
