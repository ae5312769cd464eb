"""Interaction response patterns of SCORM 1.2 and 2004, as JSON type specs.

SCORM 1.2: CMIFeedback per type (RTE 1.2 §3.4.4 cmi.interactions.n.student_response
and correct_responses.n.pattern). SCORM 2004: learner_response and correct_responses
formats per type (RTE 4th ed. §4.2.9.1 and §4.2.9.2), with the ``[,]`` ``[.]`` ``[:]``
separators and the ``{case_matters=}``, ``{order_matters=}`` and ``{lang=}`` delimiters.
"""

from . import vocab as v
from .datamodel import types as t
from .validation import Spec

# RTE 1.2 §3.4.4: CMIFeedback is at most 255 characters; single-character ids 0-9a-z.
_CHAR = "[0-9a-z]"
_FEEDBACK_12: dict[str, str] = {
    v.IT_TRUE_FALSE: r"^[01tf]$",
    v.IT_CHOICE: rf"^(?:{_CHAR}(?:,{_CHAR})*|\{{{_CHAR}(?:,{_CHAR})*\}})?$",
    v.IT_LIKERT: rf"^{_CHAR}?$",
    v.IT_MATCHING: (
        rf"^(?:{_CHAR}\.{_CHAR}(?:,{_CHAR}\.{_CHAR})*"
        rf"|\{{{_CHAR}\.{_CHAR}(?:,{_CHAR}\.{_CHAR})*\}})$"
    ),
    v.IT_SEQUENCING: rf"^{_CHAR}(?:,{_CHAR})*$",
}

# RTE 4th ed. §4.2.9.2: the SPM of correct_responses per interaction type;
# true-false, likert, numeric and other take exactly one pattern.
PATTERN_LIMITS_2004: dict[str, int] = {
    v.IT_TRUE_FALSE: 1,
    v.IT_CHOICE: 10,
    v.IT_FILL_IN: 5,
    v.IT_LONG_FILL_IN: 5,
    v.IT_LIKERT: 1,
    v.IT_MATCHING: 5,
    v.IT_PERFORMANCE: 5,
    v.IT_SEQUENCING: 5,
    v.IT_NUMERIC: 1,
    v.IT_OTHER: 1,
}


def feedback_12(interaction_type: str | None) -> Spec:
    """CMIFeedback spec of a SCORM 1.2 interaction type (None: type not yet set).

    Lenient mode tolerates any CMIString255, because Articulate, Captivate and Lectora
    write labels ("Paris", "choice_1", "true") where the book wants single characters.
    """
    tolerate = {"name": "interaction", "spec": t.string(255)}
    if interaction_type == v.IT_NUMERIC:
        return {**t.real(), "tolerate": tolerate}
    pattern = _FEEDBACK_12.get(interaction_type or "")
    if pattern is None:
        return t.string(255)
    return {"kind": "regex", "re": pattern, "spm": 255, "tolerate": tolerate}


def _short_id() -> Spec:
    return t.identifier_2004(250)


def _id_list(spm: int, *, unique: bool, minimum: int) -> Spec:
    return {
        "kind": "list",
        "sep": "[,]",
        "item": _short_id(),
        "spm": spm,
        "unique": unique,
        "min": minimum,
    }


def _performance(prefixes: list[str], answer: Spec) -> Spec:
    step = {
        "kind": "pair",
        "sep": "[.]",
        "left": _short_id(),
        "left_optional": True,
        "right": answer,
    }
    return {
        "kind": "list",
        "sep": "[,]",
        "item": step,
        "spm": 250,  # RTE 4th ed. §4.2.9.2: 250 step records
        "prefixes": prefixes,
    }


def _specs_2004(role: str) -> dict[str, Spec]:
    pattern = role == "pattern"
    matching_pair = {
        "kind": "pair",
        "sep": "[.]",
        "left": _short_id(),
        "right": _short_id(),
    }
    fill_prefixes = ["case_matters", "order_matters"] if pattern else []
    return {
        v.IT_TRUE_FALSE: t.vocab("true", "false"),
        v.IT_CHOICE: _id_list(36, unique=True, minimum=0),
        v.IT_FILL_IN: {
            "kind": "list",
            "sep": "[,]",
            "item": t.localized(250),
            "spm": 10,
            "prefixes": fill_prefixes,
        },
        v.IT_LONG_FILL_IN: {
            **t.localized(4000),
            "prefixes": ["case_matters"] if pattern else [],
        },
        v.IT_LIKERT: _short_id(),
        v.IT_MATCHING: {"kind": "list", "sep": "[,]", "item": matching_pair, "spm": 36},
        v.IT_PERFORMANCE: _performance(
            ["order_matters"] if pattern else [], t.string(250)
        ),
        v.IT_SEQUENCING: _id_list(36, unique=False, minimum=1),
        v.IT_NUMERIC: _numrange() if pattern else t.real(),
        v.IT_OTHER: t.string(4000),
    }


def _numrange() -> Spec:
    return {"kind": "numrange", "re": t.DECIMAL_RE}


def pattern_2004(interaction_type: str, role: str) -> Spec:
    """The 2004 spec of ``role`` ("pattern" or "response") for an interaction type.

    Lenient mode tolerates any characterstring of 4000 characters, recorded as a
    deviation, for authoring tools that write ids with spaces or other separators.
    """
    spec = dict(_specs_2004(role)[interaction_type])
    spec["tolerate"] = {"name": "interaction", "spec": t.string(4000)}
    return spec


def interaction_specs(version: str) -> dict[str, dict[str, Spec]]:
    """All interaction specs of ``version``: ``{role: {type: spec}}``.

    The SCORM 1.2 table has an extra entry ``""`` for an interaction whose type is not
    set (1.2 has no dependency rule, so the value is then a plain CMIString255).
    """
    if version == v.SCORM_12:
        types = ("", *v.INTERACTION_TYPES_12)
        specs = {kind: feedback_12(kind or None) for kind in types}
        return {"pattern": specs, "response": specs}
    return {
        role: {kind: pattern_2004(kind, role) for kind in v.INTERACTION_TYPES_2004}
        for role in ("pattern", "response")
    }
