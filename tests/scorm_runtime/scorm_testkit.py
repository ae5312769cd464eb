"""Helpers shared by the scorm_runtime tests: running API calls against fresh state."""

from scorm_runtime import (
    CompatibilitySettings,
    InMemoryAttemptStore,
    ScormApi,
    new_attempt_state,
)

STRICT = CompatibilitySettings.strict_mode()
LENIENT = CompatibilitySettings()


def launched(version: str, *, settings=None, store=None, **launch) -> ScormApi:
    """An initialized API on a fresh attempt of ``version``."""
    launch.setdefault("learner_id", "learner-1")
    launch.setdefault("learner_name", "Doe, Jane")
    state = new_attempt_state(version, **launch)
    api = ScormApi(
        state, settings=settings or STRICT, store=store or InMemoryAttemptStore()
    )
    assert api.initialize("") == "true"
    return api


def outcome(api: ScormApi, call: tuple) -> tuple[str, str]:
    """Run ``(name, *args)`` (1.2 or 2004 JS names); return (result, last error)."""
    result = api.call(*call)
    return result, api.get_last_error()
