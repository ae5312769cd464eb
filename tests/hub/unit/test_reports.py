"""``services.reports.runtime_data``: an attempt's runtime data as records."""

from hub.services.reports import runtime_data


def test_runtime_data_groups_indexed_records_in_index_order():
    cmi = {
        "cmi.interactions.1.id": "q2",
        "cmi.interactions.0.id": "q1",
        "cmi.interactions.0.result": "wrong",
        "cmi.comments_from_learner.0.comment": "{lang=en}Note",
        "cmi.location": "p3",
    }
    assert runtime_data(cmi) == {
        "interactions": [{"id": "q1", "result": "wrong"}, {"id": "q2"}],
        "comments_from_learner": [{"comment": "{lang=en}Note"}],
    }


def test_runtime_data_scorm12_comments_are_one_record_each():
    cmi = {"cmi.comments": "First note", "cmi.comments_from_lms": ""}
    assert runtime_data(cmi) == {"comments_from_learner": [{"comment": "First note"}]}
