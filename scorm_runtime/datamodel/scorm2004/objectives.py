"""SCORM 2004 cmi.objectives collection: RTE 4th ed. §4.2.17."""

from ... import vocab as v
from .. import types as t
from .._core import Collection, Element, Group
from .progress import score_elements

_ID = "cmi.objectives.n.id"


def objective_children(edition: str) -> str:
    """The ``cmi.objectives._children`` value of ``edition``."""
    if edition == v.SCORM_2004_2ND:
        return "id,score,success_status,completion_status,description"
    return "id,score,success_status,completion_status,progress_measure,description"


def objective_elements(edition: str) -> tuple[Element, ...]:
    """Return the objective elements; every one but id depends on id (error 408)."""
    base = "cmi.objectives.n."
    needs_id = (_ID,)
    elements = [
        # §4.2.17: an objective id is unique and, once set, cannot change (351).
        Element(_ID, v.RW, t.identifier_2004(4000), unique=True, immutable=True),
        *score_elements(base + "score", needs_id),
        Element(
            base + "success_status",
            v.RW,
            t.vocab(*v.SUCCESS_STATUS),
            v.STATUS_UNKNOWN,
            needs_id,
        ),
        Element(
            base + "completion_status",
            v.RW,
            t.vocab(*v.COMPLETION_STATUS),
            v.STATUS_UNKNOWN,
            needs_id,
        ),
        Element(base + "description", v.RW, t.localized(250), None, needs_id),
    ]
    if edition != v.SCORM_2004_2ND:
        elements.append(
            Element(base + "progress_measure", v.RW, t.real(0, 1), None, needs_id)
        )
    return tuple(elements)


def objective_structure(edition: str) -> tuple[tuple[Group, ...], Collection]:
    """The ``_children`` groups and the collection of objectives."""
    groups = (Group("cmi.objectives.n.score", "scaled,raw,min,max"),)
    return groups, Collection("cmi.objectives", objective_children(edition), 100)
