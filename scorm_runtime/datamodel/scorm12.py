"""The SCORM 1.2 data model, RTE 1.2 §3.4 (ADL SCORM Version 1.2 Run-Time Environment).

https://adlnet.gov/projects/scorm-1-2/ — every element of §3.4.4 with its access,
type, vocabulary and range; ``cmi._version`` is "3.4" (§3.4.4 cmi._version).
"""

from .. import vocab as v
from . import types as t
from ._core import Collection, DataModel, Element, Group

_LESSON_STATUS = t.vocab(
    *(s for s in v.LESSON_STATUS_12 if s != v.STATUS_NOT_ATTEMPTED)
)
# §3.4.4 cmi.core.score.raw: CMIDecimal (or CMIBlank) "must be a normalized value
# between 0 and 100"; a course set to take scores as points (scores_as_points_12)
# takes other decimals (raw points out of a max), recorded as a deviation.
_SCORE = {
    **t.real(0, 100, blank=True),
    "tolerate": {"name": "score-range", "spec": t.real()},
}
_RESULT = t.vocab(
    *v.RESULT_VOCAB_12,
    tolerate={"name": "result", "spec": t.vocab(v.RESULT_INCORRECT)},
)
_RESULT_12 = {"kind": "either", "options": [_RESULT, t.real()]}


def _core() -> tuple[Element, ...]:
    """cmi.core.* (RTE 1.2 §3.4.4, "cmi.core")."""
    return (
        Element("cmi.core.student_id", v.RO, t.identifier_12(), ""),
        Element("cmi.core.student_name", v.RO, t.string(255), ""),
        Element("cmi.core.lesson_location", v.RW, t.string(255), ""),
        Element("cmi.core.credit", v.RO, t.vocab(*v.CREDIT_VOCAB), v.CREDIT),
        # The SCO may not set "not attempted" (§3.4.4 cmi.core.lesson_status).
        Element("cmi.core.lesson_status", v.RW, _LESSON_STATUS, v.STATUS_NOT_ATTEMPTED),
        Element("cmi.core.entry", v.RO, t.vocab(*v.ENTRY_VOCAB), ""),
        Element("cmi.core.score.raw", v.RW, _SCORE, ""),
        Element("cmi.core.score.min", v.RW, _SCORE, ""),
        Element("cmi.core.score.max", v.RW, _SCORE, ""),
        Element("cmi.core.total_time", v.RO, t.timespan_12(), "0000:00:00.00"),
        Element("cmi.core.lesson_mode", v.RO, t.vocab(*v.MODE_VOCAB), v.MODE_NORMAL),
        Element("cmi.core.exit", v.WO, t.vocab(*v.EXIT_VOCAB_12), ""),
        Element("cmi.core.session_time", v.WO, t.timespan_12(), ""),
    )


def _student() -> tuple[Element, ...]:
    """cmi.suspend_data ... cmi.student_preference (RTE 1.2 §3.4.4)."""
    return (
        Element("cmi.suspend_data", v.RW, t.string(4096), ""),
        Element("cmi.launch_data", v.RO, t.string(4096), ""),
        Element("cmi.comments", v.RW, t.string(4096), ""),
        Element("cmi.comments_from_lms", v.RO, t.string(4096), ""),
        Element("cmi.student_data.mastery_score", v.RO, t.real(0, 100), ""),
        Element("cmi.student_data.max_time_allowed", v.RO, t.timespan_12(), ""),
        Element(
            "cmi.student_data.time_limit_action",
            v.RO,
            t.vocab(*v.TIME_LIMIT_ACTIONS),
            v.TLA_CONTINUE_NO_MESSAGE,
        ),
        Element("cmi.student_preference.audio", v.RW, t.sinteger(-1, 100), "0"),
        Element("cmi.student_preference.language", v.RW, t.string(255), ""),
        Element("cmi.student_preference.speed", v.RW, t.sinteger(-100, 100), "0"),
        Element("cmi.student_preference.text", v.RW, t.sinteger(-1, 1), "0"),
    )


def _objectives() -> tuple[Element, ...]:
    """cmi.objectives.n.* (RTE 1.2 §3.4.4)."""
    status = t.vocab(*v.LESSON_STATUS_12)
    return (
        Element("cmi.objectives.n.id", v.RW, t.identifier_12(), ""),
        Element("cmi.objectives.n.score.raw", v.RW, _SCORE, ""),
        Element("cmi.objectives.n.score.min", v.RW, _SCORE, ""),
        Element("cmi.objectives.n.score.max", v.RW, _SCORE, ""),
        Element("cmi.objectives.n.status", v.RW, status, v.STATUS_NOT_ATTEMPTED),
    )


def _interactions() -> tuple[Element, ...]:
    """cmi.interactions.n.* — all write-only (RTE 1.2 §3.4.4 cmi.interactions)."""
    base = "cmi.interactions.n."
    return (
        Element(base + "id", v.WO, t.identifier_12()),
        Element(base + "objectives.n.id", v.WO, t.identifier_12()),
        Element(base + "time", v.WO, t.time_12()),
        Element(base + "type", v.WO, t.vocab(*v.INTERACTION_TYPES_12)),
        Element(base + "correct_responses.n.pattern", v.WO, t.interaction("pattern")),
        Element(base + "weighting", v.WO, t.real()),
        Element(base + "student_response", v.WO, t.interaction("response")),
        Element(base + "result", v.WO, _RESULT_12),
        Element(base + "latency", v.WO, t.timespan_12()),
    )


SCORM12_MODEL = DataModel(
    version=v.SCORM_12,
    version_value="3.4",
    elements=(*_core(), *_student(), *_objectives(), *_interactions()),
    groups=(
        Group(
            "cmi.core",
            "student_id,student_name,lesson_location,credit,lesson_status,entry,"
            "score,total_time,lesson_mode,exit,session_time",
        ),
        Group("cmi.core.score", "raw,min,max"),
        Group("cmi.objectives.n.score", "raw,min,max"),
        Group("cmi.student_data", "mastery_score,max_time_allowed,time_limit_action"),
        Group("cmi.student_preference", "audio,language,speed,text"),
    ),
    collections=(
        Collection("cmi.objectives", "id,score,status", 100),
        Collection(
            "cmi.interactions",
            "id,objectives,time,type,correct_responses,weighting,student_response,"
            "result,latency",
            100,
        ),
        Collection("cmi.interactions.n.objectives", None, 10),
        Collection("cmi.interactions.n.correct_responses", None, 10),
    ),
)
