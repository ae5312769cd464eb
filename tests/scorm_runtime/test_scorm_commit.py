"""Server-side commit validation: the same rules as the API, idempotent by sequence."""

import json

import pytest
from scorm_testkit import LENIENT, STRICT

from scorm_runtime import AttemptState, apply_commit, new_attempt_state


def state_for(version="2004-4th", **launch):
    return new_attempt_state(version, learner_id="l", learner_name="n", **launch)


def test_apply_commit_valid_changes_applied_and_input_untouched():
    state = state_for()
    result = apply_commit(
        state,
        [["cmi.location", "p3"], {"element": "cmi.score.raw", "value": "7"}],
        version="2004-4th",
        settings=STRICT,
        seq=1,
    )
    assert result.errors == []
    assert result.state.cmi["cmi.location"] == "p3"
    assert result.state.cmi["cmi.score.raw"] == "7"
    assert result.state.last_seq() == 1
    assert result.state.phase == "running"
    assert "cmi.location" not in state.cmi


def test_apply_commit_invalid_changes_rejected_with_codes():
    result = apply_commit(
        state_for(),
        [
            ["cmi.credit", "no-credit"],
            ["cmi.score.scaled", "2"],
            ["cmi.objectives.0.score.raw", "1"],
            ["cmi.location", 5],
            ["cmi.location", "ok"],
        ],
        version="2004-4th",
        settings=STRICT,
    )
    assert [(e.index, e.code) for e in result.errors] == [
        (0, 404),
        (1, 407),
        (2, 408),
        (3, 406),
    ]
    assert result.state.cmi["cmi.credit"] == "credit"
    assert result.state.cmi["cmi.location"] == "ok"
    assert result.errors[0].to_dict()["element"] == "cmi.credit"


def test_apply_commit_duplicate_sequence_is_noop():
    first = apply_commit(
        state_for(), [["cmi.location", "a"]], version="2004-4th", seq=1
    ).state
    again = apply_commit(first, [["cmi.location", "b"]], version="2004-4th", seq=1)
    assert again.duplicate is True
    assert again.state.cmi["cmi.location"] == "a"


def test_apply_commit_sequence_gap_recorded():
    result = apply_commit(state_for(), [], version="2004-4th", seq=3)
    assert [d.kind for d in result.deviations] == ["sequence-gap"]
    assert result.state.last_seq() == 3


def test_apply_commit_terminate_finishes_once_then_rejects():
    result = apply_commit(
        state_for(),
        [["cmi.session_time", "PT10S"], ["cmi.exit", "suspend"]],
        version="2004-4th",
        seq=1,
        terminate=True,
    )
    state = result.state
    assert state.phase == "terminated"
    assert state.cmi["cmi.total_time"] == "PT0H0M10S"
    late = apply_commit(
        state, [["cmi.location", "x"]], version="2004-4th", seq=2, terminate=True
    )
    assert [e.code for e in late.errors] == [133]
    assert late.state.cmi["cmi.total_time"] == "PT0H0M10S"


def test_apply_commit_version_mismatch_raises():
    with pytest.raises(ValueError, match="commit for"):
        apply_commit(state_for(), [], version="1.2")


def test_apply_commit_12_suspend_data_lenient_vs_strict():
    state = state_for("1.2")
    big = [["cmi.suspend_data", "x" * 10000]]
    lenient = apply_commit(state, big, version="1.2", settings=LENIENT)
    strict = apply_commit(state, big, version="1.2", settings=STRICT)
    assert lenient.errors == [] and lenient.deviations[0].kind == "spm-exceeded"
    assert len(lenient.state.cmi["cmi.suspend_data"]) == 10000
    assert [e.code for e in strict.errors] == [405]
    assert "cmi.suspend_data" not in strict.state.cmi


def test_attempt_state_round_trips_through_json():
    state = apply_commit(
        state_for("2004-4th", data_stores=["d1"]),
        [["cmi.interactions.0.id", "q"], ["adl.data.0.store", "s"]],
        version="2004-4th",
        seq=1,
    ).state
    text = json.dumps(state.to_dict())
    assert AttemptState.from_dict(json.loads(text)) == state


def test_apply_commit_sequence_numbers_count_per_tab():
    state = apply_commit(
        state_for(), [["cmi.location", "a"]], version="2004-4th", seq=1, tab="A"
    ).state
    other = apply_commit(
        state, [["cmi.location", "b"]], version="2004-4th", seq=1, tab="B"
    )
    assert other.duplicate is False
    assert other.state.cmi["cmi.location"] == "b"
    retry = apply_commit(
        other.state, [["cmi.location", "a"]], version="2004-4th", seq=1, tab="A"
    )
    assert retry.duplicate is True
    assert retry.state.seqs == {"A": 1, "B": 1}


def test_apply_commit_malformed_changes_refused_not_crashing():
    result = apply_commit(
        state_for(),
        ["cmi.location", 5, ["a", "b", "c"], {"value": "x"}, [7, "x"], None],
        version="2004-4th",
    )
    assert [e.code for e in result.errors] == [201] * 6
    assert result.state.cmi == state_for().cmi
