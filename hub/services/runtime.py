"""The SCORM player's server side: registrations, launches, commits and rollup.

The browser adapter (``hub/static/js/scorm-api.js``) answers the SCO from its own copy
of the data model; every batch it commits is validated again here with
``scorm_runtime.apply_commit`` (the server never trusts the client) and is durable
before the adapter's Commit/Terminate returns "true".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import scorm_runtime as rt
from hub.db import utcnow
from hub.errors import ConflictError, NotFoundError, PermissionDeniedError
from hub.models import (
    Course,
    Enrollment,
    EnrollmentStatus,
    PackageVersion,
    Registration,
    RuntimeEvent,
    ScoAttempt,
    User,
)
from hub.services.activities import Activity, activities, runtime_version
from hub.services.commits import registration_result, result_columns, roll_up
from hub.services.courses import attempts_allowed
from scorm_runtime import vocab

# -- launching ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlayerLaunch:
    """What the player page needs to run one SCO."""

    registration: Registration
    version: PackageVersion
    runtime_version: str
    activity: Activity
    toc: list[Activity]
    attempt: ScoAttempt
    state: dict[str, Any]
    decision: str
    definitions_json: str
    # A review the learner may leave for a new attempt (the course reviews finished
    # SCOs, and attempts are left).
    may_start_new_attempt: bool = False

    @property
    def review(self) -> bool:
        """The last attempt shown for review: nothing of the session is stored."""
        return self.decision == vocab.LAUNCH_REVIEW


def activity_statuses(
    session: Session, *, registration: Registration
) -> dict[str, str]:
    """Activity id -> the status to show in the table of contents (and to evaluate
    SCORM 1.2 prerequisites against)."""
    return {
        a.activity_id: a.completion if a.success == "unknown" else a.success
        for a in _latest_attempts(session, registration).values()
    }


def _latest_attempts(
    session: Session, registration: Registration
) -> dict[str, ScoAttempt]:
    latest: dict[str, ScoAttempt] = {}
    for attempt in session.scalars(
        select(ScoAttempt)
        .where(ScoAttempt.registration_id == registration.id)
        .order_by(ScoAttempt.number)
    ):
        latest[attempt.activity_id] = attempt
    return latest


def _enrolled(session: Session, registration: Registration) -> bool:
    return (
        session.scalar(
            select(Enrollment.id).where(
                Enrollment.user_id == registration.user_id,
                Enrollment.course_id == registration.course_id,
                Enrollment.status == EnrollmentStatus.ACTIVE,
            )
        )
        is not None
    )


def _pick(
    toc: list[Activity],
    wanted: str | None,
    last: str | None = None,
    where: str = "course",
) -> Activity:
    launchable = [a for a in toc if a.launchable]
    if not launchable:
        raise ConflictError("this package has nothing to launch")
    choice = wanted or last
    for activity in launchable:
        if activity.identifier == choice:
            return activity
    if wanted:
        raise NotFoundError(f"no activity '{wanted}' in this {where}")
    return launchable[0]


def locked_activities(
    session: Session, *, registration: Registration, toc: list[Activity]
) -> set[str]:
    """Activities whose SCORM 1.2 prerequisites are not met yet (shown locked; the
    LMS may refuse their launch, CAM 1.2 §2.3.2.5.1 adlcp:prerequisites)."""
    statuses = activity_statuses(session, registration=registration)
    locked = set()
    for activity in toc:
        expression = activity.item.get("prerequisites") or ""
        try:
            if not rt.prerequisites_met(expression, statuses):
                locked.add(activity.identifier)
        except ValueError:
            continue  # a malformed expression never locks the learner out
    return locked


@dataclass(frozen=True)
class LaunchPlan:
    """Which SCO a launch would run, checked but not started (nothing written)."""

    version: PackageVersion
    course: Course
    activity: Activity
    toc: list[Activity]


def plan_launch(
    session: Session, *, registration: Registration, activity_id: str | None
) -> LaunchPlan:
    """Check that the learner may launch the SCO (``activity_id``, or where they
    left, or the first) and pick it, without starting anything.

    Raises:
        PermissionDeniedError: the course is archived, the enrollment inactive, or
            the SCO's SCORM 1.2 prerequisites are not met.
        NotFoundError: no such launchable activity.
    """
    version = session.get_one(PackageVersion, registration.package_version_id)
    course = session.get_one(Course, registration.course_id)
    if course.is_archived or not _enrolled(session, registration):
        # Commits of a session already running still land; new launches do not.
        raise PermissionDeniedError("This course is no longer open to you.")
    toc = activities(version)
    activity = _pick(toc, activity_id, registration.last_activity_id)
    if activity.identifier in locked_activities(
        session, registration=registration, toc=[activity]
    ):
        raise PermissionDeniedError(
            f"'{activity.title}' opens once its prerequisites are completed."
        )
    return LaunchPlan(version, course, activity, toc)


def attempt_ids(session: Session, *, registration: Registration) -> list[int]:
    """The ids of the registration's attempts (the player looks for batches that a
    closed page left queued on this device for any of them)."""
    return list(
        session.scalars(
            select(ScoAttempt.id)
            .where(ScoAttempt.registration_id == registration.id)
            .order_by(ScoAttempt.id)
        )
    )


def launch(
    session: Session,
    *,
    registration: Registration,
    activity_id: str | None,
    user: User,
    new_attempt: bool = False,
) -> PlayerLaunch:
    """Start or resume the SCO, by the standard's attempt rules. Past the course's
    attempt limit the last attempt opens for review (decision ``review``): the state
    shown has cmi.mode "review", and nothing of that session is stored. A course
    set to ``review_when_finished`` does the same for a finished attempt, unless
    the learner asks for a ``new_attempt``.

    Batches still queued by the learner's previous page must be stored first
    (``commits.deliver_leftovers``): the launch decides from the stored state
    (resume after exit "suspend") and closes the previous session's tabs, so a
    batch of theirs that arrives later is only logged.
    """
    # Commits of the registration wait for the launch, which may close their tab.
    session.execute(
        select(Registration.id)
        .where(Registration.id == registration.id)
        .with_for_update()
    )
    plan = plan_launch(session, registration=registration, activity_id=activity_id)
    version, course, activity, toc = plan.version, plan.course, plan.activity, plan.toc
    rversion = runtime_version(version)
    settings = rt.CompatibilitySettings.from_dict(course.runtime_settings or {})
    previous = _latest_attempts(session, registration).get(activity.identifier)
    shown = None  # the state the SCO gets, when it is not the attempt's own
    may_start_new_attempt = False  # a review the learner may leave for a new attempt
    if previous is None:
        state = _fresh_state(rversion, activity, user)
        attempt = _new_attempt(
            session,
            registration=registration,
            activity=activity,
            rversion=rversion,
            state=state,
            number=1,
        )
        decision = vocab.LAUNCH_NEW_ATTEMPT
    else:
        started = rt.start_session(
            rt.AttemptState.from_dict(previous.state),
            settings=settings,
            max_attempts=attempts_allowed(course, registration),
        )
        _log(session, registration, previous, started.deviations)
        decision, ended = started.decision, started.ended
        # The course reviews a finished attempt rather than starting the next one.
        may_start_new_attempt = (
            decision == vocab.LAUNCH_NEW_ATTEMPT
            and course.review_when_finished
            and not new_attempt
            and ended is not None
            and _finished(ended)
        )
        if ended is not None and (
            decision == vocab.LAUNCH_ATTEMPT_LIMIT or may_start_new_attempt
        ):
            # The learner looks at the last attempt (cmi.mode "review", no credit):
            # its attempts are used up, or the course reviews finished ones. Nothing
            # of that session is stored.
            attempt = previous
            if ended.to_dict() != previous.state:  # a session closed here
                _store_session_state(attempt, ended)
            shown = rt.review_state(ended).to_dict()
            decision = vocab.LAUNCH_REVIEW
        elif decision == vocab.LAUNCH_NEW_ATTEMPT:
            attempt = _new_attempt(
                session,
                registration=registration,
                activity=activity,
                rversion=rversion,
                state=started.state,
                number=previous.number + 1,
            )
        else:
            attempt = previous
            _store_session_state(attempt, started.state)
    registration.last_activity_id = activity.identifier
    registration.last_launched_at = utcnow()
    session.flush()
    # A new attempt, or a previous session ended here, changes the SCO's result:
    # commits recompute the rollup only when they change a result themselves.
    roll_up(
        session,
        registration_id=registration.id,
        version_id=version.id,
        sha256=version.sha256,
        user_id=registration.user_id,
        course_id=registration.course_id,
        current=registration_result(registration),
    )
    return PlayerLaunch(
        registration,
        version,
        rversion,
        activity,
        toc,
        attempt,
        _with_navigation(shown or attempt.state, rversion, toc, activity),
        decision,
        rt.definitions_json(rversion, settings),
        may_start_new_attempt,
    )


def _finished(state: rt.AttemptState) -> bool:
    """The attempt was completed, passed or failed: there is something to review."""
    result = rt.activity_result(state)
    return result.completion == vocab.STATUS_COMPLETED or result.success in (
        vocab.STATUS_PASSED,
        vocab.STATUS_FAILED,
    )


@dataclass(frozen=True)
class PreviewLaunch:
    """A SCO of a package version run by staff in browse mode, outside any course:
    nothing is recorded."""

    version: PackageVersion
    runtime_version: str
    activity: Activity
    toc: list[Activity]
    state: dict[str, Any]
    definitions_json: str


def preview(
    *,
    version: PackageVersion,
    activity_id: str | None,
    user: User,
    strict: bool = False,
) -> PreviewLaunch:
    """The package version's SCO (``activity_id``, or the first) as a fresh attempt
    in browse mode (RTE 4th ed. §4.2.13 cmi.mode "browse": presented "without the
    intent of recording any information"; RTE 1.2 cmi.core.lesson_mode), never for
    credit, with the default compatibility settings (or, ``strict``, the books to the
    letter). SCORM 1.2 prerequisites do not lock a preview.

    Raises:
        ConflictError: the package is not SCORM, or has nothing to launch.
        NotFoundError: no such launchable activity.
    """
    rversion = runtime_version(version)
    toc = activities(version)
    activity = _pick(toc, activity_id, where="package")
    state = _fresh_state(rversion, activity, user, mode=vocab.MODE_BROWSE)
    return PreviewLaunch(
        version,
        rversion,
        activity,
        toc,
        _with_navigation(state.to_dict(), rversion, toc, activity),
        rt.definitions_json(
            rversion,
            rt.CompatibilitySettings.strict_mode()
            if strict
            else rt.CompatibilitySettings(),
        ),
    )


def _with_navigation(
    state: dict[str, Any], rversion: str, toc: list[Activity], activity: Activity
) -> dict[str, Any]:
    """The state the SCO gets, with what adl.nav.request_valid answers where the
    player can tell (``rt.navigation_validity``); the stored state is left alone."""
    order = [a.identifier for a in toc if a.launchable]
    validity = rt.navigation_validity(
        rversion, order=order, current=activity.identifier
    )
    if not validity:
        return state
    return {**state, "cmi": {**state["cmi"], **validity}}


def _store_session_state(attempt: ScoAttempt, state: rt.AttemptState) -> None:
    """Store the state a launch starts from. Starting the session may have ended
    the previous one (a missing Terminate): the result columns follow the state, and
    that session's tabs are closed."""
    attempt.state = state.to_dict()
    for name, value in result_columns(rt.activity_result(state)).items():
        setattr(attempt, name, value)
    attempt.closed_tabs = sorted(set(attempt.closed_tabs or []) | set(state.seqs))


def _fresh_state(
    rversion: str, activity: Activity, user: User, *, mode: str = vocab.MODE_NORMAL
) -> rt.AttemptState:
    item = activity.item
    threshold = item.get("completion_threshold") or {}
    objectives = (item.get("sequencing") or {}).get("objectives") or []
    primary = next(
        (o for o in objectives if o.get("primary") and o.get("satisfied_by_measure")),
        None,
    )
    name = ", ".join(p for p in (user.family_name, user.given_name) if p) or user.email
    return rt.new_attempt_state(
        rversion,
        learner_id=user.external_id or user.email,
        learner_name=name,
        launch_data=item.get("data_from_lms") or "",
        mastery_score=item.get("mastery_score"),
        completion_threshold=(
            threshold.get("min_progress_measure")
            if threshold.get("completed_by_measure")
            else None
        ),
        scaled_passing_score=primary.get("min_normalized_measure") if primary else None,
        max_time_allowed=item.get("max_time_allowed"),
        time_limit_action=item.get("time_limit_action"),
        # CAM 4th ed. adlcp:map: readSharedData defaults to true, writeSharedData
        # to false (the importer applies the defaults).
        data_stores=[
            {
                "id": m["target_id"],
                "read": m.get("read_shared_data", True),
                "write": m.get("write_shared_data", False),
            }
            for m in activity.data_maps
        ],
        # RTE 4th ed. §4.2.17: cmi.objectives starts with the manifest's objective IDs.
        objectives=activity.objective_ids,
        mode=mode,
    )


def _new_attempt(
    session: Session,
    *,
    registration: Registration,
    activity: Activity,
    rversion: str,
    state: rt.AttemptState,
    number: int,
) -> ScoAttempt:
    attempt = ScoAttempt(
        org_id=registration.org_id,
        registration_id=registration.id,
        activity_id=activity.identifier,
        number=number,
        version=rversion,
        state=state.to_dict(),
        # A SCORM 1.2 attempt starts from the previous one's status and score.
        **result_columns(rt.activity_result(state)),
    )
    session.add(attempt)
    session.flush()
    return attempt


def _log(
    session: Session,
    registration: Registration,
    attempt: ScoAttempt | None,
    deviations: list[rt.Deviation],
) -> None:
    for deviation in deviations:
        session.add(
            RuntimeEvent(
                org_id=registration.org_id,
                registration_id=registration.id,
                attempt_id=attempt.id if attempt else None,
                kind=deviation.kind[:40],
                element=deviation.element[:255],
                detail=deviation.detail[:2000],
            )
        )
