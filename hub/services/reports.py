"""What learners, instructors and admins see of a registration: results, attempts,
runtime data (interactions, objectives, comments) and logged deviations."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import scorm_runtime as rt
from hub.errors import NotFoundError
from hub.models import (
    Course,
    CourseRole,
    Enrollment,
    EnrollmentStatus,
    OrgRole,
    PackageVersion,
    Registration,
    RuntimeEvent,
    ScoAttempt,
    User,
)
from hub.services.activities import activities
from hub.services.authz import Actor
from hub.services.courses import attempts_allowed

_INDEXED = re.compile(
    r"^(cmi\.(?:interactions|objectives|comments_from_learner|"
    r"comments_from_lms))\.(\d+)\.(.+)$"
)


# SCORM 1.2 keeps each kind of comment as one text (RTE 1.2 §3.4, cmi.comments and
# cmi.comments_from_lms): reported as one record in the shape of SCORM 2004's.
_COMMENTS_12 = {
    "comments_from_learner": "cmi.comments",
    "comments_from_lms": "cmi.comments_from_lms",
}


def runtime_data(cmi: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """Interactions, objectives and comments of an attempt, as lists of records."""
    groups: dict[str, dict[int, dict[str, str]]] = {}
    for key, value in cmi.items():
        match = _INDEXED.match(key)
        if match:
            name = match.group(1).removeprefix("cmi.")
            groups.setdefault(name, {}).setdefault(int(match.group(2)), {})[
                match.group(3)
            ] = value
    for name, key in _COMMENTS_12.items():
        if cmi.get(key):
            groups[name] = {0: {"comment": cmi[key]}}
    return {
        name: [records[i] for i in sorted(records)] for name, records in groups.items()
    }


def registration_report(
    session: Session, *, registration: Registration
) -> dict[str, Any]:
    """The registration with, per activity, every attempt's result and runtime data."""
    version = session.get_one(PackageVersion, registration.package_version_id)
    attempts = session.scalars(
        select(ScoAttempt)
        .where(ScoAttempt.registration_id == registration.id)
        .order_by(ScoAttempt.activity_id, ScoAttempt.number)
    ).all()
    per_activity: dict[str, list[ScoAttempt]] = {}
    for attempt in attempts:
        per_activity.setdefault(attempt.activity_id, []).append(attempt)
    return {
        "id": registration.id,
        "course_id": registration.course_id,
        "user_id": registration.user_id,
        "package_version_id": version.id,
        "version": version.version,
        **_result_dict(registration),
        "attempts": max((len(a) for a in per_activity.values()), default=0),
        "attempts_allowed": attempts_allowed(
            session.get_one(Course, registration.course_id), registration
        ),
        "extra_attempts": registration.extra_attempts,
        "activities": [
            {
                "id": activity.identifier,
                "title": activity.title,
                "attempts": [
                    _attempt_dict(a) for a in per_activity.get(activity.identifier, [])
                ],
            }
            for activity in activities(version)
            if activity.launchable
        ],
        "events": [
            {
                "kind": e.kind,
                "element": e.element,
                "detail": e.detail,
                "at": e.created_at.isoformat(),
            }
            for e in _events(session, registration, limit=100)
        ],
    }


def _result_dict(row: Registration | ScoAttempt) -> dict[str, Any]:
    return {
        "completion": row.completion,
        "success": row.success,
        "score_scaled": row.score_scaled,
        "score_raw": row.score_raw,
        "total_time": rt.format_iso_duration(row.total_cs),
    }


# Where the resume data lives in each edition (SCORM 1.2 names first).
_RESUME = {
    "location": ("cmi.core.lesson_location", "cmi.location"),
    "suspend_data": ("cmi.suspend_data",),
    "entry": ("cmi.core.entry", "cmi.entry"),
    "exit": ("cmi.core.exit", "cmi.exit"),
}


def _attempt_dict(attempt: ScoAttempt) -> dict[str, Any]:
    state = attempt.state or {}
    cmi = state.get("cmi", {})
    resume = {
        name: next((cmi[k] for k in keys if k in cmi), "")
        for name, keys in _RESUME.items()
    }
    return {
        "number": attempt.number,
        **_result_dict(attempt),
        "credit": attempt.credit,
        "session": state.get("phase", ""),
        **resume,
        "updated_at": attempt.updated_at.isoformat(),
        **runtime_data(cmi),
    }


def viewable_registration(
    session: Session, *, actor: Actor, registration_id: int
) -> Registration:
    """A registration the actor may read: their own, one of a course they teach, or
    (admins) any of the organization. Others are 404, as if absent."""
    registration = session.scalar(
        select(Registration).where(
            Registration.id == registration_id, Registration.org_id == actor.org_id
        )
    )
    if registration is None:
        raise NotFoundError(f"no registration {registration_id}")
    if actor.is_admin or registration.user_id == actor.user_id:
        return registration
    if teaches(session, actor=actor, course_id=registration.course_id):
        return registration
    raise NotFoundError(f"no registration {registration_id}")


def teaches(session: Session, *, actor: Actor, course_id: int) -> bool:
    """Whether the actor is an instructor teaching the course (an active instructor
    enrollment)."""
    if actor.role is not OrgRole.INSTRUCTOR or actor.user_id is None:
        return False
    enrollment = session.scalar(
        select(Enrollment.id).where(
            Enrollment.course_id == course_id,
            Enrollment.user_id == actor.user_id,
            Enrollment.role == CourseRole.INSTRUCTOR,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
    )
    return enrollment is not None


def _events(
    session: Session, registration: Registration, *, limit: int
) -> list[RuntimeEvent]:
    """The newest runtime events of a registration (deviations, refused values)."""
    return list(
        session.scalars(
            select(RuntimeEvent)
            .where(RuntimeEvent.registration_id == registration.id)
            .order_by(RuntimeEvent.id.desc())
            .limit(limit)
        )
    )


def registration_page(
    session: Session, *, registration: Registration
) -> dict[str, Any]:
    """The report plus who, which course, and the logged runtime events."""
    events = _events(session, registration, limit=200)
    return {
        "report": registration_report(session, registration=registration),
        "user": session.get_one(User, registration.user_id),
        "course": session.get_one(Course, registration.course_id),
        "events": events,
    }


def course_registrations(
    session: Session, *, course_id: int
) -> dict[int, Registration]:
    """The course's registrations by learner id (for the roster)."""
    return {
        r.user_id: r
        for r in session.scalars(
            select(Registration).where(Registration.course_id == course_id)
        )
    }


def my_registrations(session: Session, *, actor: Actor) -> dict[int, Registration]:
    """The actor's own registrations by course id (for the dashboard)."""
    return {
        r.course_id: r
        for r in session.scalars(
            select(Registration).where(Registration.user_id == actor.user_id)
        )
    }
