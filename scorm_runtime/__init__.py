"""SCORM run-time environment: CMI data models, the API state machine and rollup.

A pure library (standard library only): plain data in, plain data out. The hub calls
:func:`new_attempt_state` / :func:`start_session` at launch, ships
:func:`definitions_json` to the browser adapter, validates every browser commit with
:func:`apply_commit`, and rolls results up with :func:`activity_result`,
:func:`rollup` and :func:`course_grade`.
"""

from .attempts import Launch, close_abandoned, navigation_request, start_session
from .cmi import get_value, set_value
from .commit import CommitError, CommitResult, apply_commit
from .compat import CompatibilitySettings, Deviation
from .definitions import definitions, definitions_json
from .errors import ScormError, error_strings
from .prerequisites import prerequisites_met
from .report import runtime_report
from .rollup import ActivityResult, activity_result, course_grade, rollup
from .rte import AttemptStore, InMemoryAttemptStore, ScormApi
from .state import AttemptState, new_attempt_state
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
    "new_attempt_state",
    "parse_duration",
    "prerequisites_met",
    "rollup",
    "runtime_report",
    "set_value",
    "start_session",
]
