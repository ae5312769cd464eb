"""The adapter's commits: validated, stored and rolled up, on the runtime's hot path.

Every learner's browser commits many times a minute (autocommit, Commit, Terminate,
pagehide), so this module is written for one short transaction per commit (issue 4
benchmark, ``benchmarks/runtime_bench.py``):

- **one read**: the attempt and its registration (both locked, so that two tabs or
  two SCOs of one learner commit one after the other and neither's values or rollup
  are lost), the course's runtime settings, the package checksum, the signed-in
  user's standing and whether other attempts exist;
- **one write** in the common case (suspend data, location, interactions: the
  attempt's result is unchanged): the attempt's state;
- when the attempt's result changes, the rollup: the other SCOs' results from the
  attempts' result columns (never their whole state), the registration written only
  when its rollup changes, through the ORM so that the LTI grade outbox hears of it
  (``lti_grades`` listens to flushes), and the enrollment's progress guarded so that
  it matches no row when nothing changed.

The browser session is checked here too (active user, same organization, password
unchanged), in the same read, instead of a query of its own per request.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

import scorm_runtime as rt
from hub.db import utcnow
from hub.errors import AuthenticationRequiredError, NotFoundError
from hub.models import (
    Course,
    CourseRole,
    Enrollment,
    PackageVersion,
    ProgressStatus,
    Registration,
    RuntimeEvent,
    ScoAttempt,
    User,
)
from hub.services.activities import sco_ids
from hub.services.signin import password_version
from scorm_runtime import vocab


def commit_key(secret: str, attempt_id: int, user_id: int) -> str:
    """The token the player sends with each commit: only its page knows it (the
    beacon sent on pagehide cannot carry a CSRF header)."""
    message = f"commit:{attempt_id}:{user_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SessionClaim:
    """Who the browser session says it is (read from the signed cookie)."""

    user_id: int
    org_id: int
    password_version: str


@dataclass(frozen=True)
class Batch:
    """One batch of the adapter's SetValue calls."""

    seq: int
    tab: str
    changes: Sequence[Sequence[str]]  # (element, value) pairs, in call order
    terminate: bool


@dataclass(frozen=True)
class CommitOutcome:
    """What the adapter is told: a retry, refused values, the registration's rollup."""

    duplicate: bool
    errors: list[dict[str, Any]]
    rollup: rt.ActivityResult


def _read_query():
    return (
        select(
            ScoAttempt.activity_id,
            ScoAttempt.version,
            ScoAttempt.state,
            ScoAttempt.closed_tabs,
            ScoAttempt.completion.label("attempt_completion"),
            ScoAttempt.success.label("attempt_success"),
            ScoAttempt.score_scaled.label("attempt_scaled"),
            ScoAttempt.score_raw.label("attempt_raw"),
            ScoAttempt.total_cs.label("attempt_total_cs"),
            ScoAttempt.credit.label("attempt_credit"),
            Registration.org_id,
            Registration.user_id,
            Registration.package_version_id,
            Registration.completion,
            Registration.success,
            Registration.score_scaled,
            Registration.score_raw,
            Registration.total_cs,
            Course.runtime_settings,
            PackageVersion.sha256,
            Registration.course_id,
            User.is_active,
            User.org_id.label("user_org_id"),
            User.password_changed_at,
        )
        .join(Registration, Registration.id == ScoAttempt.registration_id)
        .join(Course, Course.id == Registration.course_id)
        .join(PackageVersion, PackageVersion.id == Registration.package_version_id)
        .join(User, User.id == Registration.user_id)
        .where(
            ScoAttempt.id == bindparam("attempt_id"),
            ScoAttempt.registration_id == bindparam("registration_id"),
        )
        # PostgreSQL: FOR UPDATE OF both rows. A statement that waited for the lock
        # sees the newest versions of the rows it locked (the attempt's state, the
        # registration's rollup), but older versions of any other row it joined or
        # subqueried, so nothing else that a concurrent commit or launch writes is
        # read here: the other attempts and the enrollment are read or written by
        # later statements, which see what committed meanwhile. SQLite has no row
        # locks; its transactions begin IMMEDIATE (hub/db.py), which serializes them.
        .with_for_update(of=[Registration.__table__, ScoAttempt.__table__])
    )


# Built once: building the statement costs more than running it.
_READ = _read_query()

_WRITE_ATTEMPT = (
    update(ScoAttempt)
    .where(ScoAttempt.id == bindparam("attempt_id"))
    .values(
        state=bindparam("state"),
        completion=bindparam("completion"),
        success=bindparam("success"),
        score_scaled=bindparam("score_scaled"),
        score_raw=bindparam("score_raw"),
        total_cs=bindparam("total_cs"),
        credit=bindparam("credit"),
        updated_at=bindparam("now"),
    )
)


def commit(
    session: Session,
    *,
    claim: SessionClaim,
    registration_id: int,
    attempt_id: int,
    batch: Batch,
) -> CommitOutcome:
    """Validate and store one batch of the adapter's changes, then roll up.

    Raises:
        NotFoundError: no such attempt of this user's registration.
        AuthenticationRequiredError: the session's user is inactive, moved or
            changed the password since signing in.
    """
    # Core statements on the session's connection: the ORM's bookkeeping (result
    # objects, synchronize_session on UPDATE) doubled the cost of a commit.
    connection = session.connection()
    row = connection.execute(
        _READ, {"attempt_id": attempt_id, "registration_id": registration_id}
    ).one_or_none()
    if row is None or row.user_id != claim.user_id:
        raise NotFoundError(
            f"no attempt {attempt_id} of registration {registration_id}"
        )
    if (
        not row.is_active
        or row.user_org_id != claim.org_id
        or password_version(row.password_changed_at) != claim.password_version
    ):
        raise AuthenticationRequiredError("your session has ended: sign in again")
    current = registration_result(row)
    if batch.tab in (row.closed_tabs or []):
        # A batch of a session that ended before the latest launch: applying it now
        # could overwrite newer values or terminate the running session. Keep a
        # record; answer as for a retry so the browser drops it from its queue.
        detail = (
            f"batch {batch.seq} of closed tab {batch.tab!r} "
            f"({len(batch.changes)} changes) ignored"
        )
        _record(
            session, row, registration_id, attempt_id, [("stale_batch", "", detail)]
        )
        return CommitOutcome(True, [], current)
    result = rt.apply_commit(
        rt.AttemptState.from_dict(row.state),
        batch.changes,
        version=row.version,
        settings=rt.CompatibilitySettings.from_dict(row.runtime_settings or {}),
        seq=batch.seq,
        tab=batch.tab,
        terminate=batch.terminate,
    )
    if result.duplicate:
        return CommitOutcome(True, [], current)
    outcome = rt.activity_result(result.state)
    connection.execute(
        _WRITE_ATTEMPT,
        {
            "attempt_id": attempt_id,
            "state": result.state.to_dict(),
            **result_columns(outcome),
            "now": utcnow(),
        },
    )
    events = [(d.kind, d.element, d.detail) for d in result.deviations]
    # The adapter validates identically, so a refused value means a tampered or
    # mismatched client: keep the evidence, change nothing else.
    events += [
        ("refused_value", e.element, f"error {e.code}: {e.diagnostic}")
        for e in result.errors
    ]
    _record(session, row, registration_id, attempt_id, events)
    errors = [e.to_dict() for e in result.errors]
    stored = rt.ActivityResult(
        row.attempt_completion,
        row.attempt_success,
        row.attempt_scaled,
        row.attempt_raw,
        row.attempt_total_cs,
        row.attempt_credit,
    )
    if outcome == stored:
        # Most commits (suspend data, location, interactions) leave the result as
        # it was. The registration's rollup and the enrollment's progress derive
        # from the attempts' result columns only, and every writer of those columns
        # (this function and runtime.launch, both holding the registration's lock)
        # rolls up when it changes them: nothing to recompute.
        return CommitOutcome(False, errors, current)
    total = roll_up(
        session,
        registration_id=registration_id,
        version_id=row.package_version_id,
        sha256=row.sha256,
        user_id=row.user_id,
        course_id=row.course_id,
        current=current,
        committed=(row.activity_id, attempt_id, outcome),
    )
    return CommitOutcome(False, errors, total)


def roll_up(
    session: Session,
    *,
    registration_id: int,
    version_id: int,
    sha256: str,
    user_id: int,
    course_id: int,
    current: rt.ActivityResult,
    committed: tuple[str, int, rt.ActivityResult] | None = None,
) -> rt.ActivityResult:
    """Roll the SCOs' latest results up to the registration (written only when it
    changes) and the enrollment's progress; returns the registration's result.

    The caller holds the registration's row lock and has stored the attempts'
    result columns, except the one it passes as ``committed`` (activity id,
    attempt id, result: at hand, and newer than what this transaction could read
    of it).
    """
    scos = sco_ids(session, version_id=version_id, sha256=sha256)
    # Attempt ids start at 1: 0 leaves none of the stored results out.
    attempt_id = committed[1] if committed else 0
    latest = _latest_results(session, registration_id, attempt_id)
    if committed:
        # Unless a newer attempt of its activity exists.
        latest.setdefault(committed[0], committed[2])
    total, done = _rollup(latest, scos)
    if total != current:
        _write_registration(session, registration_id, total)
    _write_enrollment(
        session,
        user_id=user_id,
        course_id=course_id,
        total=total,
        done=done,
        count=len(scos),
    )
    return total


def commit_all(
    session: Session,
    *,
    claim: SessionClaim,
    registration_id: int,
    attempt_id: int,
    batches: Sequence[Batch],
) -> CommitOutcome:
    """Apply batches in sequence order (a closing page sends its whole queue in one
    beacon: separate beacons arrive in any order, and a Terminate that overtook the
    batch before it would end the session without that batch).

    Sequence numbers count per tab: a queue holding batches of two tabs is applied
    tab by tab, in the order the tabs first appear in it, each in sequence order.
    """
    tabs: dict[str, int] = {}
    for batch in batches:
        tabs.setdefault(batch.tab, len(tabs))
    outcomes = [
        commit(
            session,
            claim=claim,
            registration_id=registration_id,
            attempt_id=attempt_id,
            batch=batch,
        )
        for batch in sorted(batches, key=lambda b: (tabs[b.tab], b.seq))
    ]
    return CommitOutcome(
        all(o.duplicate for o in outcomes),
        [error for o in outcomes for error in o.errors],
        outcomes[-1].rollup,
    )


def deliver_leftovers(
    session: Session,
    *,
    claim: SessionClaim,
    registration_id: int,
    leftovers: Mapping[int, Sequence[Batch]],
) -> list[int]:
    """Store the batches a closed page of this learner left queued on the device
    (attempt id -> batches), before the next launch decides from the stored state.

    A page that closed offline, or whose last beacon had not landed when the learner
    opened the course again, still holds those batches; applied after the launch
    they would be a closed tab's and only logged (see :func:`commit`). Batches
    already stored are recognized by their (tab, seq) and skipped, as any retry.

    Returns:
        The attempts whose batches are now stored (or were already); the others
        are not this registration's (or no longer exist) and were left untouched.

    Raises:
        AuthenticationRequiredError: as :func:`commit`.
    """
    delivered = []
    for attempt_id in sorted(leftovers):
        batches = leftovers[attempt_id]
        if not batches:
            continue
        try:
            with session.begin_nested():
                commit_all(
                    session,
                    claim=claim,
                    registration_id=registration_id,
                    attempt_id=attempt_id,
                    batches=batches,
                )
        except NotFoundError:
            continue
        delivered.append(attempt_id)
    return delivered


def result_columns(result: rt.ActivityResult) -> dict[str, Any]:
    """An attempt's result columns (what rollups and tables of contents read)."""
    return {
        "completion": result.completion,
        "success": result.success,
        "score_scaled": result.scaled,
        "score_raw": result.raw,
        "total_cs": result.total_cs,
        "credit": result.credit,
    }


def registration_result(row: Row[Any] | Registration) -> rt.ActivityResult:
    """A registration's rollup as it is stored (a row of it, or the entity)."""
    return rt.ActivityResult(
        row.completion, row.success, row.score_scaled, row.score_raw, row.total_cs
    )


def _record(
    session: Session,
    row: Row[Any],
    registration_id: int,
    attempt_id: int | None,
    events: list[tuple[str, str, str]],
) -> None:
    """Log deviations, refused values and ignored batches per registration."""
    if events:
        session.connection().execute(
            insert(RuntimeEvent),
            [
                {
                    "org_id": row.org_id,
                    "registration_id": registration_id,
                    "attempt_id": attempt_id,
                    "kind": kind[:40],
                    "element": element[:255],
                    "detail": detail[:2000],
                }
                for kind, element, detail in events
            ],
        )


_NOT_ATTEMPTED = rt.ActivityResult(
    vocab.STATUS_NOT_ATTEMPTED, vocab.STATUS_UNKNOWN, None, None, 0
)


def _rollup(
    latest: dict[str, rt.ActivityResult], scos: tuple[str, ...]
) -> tuple[rt.ActivityResult, int]:
    """The registration's result from each SCO's latest attempt (none: not
    attempted), and how many SCOs are completed."""
    results = [latest.get(sco, _NOT_ATTEMPTED) for sco in scos]
    total = rt.rollup(results)
    # The registration stores no credit flag: compare results without it.
    total = rt.ActivityResult(
        total.completion, total.success, total.scaled, total.raw, total.total_cs
    )
    return total, sum(r.completion == vocab.STATUS_COMPLETED for r in results)


def _latest_query():
    newest = (
        select(ScoAttempt.activity_id, func.max(ScoAttempt.number).label("number"))
        .where(ScoAttempt.registration_id == bindparam("registration_id"))
        .group_by(ScoAttempt.activity_id)
        .subquery()
    )
    return (
        select(
            ScoAttempt.activity_id,
            ScoAttempt.completion,
            ScoAttempt.success,
            ScoAttempt.score_scaled,
            ScoAttempt.score_raw,
            ScoAttempt.total_cs,
            ScoAttempt.credit,
        )
        .join(
            newest,
            and_(
                ScoAttempt.activity_id == newest.c.activity_id,
                ScoAttempt.number == newest.c.number,
            ),
        )
        .where(
            ScoAttempt.registration_id == bindparam("registration_id"),
            ScoAttempt.id != bindparam("attempt_id"),
        )
    )


_LATEST = _latest_query()


def _latest_results(
    session: Session, registration_id: int, attempt_id: int
) -> dict[str, rt.ActivityResult]:
    """Activity id -> the result of its latest attempt (the highest number), from
    the result columns each commit keeps; the committed attempt is left out (its
    result is at hand, unless a newer attempt of its activity exists)."""
    rows = session.connection().execute(
        _LATEST, {"registration_id": registration_id, "attempt_id": attempt_id}
    )
    return {activity_id: rt.ActivityResult(*values) for activity_id, *values in rows}


def _write_registration(
    session: Session, registration_id: int, total: rt.ActivityResult
) -> None:
    # Through the ORM: the LTI outbox listens for rollup changes on flush. Rare: the
    # rollup changes a few times per attempt, not with every commit.
    registration = session.get_one(Registration, registration_id)
    registration.completion, registration.success = total.completion, total.success
    registration.score_scaled, registration.score_raw = total.scaled, total.raw
    registration.total_cs = total.total_cs


def _progress(
    total: rt.ActivityResult, done: int, count: int
) -> tuple[ProgressStatus, int, float | None]:
    """An enrollment's progress status, percent and score (None: keep the one it
    has) from its registration's rollup."""
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
    score = total.raw
    if total.scaled is not None:
        score = round(total.scaled * 100, 2)
    return status, round(100 * done / count) if count else 0, score


_NEW_SCORE = func.coalesce(
    bindparam("new_score", type_=Enrollment.score.type), Enrollment.score
)
_STATUS = bindparam("new_status", type_=Enrollment.progress_status.type)
_PERCENT = bindparam("new_percent", type_=Enrollment.progress_percent.type)
# The enrollment's row is not read with the attempt (see _read_query): this statement
# matches nothing when nothing changed.
_WRITE_ENROLLMENT = (
    update(Enrollment)
    .where(
        Enrollment.user_id == bindparam("for_user"),
        Enrollment.course_id == bindparam("for_course"),
        Enrollment.role == CourseRole.LEARNER,
        or_(
            Enrollment.progress_status.is_distinct_from(_STATUS),
            Enrollment.progress_percent.is_distinct_from(_PERCENT),
            Enrollment.score.is_distinct_from(_NEW_SCORE),
        ),
    )
    .values(
        progress_status=_STATUS,
        progress_percent=_PERCENT,
        score=_NEW_SCORE,
        updated_at=bindparam("now"),
    )
)


def _write_enrollment(
    session: Session,
    *,
    user_id: int,
    course_id: int,
    total: rt.ActivityResult,
    done: int,
    count: int,
) -> None:
    status, percent, score = _progress(total, done, count)
    session.connection().execute(
        _WRITE_ENROLLMENT,
        {
            "for_user": user_id,
            "for_course": course_id,
            "new_status": status,
            "new_percent": percent,
            "new_score": score,
            "now": utcnow(),
        },
    )
