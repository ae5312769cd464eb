"""SCORM 2004 cmi.interactions collection: RTE 4th ed. §4.2.9.

Every element but id depends on id; learner_response and correct_responses depend on
type too (error 408). Patterns per type are in ``scorm_runtime/interactions.py``.
"""

from ... import vocab as v
from .. import types as t
from .._core import Collection, Element

_BASE = "cmi.interactions.n."
_ID = _BASE + "id"
_TYPE = _BASE + "type"

INTERACTION_CHILDREN = (
    "id,type,objectives,timestamp,correct_responses,weighting,learner_response,"
    "result,latency,description"
)


def interaction_elements() -> tuple[Element, ...]:
    """Return the interaction elements."""
    needs_id = (_ID,)
    needs_type = (_ID, _TYPE)
    # Lenient mode takes the SCORM 1.2 token "wrong" some tools still write.
    result = {
        "kind": "either",
        "options": [t.vocab(*v.RESULT_VOCAB_2004), t.real()],
        "tolerate": {"name": "result", "spec": t.vocab(v.RESULT_WRONG)},
    }
    return (
        Element(_ID, v.RW, t.identifier_2004(4000)),
        Element(_TYPE, v.RW, t.vocab(*v.INTERACTION_TYPES_2004), None, needs_id),
        # §4.2.9.1: interaction objective ids are unique within the interaction.
        Element(
            _BASE + "objectives.n.id",
            v.RW,
            t.identifier_2004(4000),
            None,
            needs_id,
            unique=True,
        ),
        Element(_BASE + "timestamp", v.RW, t.timestamp(), None, needs_id),
        Element(
            _BASE + "correct_responses.n.pattern",
            v.RW,
            t.interaction("pattern"),
            None,
            needs_type,
            unique=True,
        ),
        Element(_BASE + "weighting", v.RW, t.real(), None, needs_id),
        Element(
            _BASE + "learner_response",
            v.RW,
            t.interaction("response"),
            None,
            needs_type,
        ),
        Element(_BASE + "result", v.RW, result, None, needs_id),
        Element(_BASE + "latency", v.RW, t.timeinterval(), None, needs_id),
        Element(_BASE + "description", v.RW, t.localized(250), None, needs_id),
    )


INTERACTION_COLLECTIONS = (
    Collection("cmi.interactions", INTERACTION_CHILDREN, 250),
    Collection("cmi.interactions.n.objectives", None, 10),
    Collection("cmi.interactions.n.correct_responses", None, 10),
)
