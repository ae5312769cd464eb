"""SCORM 2004 status and score elements: RTE 4th ed. §4.2.4, §4.2.18, §4.2.20, §4.2.22.

cmi.completion_status, cmi.success_status, cmi.progress_measure and cmi.score.*; the
evaluation against completion_threshold / scaled_passing_score is in ``status.py``.
"""

from ... import vocab as v
from .. import types as t
from .._core import Element, Group


def score_elements(prefix: str, requires: tuple[str, ...] = ()) -> tuple[Element, ...]:
    """Score elements under ``prefix`` (cmi.score or cmi.objectives.n.score).

    RTE 4th ed. §4.2.20: scaled is real(10,7) in [-1, 1]; raw, min and max are
    real(10,7) without a range.
    """
    return (
        Element(prefix + ".scaled", v.RW, t.real(-1, 1), requires=requires),
        Element(prefix + ".raw", v.RW, t.real(), requires=requires),
        Element(prefix + ".min", v.RW, t.real(), requires=requires),
        Element(prefix + ".max", v.RW, t.real(), requires=requires),
    )


def progress_elements() -> tuple[Element, ...]:
    """Return the status, progress and score elements."""
    return (
        Element(
            "cmi.completion_status",
            v.RW,
            t.vocab(*v.COMPLETION_STATUS),
            v.STATUS_UNKNOWN,
        ),
        Element(
            "cmi.success_status", v.RW, t.vocab(*v.SUCCESS_STATUS), v.STATUS_UNKNOWN
        ),
        Element("cmi.progress_measure", v.RW, t.real(0, 1)),
        *score_elements("cmi.score"),
    )


PROGRESS_GROUPS = (Group("cmi.score", "scaled,raw,min,max"),)
