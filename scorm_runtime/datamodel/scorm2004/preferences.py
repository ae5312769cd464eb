"""SCORM 2004 cmi.learner_preference: RTE 4th ed. §4.2.13."""

from ... import vocab as v
from .. import types as t
from .._core import Element, Group

PREFERENCE_GROUPS = (
    Group(
        "cmi.learner_preference",
        "audio_level,language,delivery_speed,audio_captioning",
    ),
)


def preference_elements() -> tuple[Element, ...]:
    """Return the learner preference elements with the book's defaults."""
    base = "cmi.learner_preference."
    return (
        # audio_level and delivery_speed: real(10,7) >= 0, default 1.
        Element(base + "audio_level", v.RW, t.real(0, None), "1"),
        Element(base + "language", v.RW, t.language(), ""),
        Element(base + "delivery_speed", v.RW, t.real(0, None), "1"),
        Element(base + "audio_captioning", v.RW, t.vocab("-1", "0", "1"), "0"),
    )
