"""The SCORM player's server side: registrations, launches, commits and rollup.

The browser adapter (``hub/static/js/scorm-api.js``) answers the SCO from its own copy
of the data model; every batch it commits is validated again here with
``scorm_runtime.apply_commit`` (the server never trusts the client) and is durable
before the adapter's Commit/Terminate returns "true".
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import Session, aliased, lazyload

import scorm_runtime as rt
from hub.db import utcnow
from hub.errors import ConflictError, NotFoundError, PermissionDeniedError
from hub.models import (
    Course,
    CourseRole,
    Enrollment,
    EnrollmentStatus,
    PackageVersion,
    ProgressStatus,
    Registration,
    RuntimeEvent,
    ScoAttempt,
    User,
)
from hub.services.activities import Activity, activities, runtime_version, sco_ids
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
    toc: list[Activity], registration: Registration, wanted: str | None
) -> Activity:
    launchable = [a for a in toc if a.launchable]
    if not launchable:
        raise ConflictError("this package has nothing to launch")
    choice = wanted or registration.last_activity_id
    for activity in launchable:
        if activity.identifier == choice:
            return activity
    if wanted:
        raise NotFoundError(f"no activity '{wanted}' in this course")
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


def launch(
    session: Session, *, registration: Registration, activity_id: str | None, user: User
) -> PlayerLaunch:
    """Start or resume the SCO, by the standard's attempt rules."""
    version = session.get_one(PackageVersion, registration.package_version_id)
    course = session.get_one(Course, registration.course_id)
    if course.is_archived or not _enrolled(session, registration):
        # Commits of a session already running still land; new launches do not.
        raise PermissionDeniedError("This course is no longer open to you.")
    rversion = runtime_version(version)
    toc = activities(version)
    activity = _pick(toc, registration, activity_id)
    if activity.identifier in locked_activities(
        session, registration=registration, toc=[activity]
    ):
        raise PermissionDeniedError(
            f"'{activity.title}' opens once its prerequisites are completed."
        )
    settings = rt.CompatibilitySettings.from_dict(course.runtime_settings or {})
    previous = _latest_attempts(session, registration).get(activity.identifier)
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
            max_attempts=course.max_attempts,
        )
        _log(session, registration, previous, started.deviations)
        decision = started.decision
        if decision == vocab.LAUNCH_ATTEMPT_LIMIT:
            raise ConflictError(
                f"You have used all {course.max_attempts} attempts of '{activity.title}'."
            )
        if decision == vocab.LAUNCH_NEW_ATTEMPT:
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
            attempt.state = started.state.to_dict()
            attempt.closed_tabs = sorted(
                set(attempt.closed_tabs or []) | set(started.state.seqs)
            )
    registration.last_activity_id = activity.identifier
    registration.last_launched_at = utcnow()
    session.flush()
    return PlayerLaunch(
        registration,
        version,
        rversion,
        activity,
        toc,
        attempt,
        attempt.state,
        decision,
        rt.definitions_json(rversion, settings),
    )


def _fresh_state(rversion: str, activity: Activity, user: User) -> rt.AttemptState:
    item = activity.item
    threshold = item.get("completion_threshold") or {}
    primary = next(
        (
            o
            for o in ((item.get("sequencing") or {}).get("objectives") or [])
            if o.get("primary") and o.get("satisfied_by_measure")
        ),
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
        data_stores=[m["target_id"] for m in item.get("data_maps") or []],
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


# -- commits --------------------------------------------------------------------------


def commit_key(secret: str, attempt_id: int, user_id: int) -> str:
    """The token the player sends with each commit: only its page knows it (the
    beacon sent on pagehide cannot carry a CSRF header)."""
    message = f"commit:{attempt_id}:{user_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CommitOutcome:
    duplicate: bool
    errors: list[dict[str, Any]]
    registration: Registration


def _commit_query() -> Select[Any]:
    # Every commit is a request of its own, many a minute per learner: one query reads
    # the attempt and all that the commit and the rollup need besides. It is built
    # once: building it (and its alias) took more time than running it.
    other = aliased(ScoAttempt)
    others = (
        select(other.id)
        .where(
            other.registration_id == bindparam("registration_id"),
            other.id != bindparam("attempt_id"),
        )
        .exists()
    )
    return (
        select(
            ScoAttempt,
            Course.runtime_settings,
            PackageVersion.sha256,
            Enrollment,
            others,
        )
        .join(Registration, Registration.id == ScoAttempt.registration_id)
        .join(Course, Course.id == Registration.course_id)
        .join(PackageVersion, PackageVersion.id == Registration.package_version_id)
        .outerjoin(
            Enrollment,
            and_(
                Enrollment.user_id == Registration.user_id,
                Enrollment.course_id == Registration.course_id,
            ),
        )
        .where(
            ScoAttempt.id == bindparam("attempt_id"),
            ScoAttempt.registration_id == bindparam("registration_id"),
        )
        # The enrollment's user and course (joined eagerly elsewhere) are not needed.
        .options(lazyload(Enrollment.user), lazyload(Enrollment.course))
    )


_COMMIT_QUERY = _commit_query()


def commit(
    session: Session,
    *,
    registration: Registration,
    attempt_id: int,
    seq: int,
    tab: str,
    changes: list[list[str]],
    terminate: bool,
) -> CommitOutcome:
    """Validate and store one batch of the adapter's changes, then roll up."""
    found = session.execute(
        _COMMIT_QUERY, {"attempt_id": attempt_id, "registration_id": registration.id}
    ).one_or_none()
    if found is None:
        raise NotFoundError(f"no attempt {attempt_id}")
    attempt, runtime_settings, sha256, enrollment, has_others = found
    if tab in (attempt.closed_tabs or []):
        # A batch of a session that ended before the latest launch: applying it now
        # could overwrite newer values or terminate the running session. Keep a
        # record; answer as for a retry so the browser drops it from its queue.
        session.add(
            RuntimeEvent(
                org_id=registration.org_id,
                registration_id=registration.id,
                attempt_id=attempt.id,
                kind="stale_batch",
                element="",
                detail=f"batch {seq} of closed tab {tab!r} ({len(changes)} changes) ignored",
            )
        )
        return CommitOutcome(True, [], registration)
    settings = rt.CompatibilitySettings.from_dict(runtime_settings or {})
    result = rt.apply_commit(
        rt.AttemptState.from_dict(attempt.state),
        changes,
        version=attempt.version,
        settings=settings,
        seq=seq,
        tab=tab,
        terminate=terminate,
    )
    if result.duplicate:
        return CommitOutcome(True, [], registration)
    attempt.state = _state_dict(result.state)
    outcome = rt.activity_result(result.state)
    _store_result(attempt, outcome)
    _log(session, registration, attempt, result.deviations)
    errors = [e.to_dict() for e in result.errors]
    for error in result.errors:
        # The adapter validates identically, so a refused value means a tampered or
        # mismatched client: keep the evidence, change nothing else.
        session.add(
            RuntimeEvent(
                org_id=registration.org_id,
                registration_id=registration.id,
                attempt_id=attempt.id,
                kind="refused_value",
                element=error.element[:255],
                detail=f"error {error.code}: {error.diagnostic}"[:2000],
            )
        )
    scos = sco_ids(session, version_id=registration.package_version_id, sha256=sha256)
    rollup_registration(
        session,
        registration=registration,
        committed=Committed(attempt, outcome, scos, enrollment, has_others),
    )
    return CommitOutcome(False, errors, registration)


def _state_dict(state: rt.AttemptState) -> dict[str, Any]:
    """``state.to_dict()`` without its deep copy (``dataclasses.asdict`` copies every
    value): the state ``apply_commit`` returned belongs to this commit alone."""
    return {f.name: getattr(state, f.name) for f in fields(state)}


def _store_result(attempt: ScoAttempt, result: rt.ActivityResult) -> None:
    attempt.completion, attempt.success = result.completion, result.success
    attempt.score_scaled, attempt.score_raw = result.scaled, result.raw
    attempt.total_cs, attempt.credit = result.total_cs, result.credit


@dataclass(frozen=True)
class Committed:
    """What :func:`commit` already holds, so that the rollup reads none of it again."""

    attempt: ScoAttempt
    result: rt.ActivityResult  # of the attempt's new state
    scos: tuple[str, ...]
    enrollment: Enrollment | None
    others: bool  # the registration has attempts besides this one


_NOT_ATTEMPTED = rt.ActivityResult(
    vocab.STATUS_NOT_ATTEMPTED, vocab.STATUS_UNKNOWN, None, None, 0
)


def rollup_registration(
    session: Session, *, registration: Registration, committed: Committed | None = None
) -> None:
    """Roll the SCOs' latest attempts up to the registration and its enrollment."""
    if committed is None:
        scos = sco_ids(session, version_id=registration.package_version_id)
        enrollment = session.scalar(
            select(Enrollment).where(
                Enrollment.user_id == registration.user_id,
                Enrollment.course_id == registration.course_id,
            )
        )
    else:
        scos, enrollment = committed.scos, committed.enrollment
    latest = _latest_results(session, registration, committed)
    results = [latest.get(sco, _NOT_ATTEMPTED) for sco in scos]
    total = rt.rollup(results)
    registration.completion, registration.success = total.completion, total.success
    registration.score_scaled, registration.score_raw = total.scaled, total.raw
    registration.total_cs = total.total_cs
    done = sum(r.completion == vocab.STATUS_COMPLETED for r in results)
    _update_enrollment(enrollment, total, done, len(results))


def _latest_results(
    session: Session, registration: Registration, committed: Committed | None
) -> dict[str, rt.ActivityResult]:
    """Activity id -> the result of its latest attempt (the highest number).

    Only the latest attempts are read, and not the one just committed, whose result
    is at hand (unless a newer attempt of its activity exists); nothing at all when
    the registration has no other attempt.
    """
    results: dict[str, rt.ActivityResult] = {}
    if committed is not None:
        results[committed.attempt.activity_id] = committed.result
        if not committed.others:
            return results
    newest = (
        select(ScoAttempt.activity_id, func.max(ScoAttempt.number).label("number"))
        .where(ScoAttempt.registration_id == registration.id)
        .group_by(ScoAttempt.activity_id)
        .subquery()
    )
    query = (
        select(ScoAttempt.activity_id, ScoAttempt.state)
        .join(
            newest,
            and_(
                ScoAttempt.activity_id == newest.c.activity_id,
                ScoAttempt.number == newest.c.number,
            ),
        )
        .where(ScoAttempt.registration_id == registration.id)
    )
    if committed is not None:
        query = query.where(ScoAttempt.id != committed.attempt.id)
    for activity_id, state in session.execute(query):
        results[activity_id] = rt.activity_result(rt.AttemptState.from_dict(state))
    return results


def _update_enrollment(
    enrollment: Enrollment | None, total: rt.ActivityResult, done: int, count: int
) -> None:
    if enrollment is None or enrollment.role is not CourseRole.LEARNER:
        return
    if total.success == vocab.STATUS_PASSED:
        status = ProgressStatus.PASSED
    elif total.success == vocab.STATUS_FAILED:
        status = ProgressStatus.FAILED
    elif total.completion == vocab.STATUS_COMPLETED:
        status = ProgressStatus.COMPLETED
    elif total.completion == vocab.STATUS_NOT_ATTEMPTED:
        status = ProgressStatus.NOT_STARTED
    else:
        status = ProgressStatus.IN_PROGRESS
    enrollment.progress_status = status
    enrollment.progress_percent = round(100 * done / count) if count else 0
    if total.scaled is not None:
        enrollment.score = round(total.scaled * 100, 2)
    elif total.raw is not None:
        enrollment.score = total.raw
