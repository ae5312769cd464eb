"""Attempts and sessions: resume after suspend, new attempt otherwise (issue 4).

A suspended attempt resumes; completion or any other exit starts a new attempt; a
session that never called Terminate / LMSFinish is closed by the settings.
"""

from dataclasses import dataclass, field

from . import vocab as v
from .compat import CompatibilitySettings, Deviation
from .state import AttemptState, new_attempt_state
from .status import exit_value, finish_session

_PREFERENCES = ("cmi.student_preference.", "cmi.learner_preference.")


@dataclass(frozen=True)
class Launch:
    """The state to launch and why.

    Attributes:
        state: the state the SCO runs with (a new object; the input is untouched).
        decision: a ``vocab.LAUNCH_*`` value.
        deviations: e.g. a missing Terminate that was closed by the settings.
        ended: the stored attempt as its last session left it (closed here when it
            never terminated), e.g. to review it instead of starting the new
            attempt; None when that session never initialized.
    """

    state: AttemptState
    decision: str
    deviations: list[Deviation] = field(default_factory=list)
    ended: AttemptState | None = None


def close_abandoned(
    state: AttemptState, settings: CompatibilitySettings | None = None
) -> tuple[AttemptState, Deviation]:
    """End a session that never called Terminate / LMSFinish, by the settings.

    Returns:
        The terminated state and the deviation that records the missing call.
    """
    settings = settings or CompatibilitySettings()
    closed = state.copy()
    policy = settings.missing_finish
    prefix = "cmi.core." if state.version == v.SCORM_12 else "cmi."
    if policy == v.MISSING_FINISH_ABANDON:
        # Data kept as committed; no session time, no end-of-session status rules.
        closed.cmi.pop(prefix + "session_time", None)
    else:
        if policy == v.MISSING_FINISH_SUSPEND:
            closed.cmi[prefix + "exit"] = v.EXIT_SUSPEND
        finish_session(state.version, closed.cmi)
    closed.phase = v.PHASE_TERMINATED
    detail = f"session closed without Terminate; policy {policy!r}"
    return closed, Deviation(v.DEV_MISSING_FINISH, "", detail)


# RTE 1.2 §3.4.4: only the first attempt starts "not attempted" (lesson_status,
# Initialization); on an additional attempt score.raw "reflects what was recorded on
# the student's last previous attempt"; total_time accumulates all the student's
# sessions in the SCO. SCORM 2004 attempts start afresh (RTE 4th ed. §4.2.7).
_CARRIED_12 = frozenset(
    {
        "cmi.core.lesson_status",
        "cmi.core.score.raw",
        "cmi.core.score.min",
        "cmi.core.score.max",
        "cmi.core.total_time",
    }
)


def _resume(state: AttemptState) -> AttemptState:
    resumed = state.copy()
    prefix = "cmi.core." if state.version == v.SCORM_12 else "cmi."
    resumed.cmi[prefix + "entry"] = v.ENTRY_RESUME
    resumed.cmi.pop(prefix + "exit", None)
    resumed.cmi.pop("adl.nav.request", None)
    resumed.phase = v.PHASE_NOT_INITIALIZED
    return resumed


def _next_attempt(state: AttemptState) -> AttemptState:
    params = {
        k: val for k, val in state.launch.items() if k not in ("version", "entry")
    }
    # RTE 1.2 §3.4.4 cmi.core.exit "Additional behavior": a SCO launched again after
    # any exit but "suspend" gets cmi.core.entry "" ("ab-initio" is the first launch
    # only). SCORM 2004 starts a new learner attempt: "ab-initio" (RTE 4th ed. §4.2.7).
    entry = v.ENTRY_NONE if state.version == v.SCORM_12 else v.ENTRY_AB_INITIO
    fresh = new_attempt_state(
        state.version, **params, entry=entry, attempt=state.attempt + 1
    )
    for key, value in state.cmi.items():
        if key.startswith(_PREFERENCES) or (
            state.version == v.SCORM_12 and key in _CARRIED_12
        ):
            fresh.cmi[key] = value
    return fresh


def start_session(
    state: AttemptState,
    *,
    settings: CompatibilitySettings | None = None,
    max_attempts: int | None = None,
) -> Launch:
    """Decide how the next launch of a SCO begins.

    Exit "suspend" resumes the attempt (entry "resume", RTE 1.2 §3.4.4 cmi.core.entry,
    RTE 4th ed. §4.2.7); any other exit ends it and the launch starts a new attempt
    (entry "ab-initio" in SCORM 2004, "" in SCORM 1.2), keeping the learner
    preferences. A state that never
    initialized is launched as it is.

    Args:
        state: the stored state of the latest attempt.
        settings: compatibility settings (for a missing Terminate).
        max_attempts: the course's attempt limit, None for unlimited.

    Returns:
        A :class:`Launch`; ``decision`` is ``"attempt-limit"`` (and the state the
        stored one) when a new attempt is needed but the limit is reached.
    """
    deviations: list[Deviation] = []
    if state.phase == v.PHASE_NOT_INITIALIZED:
        return Launch(state.copy(), v.LAUNCH_CONTINUE)
    if state.phase == v.PHASE_RUNNING:
        state, deviation = close_abandoned(state, settings)
        deviations.append(deviation)
    # SN 4th ed.: a suspendAll navigation request suspends the attempt too.
    suspended = exit_value(state.version, state.cmi) == v.EXIT_SUSPEND
    ended = state.copy()
    if suspended or navigation_request(state) == "suspendAll":
        return Launch(_resume(state), v.LAUNCH_RESUME, deviations, ended)
    if max_attempts is not None and state.attempt >= max_attempts:
        return Launch(state.copy(), v.LAUNCH_ATTEMPT_LIMIT, deviations, ended)
    return Launch(_next_attempt(state), v.LAUNCH_NEW_ATTEMPT, deviations, ended)


def review_state(state: AttemptState) -> AttemptState:
    """The attempt as it was recorded, presented for review.

    RTE 4th ed. §4.2.13 cmi.mode "review": the SCO "has previously recorded
    information about the learner attempt and is presented without the intent of
    updating this information"; RTE 1.2 §3.4.4 cmi.core.lesson_mode likewise. Review
    is never for credit (RTE 4th ed. §4.2.6), and cmi.entry is "" (neither a first
    launch nor a resume, §4.2.7). Nothing of a review session is meant to be stored:
    the caller keeps the recorded state as it is.

    Args:
        state: the stored state of the attempt to review.

    Returns:
        A new state, not initialized, with the attempt's data, mode "review" and
        credit "no-credit"; the last session's exit, session time and navigation
        request are gone.
    """
    review = state.copy()
    if state.version == v.SCORM_12:
        prefix, mode = "cmi.core.", "cmi.core.lesson_mode"
    else:
        prefix, mode = "cmi.", "cmi.mode"
    review.cmi[mode] = v.MODE_REVIEW
    review.cmi[prefix + "credit"] = v.NO_CREDIT
    review.cmi[prefix + "entry"] = v.ENTRY_NONE
    for key in (prefix + "exit", prefix + "session_time", "adl.nav.request"):
        review.cmi.pop(key, None)
    review.phase = v.PHASE_NOT_INITIALIZED
    return review


def navigation_validity(
    version: str, *, order: list[str], current: str
) -> dict[str, str]:
    """What adl.nav.request_valid answers (RTE 4th ed. §4.4.3) for a SCO that the
    player delivers in ``order``, moving on by the SCO's navigation requests: as
    store entries for the launch's state (read-only elements, never committed).

    Args:
        version: a value of ``vocab.VERSIONS``.
        order: the launchable activities' identifiers, in delivery order.
        current: the identifier of the SCO being launched.

    Returns:
        continue / previous "true" or "false" by the SCO's place in ``order``;
        choice (and in the 4th edition jump) "true" for each activity of ``order``
        and, under the element's own name, "false" for any other target (it is
        not in the package). Empty for SCORM 1.2.
    """
    if version == v.SCORM_12:
        return {}
    index = order.index(current)
    prefix = "adl.nav.request_valid."
    found = {
        prefix + "continue": v.TRUE if index + 1 < len(order) else v.FALSE,
        prefix + "previous": v.TRUE if index > 0 else v.FALSE,
    }
    verbs = ("choice", "jump") if version == v.SCORM_2004_4TH else ("choice",)
    for verb in verbs:
        found[f"{prefix}{verb}.{{target}}"] = v.FALSE
        for identifier in order:
            found[f"{prefix}{verb}.{{target={identifier}}}"] = v.TRUE
    return found


def navigation_request(state: AttemptState) -> str:
    """The navigation request the SCO left for the player (RTE 4th ed. §4.4.2).

    Returns:
        ``adl.nav.request`` ("_none_" when not set; "" for SCORM 1.2, which has none).
    """
    if state.version == v.SCORM_12:
        return ""
    return state.cmi.get("adl.nav.request", v.NAV_NONE)
