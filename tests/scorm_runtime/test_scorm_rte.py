"""The API state machine: RTE 1.2 §3.3 and RTE 4th ed. §3.1 (conceptual states)."""

import pytest
from scorm_testkit import launched

from scorm_runtime import InMemoryAttemptStore, ScormApi, new_attempt_state


def fresh(version: str, store=None) -> ScormApi:
    state = new_attempt_state(version, learner_id="l", learner_name="n")
    return ScormApi(state, store=store)


# (call sequence, expected (result, error) of the last call), RTE 4th ed. §3.1.7.6.
SEQUENCES_2004 = [
    ([("GetValue", "cmi.location")], ("", "122")),
    ([("SetValue", "cmi.location", "a")], ("false", "132")),
    ([("Commit", "")], ("false", "142")),
    ([("Terminate", "")], ("false", "112")),
    ([("Initialize", "x")], ("false", "201")),
    ([("Initialize", ""), ("Initialize", "")], ("false", "103")),
    ([("Initialize", ""), ("Terminate", ""), ("Initialize", "")], ("false", "104")),
    ([("Initialize", ""), ("Terminate", ""), ("Terminate", "")], ("false", "113")),
    ([("Initialize", ""), ("Terminate", ""), ("GetValue", "cmi.mode")], ("", "123")),
    (
        [("Initialize", ""), ("Terminate", ""), ("SetValue", "cmi.location", "a")],
        ("false", "133"),
    ),
    ([("Initialize", ""), ("Terminate", ""), ("Commit", "")], ("false", "143")),
    ([("Initialize", ""), ("Commit", "x")], ("false", "201")),
    ([("Initialize", ""), ("Terminate", "x")], ("false", "201")),
    ([("Initialize", ""), ("Commit", "")], ("true", "0")),
    ([("Initialize", ""), ("Terminate", "")], ("true", "0")),
]

# RTE 1.2 §3.3.2.2: 301 "Not initialized" whenever the API is not initialized, before
# LMSInitialize and again after LMSFinish (RTE 1.2 §3.3.2.1 LMSFinish: "the SCO has
# finished communicating"; the ADL 1.2 sample RTE clears its initialized flag there);
# 101 "General Exception" for LMSInitialize while initialized or after LMSFinish.
_FINISHED_12 = [("LMSInitialize", ""), ("LMSFinish", "")]
SEQUENCES_12 = [
    ([("LMSGetValue", "cmi.core.lesson_location")], ("", "301")),
    ([("LMSSetValue", "cmi.core.lesson_location", "a")], ("false", "301")),
    ([("LMSCommit", "")], ("false", "301")),
    ([("LMSFinish", "")], ("false", "301")),
    ([("LMSInitialize", "x")], ("false", "201")),
    ([("LMSInitialize", ""), ("LMSInitialize", "")], ("false", "101")),
    ([*_FINISHED_12, ("LMSFinish", "")], ("false", "301")),
    ([*_FINISHED_12, ("LMSGetValue", "cmi.core.entry")], ("", "301")),
    (
        [*_FINISHED_12, ("LMSSetValue", "cmi.core.lesson_location", "a")],
        ("false", "301"),
    ),
    ([*_FINISHED_12, ("LMSCommit", "")], ("false", "301")),
    ([*_FINISHED_12, ("LMSInitialize", "")], ("false", "101")),
    ([("LMSInitialize", ""), ("LMSCommit", "")], ("true", "0")),
]


@pytest.mark.parametrize(("calls", "expected"), SEQUENCES_2004)
def test_api_2004_sequence_book_result(calls, expected):
    api = fresh("2004-4th")
    for call in calls:
        result = api.call(*call)
    assert (result, api.get_last_error()) == expected


@pytest.mark.parametrize(("calls", "expected"), SEQUENCES_12)
def test_api_12_sequence_book_result(calls, expected):
    api = fresh("1.2")
    for call in calls:
        result = api.call(*call)
    assert (result, api.call("LMSGetLastError")) == expected


def test_api_error_string_and_diagnostic_for_last_error():
    api = launched("2004-4th")
    api.get_value("cmi.exit")
    assert api.get_last_error() == "405"
    assert api.get_error_string("405") == "Data Model Element Is Write Only"
    assert "cmi.exit" in api.get_diagnostic("")
    assert "cmi.exit" in api.get_diagnostic("405")
    assert api.get_diagnostic("406") == "Data Model Element Type Mismatch"
    assert api.get_error_string("999") == ""
    assert api.get_error_string("abc") == ""
    assert api.get_error_string(" 405") == ""


def test_api_success_resets_last_error():
    api = launched("1.2")
    api.get_value("cmi.core.exit")
    assert api.get_last_error() == "404"
    assert api.get_value("cmi.core.lesson_mode") == "normal"
    assert api.get_last_error() == "0"
    assert api.get_diagnostic("") == "No error"


def test_api_commit_passes_batches_with_sequence_numbers():
    store = InMemoryAttemptStore()
    api = launched("2004-4th", store=store)
    api.set_value("cmi.location", "p2")
    api.commit("")
    api.set_value("cmi.exit", "suspend")
    api.terminate("")
    assert store.commits == [
        (1, [("cmi.location", "p2")], False),
        (2, [("cmi.exit", "suspend")], True),
    ]
    assert api.state.last_seq() == 2


def test_api_commit_store_failure_391_and_data_kept_pending():
    store = InMemoryAttemptStore(fail=True)
    api = launched("2004-4th", store=store)
    api.set_value("cmi.location", "p2")
    assert (api.commit(""), api.get_last_error()) == ("false", "391")
    assert (api.terminate(""), api.get_last_error()) == ("false", "111")
    assert api.pending == [("cmi.location", "p2")]
    store.fail = False
    assert api.terminate("") == "true"


def test_api_terminate_retry_after_failure_counts_time_once():
    store = InMemoryAttemptStore(fail=True)
    api = launched("2004-4th", store=store)
    api.set_value("cmi.session_time", "PT10M")
    assert api.terminate("") == "false"
    store.fail = False
    assert api.terminate("") == "true"
    assert api.state.cmi["cmi.total_time"] == "PT0H10M0S"


def test_api_12_commit_failure_general_exception():
    api = launched("1.2", store=InMemoryAttemptStore(fail=True))
    assert (api.call("LMSCommit", ""), api.get_last_error()) == ("false", "101")


def test_api_without_store_commits_succeed():
    api = fresh("1.2")
    api.initialize("")
    assert api.commit("") == "true"
