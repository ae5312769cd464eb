"""Rollup of SCO results to the registration and grading of attempts (issue 4).

SCORM 1.2 rolls up from all SCOs; SCORM 2004 uses the default rollup rules of
SN 4th ed. §4.6.3 (satisfied/completed when all children are, not satisfied /
incomplete when any child is) until the sequencing engine provides the full one.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from . import timespan
from . import vocab as v
from .state import AttemptState
from .status import evaluated_status


@dataclass(frozen=True)
class ActivityResult:
    """The tracking result of one SCO attempt, or of a rolled-up registration.

    Attributes:
        completion: completed, incomplete, not attempted or unknown.
        success: passed, failed or unknown.
        scaled: score in [-1, 1] (1.2: raw normalized by min/max or 100), or None.
        raw: the raw score as reported, or None.
        total_cs: total time in centiseconds.
        credit: whether the attempt was for credit (cmi.credit); grade only those.
    """

    completion: str
    success: str
    scaled: float | None
    raw: float | None
    total_cs: int
    credit: bool = True


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _result_12(cmi: dict[str, str]) -> ActivityResult:
    status = cmi.get("cmi.core.lesson_status", v.STATUS_NOT_ATTEMPTED)
    completion = {
        v.STATUS_PASSED: v.STATUS_COMPLETED,
        v.STATUS_FAILED: v.STATUS_COMPLETED,
        v.STATUS_COMPLETED: v.STATUS_COMPLETED,
        v.STATUS_NOT_ATTEMPTED: v.STATUS_NOT_ATTEMPTED,
    }.get(status, v.STATUS_INCOMPLETE)
    success = status if status in (v.STATUS_PASSED, v.STATUS_FAILED) else "unknown"
    raw = _number(cmi.get("cmi.core.score.raw"))
    low = _number(cmi.get("cmi.core.score.min"))
    high = _number(cmi.get("cmi.core.score.max"))
    scaled = None
    if raw is not None:
        low, high = (low, high) if low is not None and high and high > low else (0, 100)
        scaled = max(-1.0, min(1.0, (raw - low) / (high - low)))
    total = timespan.parse_duration(cmi.get("cmi.core.total_time") or "00:00:00")
    credit = cmi.get("cmi.core.credit", v.CREDIT) == v.CREDIT
    return ActivityResult(completion, success, scaled, raw, total, credit)


def activity_result(state: AttemptState) -> ActivityResult:
    """Extract the tracking result of one SCO attempt."""
    cmi = state.cmi
    if state.version == v.SCORM_12:
        return _result_12(cmi)
    completion = evaluated_status(state.version, cmi, "cmi.completion_status")
    success = evaluated_status(state.version, cmi, "cmi.success_status")
    return ActivityResult(
        completion or cmi.get("cmi.completion_status", v.STATUS_UNKNOWN),
        success or cmi.get("cmi.success_status", v.STATUS_UNKNOWN),
        _number(cmi.get("cmi.score.scaled")),
        _number(cmi.get("cmi.score.raw")),
        timespan.parse_duration(cmi.get("cmi.total_time") or "PT0S"),
        cmi.get("cmi.credit", v.CREDIT) == v.CREDIT,
    )


def rollup(results: Sequence[ActivityResult]) -> ActivityResult:
    """Roll SCO results up to the registration.

    Completion is completed when every SCO is, not attempted when none was
    attempted, otherwise incomplete; success is failed when any SCO failed, passed
    when every SCO passed, otherwise unknown; the score is the mean of the SCOs'
    scores; times add up.
    """
    if not results:
        return ActivityResult(v.STATUS_NOT_ATTEMPTED, v.STATUS_UNKNOWN, None, None, 0)
    completions = [result.completion for result in results]
    if all(c == v.STATUS_COMPLETED for c in completions):
        completion = v.STATUS_COMPLETED
    elif all(c in (v.STATUS_NOT_ATTEMPTED, v.STATUS_UNKNOWN) for c in completions):
        completion = v.STATUS_NOT_ATTEMPTED
    else:
        completion = v.STATUS_INCOMPLETE
    successes = [result.success for result in results]
    success = v.STATUS_UNKNOWN
    if v.STATUS_FAILED in successes:
        success = v.STATUS_FAILED
    elif all(s == v.STATUS_PASSED for s in successes):
        success = v.STATUS_PASSED
    return ActivityResult(
        completion,
        success,
        _mean([result.scaled for result in results]),
        _mean([result.raw for result in results]),
        sum(result.total_cs for result in results),
        all(result.credit for result in results),
    )


def _mean(values: Sequence[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return sum(known) / len(known) if known else None


def course_grade(scores: Sequence[float | None], method: str) -> float | None:
    """Grade a registration from its attempts' scores, oldest first.

    Args:
        scores: one score per attempt (None where the attempt has none).
        method: ``highest``, ``last``, ``first`` or ``average`` (vocab.GRADING_METHODS).

    Returns:
        The grade, or None when no attempt has a score.

    Raises:
        ValueError: for an unknown method.
    """
    known = [score for score in scores if score is not None]
    if method not in v.GRADING_METHODS:
        raise ValueError(f"unknown grading method {method!r}")
    if not known:
        return None
    if method == v.GRADE_HIGHEST:
        return max(known)
    if method == v.GRADE_LAST:
        return known[-1]
    if method == v.GRADE_FIRST:
        return known[0]
    return sum(known) / len(known)
