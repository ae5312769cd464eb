"""SCORM 2004 learner and session elements: RTE 4th ed. §4.2 (non-collections).

https://adlnet.gov/projects/scorm/ — cmi.credit, entry, exit, launch_data,
learner_id, learner_name, location, max_time_allowed, mode, session_time,
suspend_data, time_limit_action, total_time, completion_threshold and
scaled_passing_score.
"""

from ... import vocab as v
from .. import types as t
from .._core import Element


def session_elements(edition: str) -> tuple[Element, ...]:
    """Return the session elements of ``edition``."""
    # RTE 4th ed. §4.2.23: suspend_data SPM grew from 4,000 to 64,000 characters.
    suspend_spm = 64000 if edition == v.SCORM_2004_4TH else 4000
    return (
        Element("cmi.credit", v.RO, t.vocab(*v.CREDIT_VOCAB), v.CREDIT),
        Element("cmi.entry", v.RO, t.vocab(*v.ENTRY_VOCAB), v.ENTRY_AB_INITIO),
        Element("cmi.exit", v.WO, t.vocab(*v.EXIT_VOCAB_2004), ""),
        Element("cmi.launch_data", v.RO, t.string(4000)),
        Element("cmi.learner_id", v.RO, t.identifier_2004(4000), ""),
        Element("cmi.learner_name", v.RO, t.localized(250), ""),
        Element("cmi.location", v.RW, t.string(1000)),
        Element("cmi.max_time_allowed", v.RO, t.timeinterval()),
        Element("cmi.mode", v.RO, t.vocab(*v.MODE_VOCAB), v.MODE_NORMAL),
        Element("cmi.session_time", v.WO, t.timeinterval()),
        Element("cmi.suspend_data", v.RW, t.string(suspend_spm)),
        Element(
            "cmi.time_limit_action",
            v.RO,
            t.vocab(*v.TIME_LIMIT_ACTIONS),
            v.TLA_CONTINUE_NO_MESSAGE,
        ),
        Element("cmi.total_time", v.RO, t.timeinterval(), "PT0H0M0S"),
        Element("cmi.completion_threshold", v.RO, t.real(0, 1)),
        Element("cmi.scaled_passing_score", v.RO, t.real(-1, 1)),
    )
