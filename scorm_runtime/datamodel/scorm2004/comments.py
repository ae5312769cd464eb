"""SCORM 2004 comments collections: RTE 4th ed. §4.2.2 and §4.2.3."""

from ... import vocab as v
from .. import types as t
from .._core import Collection, Element

_CHILDREN = "comment,location,timestamp"


def comment_elements() -> tuple[Element, ...]:
    """comments_from_learner (RW) and comments_from_lms (RO, filled by the LMS)."""
    learner = "cmi.comments_from_learner.n."
    lms = "cmi.comments_from_lms.n."
    return (
        Element(learner + "comment", v.RW, t.localized(4000)),
        Element(learner + "location", v.RW, t.string(250)),
        Element(learner + "timestamp", v.RW, t.timestamp()),
        Element(lms + "comment", v.RO, t.localized(4000)),
        Element(lms + "location", v.RO, t.string(250)),
        Element(lms + "timestamp", v.RO, t.timestamp()),
    )


COMMENT_COLLECTIONS = (
    Collection("cmi.comments_from_learner", _CHILDREN, 250),
    Collection("cmi.comments_from_lms", _CHILDREN, 100, creatable=False),
)
