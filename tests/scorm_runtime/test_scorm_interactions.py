"""Interaction patterns: RTE 1.2 §3.4.4 CMIFeedback, RTE 4th ed. §4.2.9.1-§4.2.9.2."""

import pytest
from scorm_testkit import LENIENT, launched, outcome

# (type, role, value, accepted) for SCORM 2004 (RTE 4th ed. §4.2.9.1 Table 4.2.9.1a).
PATTERNS_2004 = [
    ("true-false", "pattern", "true", True),
    ("true-false", "response", "false", True),
    ("true-false", "response", "t", False),
    ("choice", "response", "a[,]b[,]c", True),
    ("choice", "response", "", True),
    ("choice", "pattern", "a[,]a", False),
    ("choice", "response", "a,b", True),
    ("choice", "response", "a b", False),
    ("fill-in", "pattern", "{case_matters=true}{order_matters=false}a[,]b", True),
    ("fill-in", "pattern", "{lang=en}color[,]{lang=en-GB}colour", True),
    ("fill-in", "pattern", "{case_matters=true}{case_matters=false}a", False),
    ("fill-in", "pattern", "{case_matters=maybe}a", True),
    ("fill-in", "response", "{order_matters=true}a", True),
    ("fill-in", "response", "x" * 251, False),
    ("long-fill-in", "pattern", "{case_matters=false}" + "x" * 4000, True),
    ("long-fill-in", "pattern", "{order_matters=true}x", True),
    ("long-fill-in", "pattern", "{case_matters=true}{case_matters=true}x", False),
    ("long-fill-in", "response", "{lang=de}Antwort", True),
    ("likert", "response", "strongly_agree", True),
    ("likert", "response", "strongly agree", False),
    ("matching", "pattern", "1[.]a[,]2[.]b", True),
    ("matching", "pattern", "1[.]a[,]2", False),
    ("matching", "response", "1.a", False),
    ("performance", "pattern", "{order_matters=false}step1[.]answer[,][.]5", True),
    ("performance", "response", "step1[.]x[,]step2[.]y", True),
    ("performance", "response", "[.]", False),
    ("performance", "response", "no separator", False),
    ("sequencing", "pattern", "a[,]b[,]a", True),
    ("sequencing", "response", "", False),
    ("numeric", "pattern", "1.5[:]3", True),
    ("numeric", "pattern", "[:]3", True),
    ("numeric", "pattern", "5[:]", True),
    ("numeric", "pattern", "5[:]1", False),
    ("numeric", "pattern", "x[:]1", False),
    ("numeric", "response", "2.75", True),
    ("numeric", "response", "1[:]2", False),
    ("other", "response", "anything at all", True),
    ("other", "pattern", "x" * 4001, False),
]


def _element(role: str) -> str:
    if role == "pattern":
        return "cmi.interactions.0.correct_responses.0.pattern"
    return "cmi.interactions.0.learner_response"


@pytest.mark.parametrize(("kind", "role", "value", "accepted"), PATTERNS_2004)
def test_interaction_2004_pattern_strict(kind, role, value, accepted):
    api = launched("2004-4th")
    api.set_value("cmi.interactions.0.id", "q1")
    api.set_value("cmi.interactions.0.type", kind)
    expected = ("true", "0") if accepted else ("false", ("406", "351"))
    result, error = outcome(api, ("SetValue", _element(role), value))
    assert result == expected[0]
    assert error in expected[1]


def test_interaction_2004_lenient_tolerates_tool_format_with_deviation():
    api = launched("2004-4th", settings=LENIENT)
    api.set_value("cmi.interactions.0.id", "q1")
    api.set_value("cmi.interactions.0.type", "choice")
    assert outcome(api, ("SetValue", _element("response"), "Paris, France")) == (
        "true",
        "0",
    )
    # The label is tolerated as a choice identifier.
    assert api.deviations[-1].kind == "tolerated-format:identifier"
    assert outcome(api, ("SetValue", _element("response"), "a[,]a")) == ("true", "0")
    assert api.deviations[-1].kind == "tolerated-format:interaction"


def test_interaction_2004_choice_beyond_36_strict_351():
    api = launched("2004-4th")
    api.set_value("cmi.interactions.0.id", "q1")
    api.set_value("cmi.interactions.0.type", "choice")
    many = "[,]".join(f"c{i}" for i in range(37))
    assert outcome(api, ("SetValue", _element("response"), many)) == ("false", "351")


def test_interaction_2004_choice_beyond_36_lenient_recorded():
    api = launched("2004-4th", settings=LENIENT)
    api.set_value("cmi.interactions.0.id", "q1")
    api.set_value("cmi.interactions.0.type", "choice")
    many = "[,]".join(f"c{i}" for i in range(37))
    assert outcome(api, ("SetValue", _element("response"), many)) == ("true", "0")
    assert api.deviations[-1].kind == "spm-exceeded"


# (type, value, accepted) for SCORM 1.2 CMIFeedback (RTE 1.2 §3.4.4).
FEEDBACK_12 = [
    ("true-false", "t", True),
    ("true-false", "1", True),
    ("true-false", "true", False),
    ("choice", "a,b,c", True),
    ("choice", "{a,b}", True),
    ("choice", "{a,b", False),
    ("choice", "ab", False),
    ("fill-in", "any text here", True),
    ("fill-in", "x" * 256, False),
    ("numeric", "3.5", True),
    ("numeric", "three", False),
    ("likert", "5", True),
    ("likert", "55", False),
    ("matching", "1.a,2.b", True),
    ("matching", "1-a", False),
    ("performance", "free form", True),
    ("sequencing", "c,a,b", True),
    ("sequencing", "c;a", False),
]


@pytest.mark.parametrize(("kind", "value", "accepted"), FEEDBACK_12)
def test_interaction_12_feedback_strict(kind, value, accepted):
    api = launched("1.2")
    api.call("LMSSetValue", "cmi.interactions.0.type", kind)
    for element in (
        "cmi.interactions.0.student_response",
        "cmi.interactions.0.correct_responses.0.pattern",
    ):
        expected = ("true", "0") if accepted else ("false", "405")
        assert outcome(api, ("LMSSetValue", element, value)) == expected


def test_interaction_12_without_type_any_string255():
    api = launched("1.2")
    element = "cmi.interactions.0.student_response"
    assert outcome(api, ("LMSSetValue", element, "whatever")) == ("true", "0")
    assert outcome(api, ("LMSSetValue", element, "x" * 256)) == ("false", "405")


@pytest.mark.parametrize(
    ("kind", "value"), [("true-false", "true"), ("choice", "Paris"), ("numeric", "n/a")]
)
def test_interaction_12_lenient_tool_formats_tolerated(kind, value):
    api = launched("1.2", settings=LENIENT)
    api.call("LMSSetValue", "cmi.interactions.0.type", kind)
    element = "cmi.interactions.0.student_response"
    assert outcome(api, ("LMSSetValue", element, value)) == ("true", "0")
    assert api.deviations[-1].kind == "tolerated-format:interaction"


def _fill_in_patterns(api, count):
    api.set_value("cmi.interactions.0.id", "q1")
    api.set_value("cmi.interactions.0.type", "fill-in")
    results = []
    for index in range(count):
        element = f"cmi.interactions.0.correct_responses.{index}.pattern"
        results.append(outcome(api, ("SetValue", element, f"answer{index}")))
    return results


def test_interaction_2004_sixth_fill_in_pattern_strict_351():
    # RTE 4th ed. §4.2.9.2: fill-in has an SPM of 5 correct responses.
    results = _fill_in_patterns(launched("2004-4th"), 6)
    assert results[:5] == [("true", "0")] * 5
    assert results[5] == ("false", "351")


def test_interaction_2004_sixth_fill_in_pattern_lenient_recorded():
    api = launched("2004-4th", settings=LENIENT)
    assert _fill_in_patterns(api, 6) == [("true", "0")] * 6
    assert [d.element for d in api.deviations] == [
        "cmi.interactions.0.correct_responses"
    ]


def test_interaction_2004_result_wrong_strict_406_lenient_tolerated():
    strict, lenient = launched("2004-4th"), launched("2004-4th", settings=LENIENT)
    for api in (strict, lenient):
        api.set_value("cmi.interactions.0.id", "q1")
    element = "cmi.interactions.0.result"
    assert outcome(strict, ("SetValue", element, "wrong")) == ("false", "406")
    assert outcome(lenient, ("SetValue", element, "wrong")) == ("true", "0")
    assert lenient.deviations[-1].kind == "tolerated-format:result"


# RTE 4th ed. §4.2.9.1 cmi.interactions.n.correct_responses: how many patterns each
# interaction type takes (its SPM in strict mode), with a valid pattern maker.
PATTERNS = {
    "true-false": (1, lambda i: "true"),
    "choice": (10, lambda i: f"c{i}"),
    "fill-in": (5, lambda i: f"word{i}"),
    "long-fill-in": (5, lambda i: f"text {i}"),
    "likert": (1, lambda i: "agree"),
    "matching": (5, lambda i: f"s{i}[.]t{i}"),
    "performance": (5, lambda i: f"step{i}[.]done"),
    "sequencing": (5, lambda i: f"a{i}[,]b{i}"),
    "numeric": (1, lambda i: "1[:]5"),
    "other": (1, lambda i: "anything"),
}


@pytest.mark.parametrize("kind", sorted(PATTERNS))
def test_interaction_2004_correct_responses_per_type_strict(kind):
    limit, pattern = PATTERNS[kind]
    api = launched("2004-4th")
    api.set_value("cmi.interactions.0.id", "q1")
    api.set_value("cmi.interactions.0.type", kind)
    for index in range(limit):
        element = f"cmi.interactions.0.correct_responses.{index}.pattern"
        assert outcome(api, ("SetValue", element, pattern(index))) == ("true", "0")
    one_more = f"cmi.interactions.0.correct_responses.{limit}.pattern"
    assert outcome(api, ("SetValue", one_more, pattern(limit))) == ("false", "351")
    count = "cmi.interactions.0.correct_responses._count"
    assert outcome(api, ("GetValue", count)) == (str(limit), "0")


@pytest.mark.parametrize("kind", ["choice", "sequencing"])
def test_interaction_2004_duplicate_correct_response_pattern_351(kind):
    """A pattern that repeats an earlier one of the same interaction is refused."""
    _, pattern = PATTERNS[kind]
    api = launched("2004-4th")
    api.set_value("cmi.interactions.0.id", "q1")
    api.set_value("cmi.interactions.0.type", kind)
    api.set_value("cmi.interactions.0.correct_responses.0.pattern", pattern(0))
    again = ("SetValue", "cmi.interactions.0.correct_responses.1.pattern", pattern(0))
    assert outcome(api, again) == ("false", "351")
