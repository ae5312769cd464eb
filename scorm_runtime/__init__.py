"""SCORM run-time environment: CMI data models, the API state machine and rollup.

A pure library (standard library only): plain data in, plain data out. The hub:

1. at launch: ``launch = start_session(stored_state, settings=..., max_attempts=...)``
   (or ``new_attempt_state(version, learner_id=..., learner_name=..., ...)`` the
   first time), stores ``launch.state.to_dict()`` and logs ``launch.deviations``;
   past the attempt limit, ``review_state(launch.ended)`` shows the last attempt
   in review mode, and nothing of that session is stored;
2. in the player page: ships ``definitions_json(version, settings)`` and the state
   (for SCORM 2004 with ``navigation_validity(...)`` added) to
   ``hub/static/js/scorm-api.js`` (``InteropScorm.install``);
3. per browser batch: ``result = apply_commit(state, changes, version=...,
   settings=..., seq=..., tab=..., terminate=...)`` and stores ``result.state``,
   logging ``result.errors`` and ``result.deviations`` per registration;
4. for reports and grades: :func:`activity_result`, :func:`rollup`,
   :func:`course_grade`, :func:`runtime_report`; for 1.2 navigation
   :func:`prerequisites_met`, for 2004 :func:`navigation_request`.
"""

from .attempts import (
    Launch,
    close_abandoned,
    navigation_request,
    navigation_validity,
    review_state,
    start_session,
)
from .cmi import get_value, set_value
from .commit import CommitError, CommitResult, apply_commit
from .compat import CompatibilitySettings, Deviation
from .definitions import definitions, definitions_json
from .errors import ScormError, error_strings
from .prerequisites import prerequisites_met
from .report import runtime_report
from .rollup import ActivityResult, activity_result, course_grade, rollup
from .rte import AttemptStore, InMemoryAttemptStore, ScormApi
from .state import AttemptState, new_attempt_state, unusable_launch_identifiers
from .status import TimeLimit, check_time_limit, evaluated_status, finish_session
from .timespan import accumulate, format_iso_duration, format_timespan, parse_duration

__all__ = [
    "ActivityResult",
    "AttemptState",
    "AttemptStore",
    "CommitError",
    "CommitResult",
    "CompatibilitySettings",
    "Deviation",
    "InMemoryAttemptStore",
    "Launch",
    "ScormApi",
    "ScormError",
    "TimeLimit",
    "accumulate",
    "activity_result",
    "apply_commit",
    "check_time_limit",
    "close_abandoned",
    "course_grade",
    "definitions",
    "definitions_json",
    "error_strings",
    "evaluated_status",
    "finish_session",
    "format_iso_duration",
    "format_timespan",
    "get_value",
    "navigation_request",
    "navigation_validity",
    "new_attempt_state",
    "parse_duration",
    "prerequisites_met",
    "review_state",
    "rollup",
    "runtime_report",
    "set_value",
    "start_session",
    "unusable_launch_identifiers",
]
