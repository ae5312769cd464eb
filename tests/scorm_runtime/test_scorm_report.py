"""runtime_report: the nested runtime data the registration API shows per activity."""

import json

from scorm_testkit import launched

from scorm_runtime import runtime_report


def test_runtime_report_2004_nests_collections():
    api = launched("2004-4th", comments_from_lms=["Welcome"], data_stores=["notes"])
    for element, value in [
        ("cmi.location", "p2"),
        ("cmi.score.scaled", "0.5"),
        ("cmi.interactions.0.id", "q1"),
        ("cmi.interactions.0.type", "choice"),
        ("cmi.interactions.0.objectives.0.id", "obj-a"),
        ("cmi.interactions.0.correct_responses.0.pattern", "a"),
        ("cmi.interactions.0.learner_response", "b"),
        ("cmi.interactions.0.result", "incorrect"),
        ("cmi.objectives.0.id", "obj-a"),
        ("cmi.objectives.0.score.raw", "7"),
        ("cmi.comments_from_learner.0.comment", "hard"),
        ("adl.data.0.store", "kept"),
    ]:
        assert api.set_value(element, value) == "true", element
    report = runtime_report(api.state)
    assert report["elements"]["cmi.location"] == "p2"
    assert report["result"]["scaled"] == 0.5
    assert report["cmi.interactions"] == [
        {
            "id": "q1",
            "type": "choice",
            "objectives": [{"id": "obj-a"}],
            "correct_responses": [{"pattern": "a"}],
            "learner_response": "b",
            "result": "incorrect",
        }
    ]
    assert report["cmi.objectives"] == [{"id": "obj-a", "score": {"raw": "7"}}]
    assert report["cmi.comments_from_learner"] == [{"comment": "hard"}]
    assert report["cmi.comments_from_lms"] == [{"comment": "Welcome"}]
    assert report["adl.data"] == [{"id": "notes", "store": "kept"}]
    assert not any(key.startswith("cmi.interactions") for key in report["elements"])
    json.dumps(report)


def test_runtime_report_12_write_only_interactions_included():
    api = launched("1.2")
    api.call("LMSSetValue", "cmi.interactions.0.id", "q1")
    api.call("LMSSetValue", "cmi.interactions.0.student_response", "a")
    api.call("LMSSetValue", "cmi.core.session_time", "00:01:00")
    api.call("LMSFinish", "")
    report = runtime_report(api.state)
    assert report["cmi.interactions"] == [{"id": "q1", "student_response": "a"}]
    assert report["cmi.objectives"] == []
    assert report["result"]["total_seconds"] == 60.0
    assert report["phase"] == "terminated"


def test_runtime_report_ignores_keys_outside_the_model():
    api = launched("2004-4th")
    api.state.cmi["cmi.interactions.x.id"] = "stray"  # written around the API
    api.state.cmi["cmi.interactions.5.id"] = "beyond count"
    api.state.cmi["cmi.interactions.0"] = "no child"
    api.state.cmi["cmi.interactions._count"] = "1"
    api.state.cmi["bad..key"] = "x"
    report = runtime_report(api.state)
    assert report["cmi.interactions"] == [{}]
    assert "bad..key" not in report["elements"]
