"""Attempts: resume after suspend, new attempt otherwise, missing Terminate policies."""

import pytest
from scorm_testkit import launched

from scorm_runtime import (
    CompatibilitySettings,
    apply_commit,
    close_abandoned,
    navigation_request,
    navigation_validity,
    review_state,
    start_session,
)
from scorm_runtime.compat import Deviation


def test_start_session_never_initialized_continues():
    api = launched("1.2")
    api.state.phase = "not-initialized"
    launch = start_session(api.state)
    assert launch.decision == "continue"


def test_start_session_after_suspend_resumes_with_data():
    api = launched("2004-4th")
    api.set_value("cmi.suspend_data", "page=7")
    api.set_value("cmi.location", "7")
    api.set_value("cmi.exit", "suspend")
    api.set_value("adl.nav.request", "continue")
    api.terminate("")
    launch = start_session(api.state)
    assert launch.decision == "resume"
    resumed = launched_from(launch.state)
    assert resumed.get_value("cmi.entry") == "resume"
    assert resumed.get_value("cmi.suspend_data") == "page=7"
    assert resumed.get_value("adl.nav.request") == "_none_"
    assert launch.state.attempt == 1


def launched_from(state):
    from scorm_runtime import ScormApi

    api = ScormApi(state)
    api.initialize("")
    return api


@pytest.mark.parametrize("exit_value", ["", "logout", "time-out"])
def test_start_session_12_other_exit_new_attempt(exit_value):
    api = launched("1.2", mastery_score="70", launch_data="ld")
    api.call("LMSSetValue", "cmi.core.exit", exit_value)
    api.call("LMSSetValue", "cmi.student_preference.audio", "50")
    api.call("LMSSetValue", "cmi.core.lesson_location", "5")
    api.call("LMSFinish", "")
    launch = start_session(api.state)
    assert launch.decision == "new-attempt"
    fresh = launched_from(launch.state)
    assert launch.state.attempt == 2
    # RTE 1.2 §3.4.4 cmi.core.exit, "Additional behavior": after "time-out",
    # "logout", "" or no exit the next launch gets cmi.core.entry "" (not the first
    # launch, so not "ab-initio"); only "suspend" gives "resume".
    assert (fresh.call("LMSGetValue", "cmi.core.entry"), fresh.get_last_error()) == (
        "",
        "0",
    )
    assert fresh.call("LMSGetValue", "cmi.core.lesson_location") == ""
    assert fresh.call("LMSGetValue", "cmi.student_preference.audio") == "50"
    assert fresh.call("LMSGetValue", "cmi.student_data.mastery_score") == "70"
    assert fresh.call("LMSGetValue", "cmi.launch_data") == "ld"


def test_start_session_12_new_attempt_keeps_status_score_and_total_time():
    # RTE 1.2 §3.4.4: lesson_status starts "not attempted" on the first attempt only;
    # score.raw on an additional attempt is the last attempt's; total_time covers all
    # the student's sessions in the SCO.
    api = launched("1.2", mastery_score="70")
    api.call("LMSSetValue", "cmi.core.score.raw", "85")
    api.call("LMSSetValue", "cmi.core.score.max", "100")
    api.call("LMSSetValue", "cmi.core.session_time", "00:10:00")
    api.call("LMSSetValue", "cmi.core.lesson_location", "page-9")
    api.call("LMSSetValue", "cmi.suspend_data", "state")
    api.call("LMSFinish", "")
    fresh = launched_from(start_session(api.state).state)
    assert fresh.call("LMSGetValue", "cmi.core.lesson_status") == "passed"
    assert fresh.call("LMSGetValue", "cmi.core.score.raw") == "85"
    assert fresh.call("LMSGetValue", "cmi.core.score.max") == "100"
    assert fresh.call("LMSGetValue", "cmi.core.total_time") == "0000:10:00.00"
    assert fresh.call("LMSGetValue", "cmi.core.lesson_location") == ""
    assert fresh.call("LMSGetValue", "cmi.suspend_data") == ""
    fresh.call("LMSSetValue", "cmi.core.session_time", "00:05:00")
    fresh.call("LMSFinish", "")
    assert fresh.state.cmi["cmi.core.total_time"] == "0000:15:00.00"


def test_start_session_2004_new_attempt_starts_afresh():
    api = launched("2004-4th")
    api.call("SetValue", "cmi.score.scaled", "0.9")
    api.call("SetValue", "cmi.completion_status", "completed")
    api.call("SetValue", "cmi.session_time", "PT10M")
    api.call("Terminate", "")
    fresh = launched_from(start_session(api.state).state)
    assert fresh.call("GetValue", "cmi.completion_status") == "unknown"
    assert fresh.call("GetValue", "cmi.score.scaled") == ""
    assert fresh.call("GetValue", "cmi.total_time") == "PT0H0M0S"


def test_start_session_attempt_limit_reached():
    api = launched("2004-4th")
    api.terminate("")
    launch = start_session(api.state, max_attempts=1)
    assert launch.decision == "attempt-limit"
    assert launch.state.attempt == 1


@pytest.mark.parametrize(
    ("policy", "decision", "total"),
    [("suspend", "resume", "PT0H1M0S"), ("finish", "new-attempt", None)],
)
def test_start_session_missing_terminate_policy(policy, decision, total):
    state = apply_commit(
        launched("2004-4th").state,
        [["cmi.session_time", "PT1M"], ["cmi.location", "3"]],
        version="2004-4th",
        seq=1,
    ).state
    settings = CompatibilitySettings(missing_finish=policy)
    launch = start_session(state, settings=settings)
    assert launch.decision == decision
    assert launch.deviations[0].kind == "missing-finish"
    if total:
        assert launch.state.cmi["cmi.total_time"] == total


def test_start_session_missing_terminate_abandon_discards_time():
    api = launched("1.2")
    api.call("LMSSetValue", "cmi.core.session_time", "00:05:00")
    settings = CompatibilitySettings(missing_finish="abandon")
    launch = start_session(api.state, settings=settings)
    assert launch.decision == "new-attempt"
    assert isinstance(launch.deviations[0], Deviation)
    assert launch.state.attempt == 2


def test_compat_settings_round_trip_and_validation():
    settings = CompatibilitySettings(strict=True, autocommit_seconds=5)
    assert CompatibilitySettings.from_dict(settings.to_dict() | {"x": 1}) == settings
    with pytest.raises(ValueError, match="missing_finish"):
        CompatibilitySettings(missing_finish="ignore")


def test_deviation_to_dict_plain_data():
    deviation = Deviation("spm-exceeded", "cmi.suspend_data", "5000 characters")
    assert deviation.to_dict() == {
        "kind": "spm-exceeded",
        "element": "cmi.suspend_data",
        "detail": "5000 characters",
    }


def test_navigation_request_per_version():
    api = launched("2004-4th")
    assert navigation_request(api.state) == "_none_"
    api.set_value("adl.nav.request", "{target=intro}choice")
    assert navigation_request(api.state) == "{target=intro}choice"
    assert navigation_request(launched("1.2").state) == ""


def test_new_attempt_state_entry_given_then_next_attempt_ab_initio():
    api = launched("2004-4th", entry="resume")
    assert api.get_value("cmi.entry") == "resume"
    api.terminate("")
    launch = start_session(api.state)
    assert launch.state.cmi["cmi.entry"] == "ab-initio"


def test_new_attempt_state_bad_entry_raises():
    from scorm_runtime import new_attempt_state

    with pytest.raises(ValueError, match="cmi.core.entry"):
        new_attempt_state("1.2", learner_id="a", learner_name="b", entry="again")


def test_start_session_after_suspend_all_request_resumes():
    api = launched("2004-4th")
    api.set_value("cmi.location", "4")
    api.set_value("adl.nav.request", "suspendAll")
    api.terminate("")
    launch = start_session(api.state)
    assert launch.decision == "resume"
    assert launch.state.cmi["cmi.location"] == "4"


def test_close_abandoned_abandon_policy_keeps_data_without_rules():
    api = launched("1.2", mastery_score="50")
    api.call("LMSSetValue", "cmi.core.session_time", "00:05:00")
    api.call("LMSSetValue", "cmi.core.score.raw", "90")
    closed, deviation = close_abandoned(
        api.state, CompatibilitySettings(missing_finish="abandon")
    )
    assert closed.phase == "terminated"
    assert closed.cmi["cmi.core.lesson_status"] == "not attempted"
    assert closed.cmi["cmi.core.total_time"] == "0000:00:00.00"
    assert closed.cmi["cmi.core.score.raw"] == "90"
    assert "cmi.core.session_time" not in closed.cmi
    assert deviation.kind == "missing-finish"


@pytest.mark.parametrize(
    ("version", "mode", "credit", "entry", "data"),
    [
        (
            "1.2",
            "cmi.core.lesson_mode",
            "cmi.core.credit",
            "cmi.core.entry",
            [("cmi.core.lesson_location", "p9"), ("cmi.core.lesson_status", "passed")],
        ),
        (
            "2004-4th",
            "cmi.mode",
            "cmi.credit",
            "cmi.entry",
            [("cmi.location", "p9"), ("cmi.completion_status", "completed")],
        ),
    ],
)
def test_review_state_shows_the_attempt_as_recorded(version, mode, credit, entry, data):
    """RTE 4th ed. §4.2.13 cmi.mode / RTE 1.2 §3.4.4 cmi.core.lesson_mode "review":
    the recorded attempt, without the intent of updating it; never for credit
    (§4.2.6), and cmi.entry "" (§4.2.7)."""
    api = launched(version)
    for element, value in data:
        api.set_value(element, value)
    exit_, time = ("cmi.core.exit", "cmi.core.session_time")
    if version != "1.2":
        exit_, time = ("cmi.exit", "cmi.session_time")
    api.set_value(time, "00:01:00" if version == "1.2" else "PT1M")
    api.set_value(exit_, "logout" if version == "1.2" else "normal")
    api.terminate("")
    recorded = api.state.to_dict()

    review = launched_from(review_state(api.state))
    assert review.get_value(mode) == "review"
    assert review.get_value(credit) == "no-credit"
    assert review.get_value(entry) == ""
    for element, value in data:
        assert review.get_value(element) == value
    # The SCO may still set values; a read-only element stays read-only.
    assert review.set_value(data[0][0], "p1") == "true"
    assert review.set_value(mode, "normal") == "false"
    assert review.get_last_error() == ("403" if version == "1.2" else "404")
    assert api.state.to_dict() == recorded  # the input is untouched
    assert exit_ in api.state.cmi and exit_ not in review_state(api.state).cmi


@pytest.mark.parametrize(
    ("current", "forward", "back"),
    [("a", "true", "false"), ("b", "true", "true"), ("c", "false", "true")],
)
def test_navigation_validity_follows_the_delivery_order(current, forward, back):
    """RTE 4th ed. §4.4.3: "true" where the player will honour the request,
    "false" where it cannot (a target outside the package included)."""
    validity = navigation_validity("2004-4th", order=["a", "b", "c"], current=current)
    api = launched("2004-4th")
    api.state.cmi.update(validity)
    assert api.get_value("adl.nav.request_valid.continue") == forward
    assert api.get_value("adl.nav.request_valid.previous") == back
    assert api.get_value("adl.nav.request_valid.choice.{target=b}") == "true"
    assert api.get_value("adl.nav.request_valid.jump.{target=c}") == "true"
    assert api.get_value("adl.nav.request_valid.choice.{target=z}") == "false"
    assert api.set_value("adl.nav.request_valid.continue", "true") == "false"
    assert api.get_last_error() == "404"  # read only


def test_navigation_validity_by_edition():
    third = navigation_validity("2004-3rd", order=["a"], current="a")
    assert "adl.nav.request_valid.jump.{target=a}" not in third  # 4th ed. only
    assert third["adl.nav.request_valid.continue"] == "false"
    assert navigation_validity("1.2", order=["a"], current="a") == {}


def test_request_valid_without_launch_answers_stays_unknown():
    """Without the launch's answers (the runtime on its own) the book's default."""
    api = launched("2004-4th")
    assert api.get_value("adl.nav.request_valid.choice.{target=a}") == "unknown"
    assert api.get_value("adl.nav.request_valid.continue") == "unknown"
