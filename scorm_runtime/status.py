"""Status semantics: RTE 1.2 §3.4.4 cmi.core.lesson_status and RTE 4th ed. §4.2.4.1.

SCORM 2004 evaluates completion_status against completion_threshold and success_status
against scaled_passing_score whenever they are read (and once more at Terminate);
SCORM 1.2 applies the LMSFinish rules: "not attempted" becomes completed (browsed in
browse mode) and, in credit mode, a mastery score turns the status into passed/failed.
"""

from dataclasses import dataclass

from . import timespan
from . import vocab as v

Store = dict[str, str]


def _float(text: str | None) -> float | None:
    # Stored values passed the element's real(10,7)/CMIDecimal type check.
    return float(text) if text not in (None, "") else None


def evaluated_status(version: str, store: Store, element: str) -> str | None:
    """The evaluated value of cmi.completion_status / cmi.success_status, if any.

    RTE 4th ed. §4.2.4.1: with a completion_threshold, completion_status is
    "completed" when progress_measure >= threshold, "incomplete" when below, and
    "unknown" without a progress_measure. §4.2.22.1: with a scaled_passing_score,
    success_status is "passed"/"failed" by score.scaled, "unknown" without one.

    Returns:
        The evaluated value, or None when the stored (or default) value applies.
    """
    if version == v.SCORM_12:
        return None
    if element == "cmi.completion_status":
        limit, measure = "cmi.completion_threshold", "cmi.progress_measure"
        outcomes = (v.STATUS_COMPLETED, v.STATUS_INCOMPLETE)
    elif element == "cmi.success_status":
        limit, measure = "cmi.scaled_passing_score", "cmi.score.scaled"
        outcomes = (v.STATUS_PASSED, v.STATUS_FAILED)
    else:
        return None
    threshold = _float(store.get(limit))
    if threshold is None:
        return None
    value = _float(store.get(measure))
    if value is None:
        return v.STATUS_UNKNOWN
    return outcomes[0] if value >= threshold else outcomes[1]


def _finish_12(store: Store) -> None:
    """RTE 1.2 §3.4.4 cmi.core.lesson_status, "Additional Behavior Requirements"."""
    mode = store.get("cmi.core.lesson_mode", v.MODE_NORMAL)
    status = store.get("cmi.core.lesson_status", v.STATUS_NOT_ATTEMPTED)
    # Review mode presents finished content again: its status stays as it was.
    if status == v.STATUS_NOT_ATTEMPTED and mode != v.MODE_REVIEW:
        status = v.STATUS_BROWSED if mode == v.MODE_BROWSE else v.STATUS_COMPLETED
    mastery = _float(store.get("cmi.student_data.mastery_score"))
    raw = _float(store.get("cmi.core.score.raw"))
    credit = store.get("cmi.core.credit", v.CREDIT) == v.CREDIT
    # SCORM 1.2 Conformance Requirements, cmi.core.lesson_status: a status the SCO
    # left "incomplete" stands; any other is judged against the mastery score.
    judged = credit and mode == v.MODE_NORMAL and status != v.STATUS_INCOMPLETE
    if judged and mastery is not None and raw is not None:
        status = v.STATUS_PASSED if raw >= mastery else v.STATUS_FAILED
    store["cmi.core.lesson_status"] = status
    store["cmi.core.total_time"] = timespan.accumulate(
        store.get("cmi.core.total_time", ""),
        store.get("cmi.core.session_time", ""),
        iso=False,
    )


def _finish_2004(version: str, store: Store) -> None:
    """RTE 4th ed. §4.2.4.1/§4.2.22.1 evaluation and §4.2.25 total_time at Terminate."""
    for element in ("cmi.completion_status", "cmi.success_status"):
        evaluated = evaluated_status(version, store, element)
        if evaluated is not None:
            store[element] = evaluated
    store["cmi.total_time"] = timespan.accumulate(
        store.get("cmi.total_time", ""), store.get("cmi.session_time", ""), iso=True
    )


def finish_session(version: str, store: Store) -> None:
    """Apply the LMS's end-of-session rules to ``store`` in place.

    Adds session_time to total_time and settles the statuses.

    Args:
        version: a value of ``vocab.VERSIONS``.
        store: the flat CMI store of the attempt.
    """
    time_key = "cmi.core.session_time" if version == v.SCORM_12 else "cmi.session_time"
    if version == v.SCORM_12:
        _finish_12(store)
    else:
        _finish_2004(version, store)
    store.pop(time_key, None)


def exit_value(version: str, store: Store) -> str:
    """The exit the SCO reported (cmi.core.exit / cmi.exit), "" if none."""
    return store.get("cmi.core.exit" if version == v.SCORM_12 else "cmi.exit", "")


@dataclass(frozen=True)
class TimeLimit:
    """The outcome of checking max_time_allowed (RTE 4th ed. §4.2.15, §4.2.24).

    Attributes:
        limit_cs: the allowed time in centiseconds, None when unlimited.
        used_cs: total time plus the current session, in centiseconds.
        exceeded: whether the learner is over the limit.
        action: the time_limit_action the SCO was given.
    """

    limit_cs: int | None
    used_cs: int
    exceeded: bool
    action: str


def check_time_limit(version: str, store: Store, session_cs: int = 0) -> TimeLimit:
    """Compare the attempt's time with max_time_allowed.

    Args:
        version: a value of ``vocab.VERSIONS``.
        store: the flat CMI store.
        session_cs: time spent in the running session, in centiseconds.

    Returns:
        A :class:`TimeLimit`; the LMS acts on ``action`` when ``exceeded``.
    """
    if version == v.SCORM_12:
        limit_key, total_key = (
            "cmi.student_data.max_time_allowed",
            "cmi.core.total_time",
        )
        action_key = "cmi.student_data.time_limit_action"
    else:
        limit_key, total_key = "cmi.max_time_allowed", "cmi.total_time"
        action_key = "cmi.time_limit_action"
    limit = store.get(limit_key, "")
    limit_cs = timespan.parse_duration(limit) if limit else None
    total = store.get(total_key, "")
    used = (timespan.parse_duration(total) if total else 0) + session_cs
    action = store.get(action_key, v.TLA_CONTINUE_NO_MESSAGE)
    return TimeLimit(limit_cs, used, limit_cs is not None and used > limit_cs, action)
