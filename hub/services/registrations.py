"""Registrations for integrators: create for a learner, one-time launch links, grades."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

import scorm_runtime as rt
from hub.config import Settings
from hub.db import utcnow
from hub.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from hub.models import (
    Course,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    LaunchToken,
    OrgRole,
    Package,
    PackageVersion,
    Registration,
    ScoAttempt,
    User,
)
from hub.schemas import UserCreate
from hub.services import accounts, enrollments, reports
from hub.services.activities import activities, runtime_version
from hub.services.authz import Actor
from hub.services.courses import get_course
from hub.services.pagination import Page, page_of


def find_or_create_learner(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    learner: UserCreate | None,
    settings: Settings,
) -> User:
    """The learner named by id, or by external_id/email (created when unknown)."""
    if user_id is not None:
        return accounts.get_user(session, org_id=org_id, user_id=user_id)
    assert learner is not None  # the API schema requires one of the two
    found = None
    if learner.external_id:
        found = accounts.find_user_by_external_id(
            session, org_id=org_id, external_id=learner.external_id
        )
    found = found or accounts.find_user_by_email(
        session, org_id=org_id, email=learner.email
    )
    return found or accounts.create_user(
        session, org_id=org_id, data=learner, settings=settings
    )


def list_registrations(
    session: Session,
    *,
    org_id: int,
    course_id: int | None = None,
    user_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Registration]:
    return page_of(
        session,
        Registration,
        org_id=org_id,
        cursor=cursor,
        limit=limit,
        course_id=course_id,
        user_id=user_id,
    )


@dataclass(frozen=True)
class NewLaunchLink:
    token: str
    expires_at: object


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class RedeemedLaunchLink:
    """What a used launch link opens, and for whom."""

    registration: Registration
    user: User
    activity_id: str | None
    new_attempt: bool


def create_launch_link(
    session: Session,
    *,
    registration: Registration,
    seconds: int,
    activity_id: str | None = None,
    new_attempt: bool = False,
) -> NewLaunchLink:
    """A single-use token for ``/launch/<token>``; only its hash is stored.

    Raises:
        ValidationError: ``activity_id`` is not a SCO of the registration's package.
    """
    if activity_id is not None:
        version = session.get_one(PackageVersion, registration.package_version_id)
        if not any(
            a.launchable and a.identifier == activity_id for a in activities(version)
        ):
            raise ValidationError.for_field(
                "activity", f"no SCO '{activity_id}' in this course's package"
            )
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(seconds=seconds)
    session.add(
        LaunchToken(
            org_id=registration.org_id,
            registration_id=registration.id,
            token_hash=_hash(token),
            expires_at=expires_at,
            activity_id=activity_id,
            new_attempt=new_attempt,
        )
    )
    session.flush()
    return NewLaunchLink(token, expires_at)


def redeem_launch_link(session: Session, *, token: str) -> RedeemedLaunchLink:
    """Use a launch token once: the registration to open and the learner to sign in."""
    row = session.scalar(
        select(LaunchToken).where(LaunchToken.token_hash == _hash(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise NotFoundError(
            "this launch link is invalid, used or expired; ask for a new one"
        )
    row.used_at = utcnow()
    registration = session.get_one(Registration, row.registration_id)
    user = session.get_one(User, registration.user_id)
    if not user.is_active:
        raise NotFoundError(
            "this launch link is invalid, used or expired; ask for a new one"
        )
    session.flush()
    return RedeemedLaunchLink(registration, user, row.activity_id, row.new_attempt)


def course_grades(
    session: Session, *, org_id: int, course_id: int
) -> list[dict[str, object]]:
    """One row per registration: rollup and the grade by the course's grading method.

    The grade applies the method to each SCO's attempts (for credit), then averages
    the SCOs, on a 0-100 scale.
    """
    course = get_course(session, org_id=org_id, course_id=course_id)
    rows = []
    for registration, user in session.execute(
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(Registration.course_id == course.id)
        .order_by(User.family_name, User.email)
    ):
        per_sco: dict[str, list[float | None]] = {}
        attempts = session.scalars(
            select(ScoAttempt)
            .where(ScoAttempt.registration_id == registration.id)
            .order_by(ScoAttempt.number)
        )
        for attempt in attempts:
            # scorm_runtime scales 1.2 raw scores too (by min/max, else by 100).
            per_sco.setdefault(attempt.activity_id, []).append(
                attempt.score_scaled if attempt.credit else None
            )
        grades = [rt.course_grade(s, course.grading_method) for s in per_sco.values()]
        known = [g for g in grades if g is not None]
        rows.append(
            {
                "email": user.email,
                "external_id": user.external_id or "",
                "name": user.display_name,
                "completion": registration.completion,
                "success": registration.success,
                "grade": round(100 * sum(known) / len(known), 2) if known else None,
                "total_time": rt.format_iso_duration(registration.total_cs),
                "attempts": max((len(s) for s in per_sco.values()), default=0),
                "registration_id": registration.id,
            }
        )
    return rows


def grades_csv(rows: list[dict[str, object]]) -> str:
    """The grade rows as CSV, with a header, ready to download."""
    out = io.StringIO()
    fields = [
        "email",
        "external_id",
        "name",
        "completion",
        "success",
        "grade",
        "total_time",
        "attempts",
        "registration_id",
    ]
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row[k]) for k in fields})
    return out.getvalue()


def _cell(value: object) -> object:
    # Spreadsheets run cells that start with = + - @ as formulas (CSV injection).
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def get_registration(
    session: Session, *, actor: Actor, registration_id: int
) -> Registration:
    """A registration of the actor's organization: learners only see their own."""
    registration = session.scalar(
        select(Registration).where(
            Registration.id == registration_id, Registration.org_id == actor.org_id
        )
    )
    if registration is None or (
        actor.role is OrgRole.LEARNER and registration.user_id != actor.user_id
    ):
        raise NotFoundError(f"no registration {registration_id}")
    return registration


#: Attempts granted to one registration beyond the course's limit, at most.
MAX_EXTRA_ATTEMPTS = 1000


def may_grant_attempts(session: Session, *, actor: Actor, course_id: int) -> bool:
    """Whether the actor may allow a learner of the course more attempts: admins,
    and instructors teaching it."""
    return actor.is_admin or reports.teaches(session, actor=actor, course_id=course_id)


def grant_attempts(
    session: Session, *, actor: Actor, registration_id: int, count: int
) -> Registration:
    """Allow the learner ``count`` more attempts on each SCO than the course does
    (admins, and instructors teaching the course).

    Raises:
        NotFoundError: no such registration the actor may see.
        PermissionDeniedError: the actor is the learner, or does not teach it.
        ConflictError: the course allows unlimited attempts, or the grant would pass
            ``MAX_EXTRA_ATTEMPTS``.
    """
    registration = reports.viewable_registration(
        session, actor=actor, registration_id=registration_id
    )
    if not may_grant_attempts(session, actor=actor, course_id=registration.course_id):
        raise PermissionDeniedError(
            "Only the course's instructors and admins may do this."
        )
    course = get_course(session, org_id=actor.org_id, course_id=registration.course_id)
    if course.max_attempts is None:
        raise ConflictError("The course allows unlimited attempts already.")
    # Two grants at once each add theirs (and launches wait for the row).
    session.refresh(registration, with_for_update=True)
    if registration.extra_attempts + count > MAX_EXTRA_ATTEMPTS:
        raise ConflictError(
            f"At most {MAX_EXTRA_ATTEMPTS} attempts can be granted beyond the course's."
        )
    registration.extra_attempts += count
    session.flush()
    return registration


def newest_version_id(session: Session, *, course: Course) -> int:
    """The id of the course's newest package version, checked playable: one query
    of three columns (not the package and its version with their manifests).

    Raises:
        ConflictError: The course has no content, or content the player cannot run.
        NotFoundError: Its package has no version yet.
    """
    if course.package_id is None:
        raise ConflictError(f"course {course.code} has no content yet")
    version = session.execute(
        select(PackageVersion.id, PackageVersion.standard, PackageVersion.edition)
        .join(Package, Package.id == PackageVersion.package_id)
        .where(
            Package.id == course.package_id,
            PackageVersion.version == Package.latest_version,
        )
    ).first()
    if version is None:
        raise NotFoundError(f"package {course.package_id} has no version yet")
    runtime_version(version)  # refuse content the player cannot run, now
    return version.id


def start_registration(
    session: Session,
    *,
    org_id: int,
    user_id: int,
    course_id: int,
    course: Course | None = None,
) -> tuple[Registration, bool]:
    """The learner's registration on a course, made on first launch; True if new.

    It is pinned to the course's newest package version at that moment: a later
    version reaches only registrations made after it. ``course``, when the caller
    has it loaded (from ``org_id``), saves reading it again.
    """
    if course is None or course.id != course_id or course.org_id != org_id:
        course = get_course(session, org_id=org_id, course_id=course_id)
    existing = session.scalar(
        select(Registration).where(
            Registration.user_id == user_id, Registration.course_id == course.id
        )
    )
    if existing is not None:
        return existing, False
    registration = Registration(
        org_id=org_id,
        user_id=user_id,
        course_id=course.id,
        package_version_id=newest_version_id(session, course=course),
    )
    session.add(registration)
    session.flush()
    return registration, True


#: Built once (its clauses and cache key), run with each new registration's values.
_INSERT_REGISTRATION = insert(Registration.__table__).returning(
    Registration.__table__.c.id
)


def new_registration_id(
    session: Session, *, course: Course, user_id: int, version_id: int | None = None
) -> int:
    """``start_registration`` for a learner who cannot have one yet (just created),
    as one ``INSERT ... RETURNING id``: no lookup, no object in the session (the
    unique (user, course) key still refuses a second one).

    ``course`` must be the learner's organization's, loaded by the caller;
    ``version_id`` its newest version, when the caller loaded it and checked it
    playable (``runtime_version``) in the same transaction.
    """
    if version_id is None:
        version_id = newest_version_id(session, course=course)
    values = {
        "org_id": course.org_id,
        "user_id": user_id,
        "course_id": course.id,
        "package_version_id": version_id,
    }
    return session.execute(_INSERT_REGISTRATION, values).scalar_one()


def register_learner(
    session: Session, *, org_id: int, user_id: int, course_id: int
) -> tuple[Registration, bool]:
    """For integrators: enroll the learner if needed, then start the registration."""
    enrollments.enroll(
        session,
        org_id=org_id,
        user_id=user_id,
        course_id=course_id,
        source=EnrollmentSource.API,
    )
    return start_registration(
        session, org_id=org_id, user_id=user_id, course_id=course_id
    )


def registration_for_launch(
    session: Session, *, actor: Actor, course_id: int
) -> Registration:
    """The signed-in user's registration on a course they are actively enrolled in."""
    enrolled = session.scalar(
        select(Enrollment.id).where(
            Enrollment.org_id == actor.org_id,
            Enrollment.user_id == actor.user_id,
            Enrollment.course_id == course_id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
    )
    if enrolled is None:
        get_course(session, org_id=actor.org_id, course_id=course_id)  # 404 if foreign
        raise PermissionDeniedError("You are not enrolled in this course.")
    registration, _ = start_registration(
        session, org_id=actor.org_id, user_id=actor.user_id or 0, course_id=course_id
    )
    return registration
