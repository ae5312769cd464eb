"""What each role sees first: learners their courses, instructors their classes,
admins their organization."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.errors import PermissionDeniedError
from hub.models import (
    ApiKey,
    Course,
    CourseRole,
    Enrollment,
    EnrollmentStatus,
    ProgressStatus,
    User,
)
from hub.services.authz import Actor
from hub.services.courses import get_course

_DONE = (ProgressStatus.COMPLETED, ProgressStatus.PASSED)


def my_enrollments(session: Session, *, actor: Actor) -> list[Enrollment]:
    """The actor's active enrollments in visible courses, newest first."""
    return list(
        session.scalars(
            select(Enrollment)
            .join(Course, Course.id == Enrollment.course_id)
            .where(
                Enrollment.org_id == actor.org_id,
                Enrollment.user_id == actor.user_id,
                Enrollment.status == EnrollmentStatus.ACTIVE,
                Course.is_archived.is_(False),
            )
            .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        ).unique()
    )


@dataclass(frozen=True)
class CourseSummary:
    course: Course
    learners: int
    completed: int

    @property
    def completion_percent(self) -> int:
        return round(100 * self.completed / self.learners) if self.learners else 0


def taught_courses(session: Session, *, actor: Actor) -> list[CourseSummary]:
    """Courses the actor teaches (admins: every course) with learner counts."""
    learners = func.count(Enrollment.id).filter(
        Enrollment.role == CourseRole.LEARNER,
        Enrollment.status == EnrollmentStatus.ACTIVE,
    )
    completed = func.count(Enrollment.id).filter(
        Enrollment.role == CourseRole.LEARNER,
        Enrollment.status == EnrollmentStatus.ACTIVE,
        Enrollment.progress_status.in_(_DONE),
    )
    stmt = (
        select(Course, learners, completed)
        .outerjoin(Enrollment, Enrollment.course_id == Course.id)
        .where(Course.org_id == actor.org_id, Course.is_archived.is_(False))
        .group_by(Course.id)
        .order_by(Course.title)
    )
    if not actor.is_admin:
        taught = select(Enrollment.course_id).where(
            Enrollment.user_id == actor.user_id,
            Enrollment.role == CourseRole.INSTRUCTOR,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
        stmt = stmt.where(Course.id.in_(taught))
    return [CourseSummary(c, n, d) for c, n, d in session.execute(stmt)]


def course_roster(
    session: Session, *, actor: Actor, course_id: int
) -> tuple[Course, list[Enrollment]]:
    """A course and its enrollments, for its instructors and the organization's admins."""
    course = get_course(session, org_id=actor.org_id, course_id=course_id)
    if not actor.is_admin:
        teaches = session.scalar(
            select(Enrollment.id).where(
                Enrollment.course_id == course.id,
                Enrollment.user_id == actor.user_id,
                Enrollment.role == CourseRole.INSTRUCTOR,
                Enrollment.status == EnrollmentStatus.ACTIVE,
            )
        )
        if teaches is None:
            raise PermissionDeniedError("You do not teach this course.")
    enrollments = list(
        session.scalars(
            select(Enrollment)
            .join(User, User.id == Enrollment.user_id)
            .where(Enrollment.course_id == course.id)
            .order_by(Enrollment.role, User.family_name, User.given_name, User.email)
        ).unique()
    )
    return course, enrollments


@dataclass(frozen=True)
class OrgOverview:
    users: int
    active_users: int
    courses: int
    enrollments: int
    completed: int
    api_keys: int


def org_overview(session: Session, *, actor: Actor) -> OrgOverview:
    """Headline numbers of the organization, for its admins."""
    org = actor.org_id

    def count(stmt) -> int:
        return session.scalar(stmt) or 0

    return OrgOverview(
        users=count(select(func.count(User.id)).where(User.org_id == org)),
        active_users=count(
            select(func.count(User.id)).where(
                User.org_id == org, User.is_active.is_(True)
            )
        ),
        courses=count(
            select(func.count(Course.id)).where(
                Course.org_id == org, Course.is_archived.is_(False)
            )
        ),
        enrollments=count(
            select(func.count(Enrollment.id)).where(
                Enrollment.org_id == org, Enrollment.status == EnrollmentStatus.ACTIVE
            )
        ),
        completed=count(
            select(func.count(Enrollment.id)).where(
                Enrollment.org_id == org, Enrollment.progress_status.in_(_DONE)
            )
        ),
        api_keys=count(
            select(func.count(ApiKey.id)).where(
                ApiKey.org_id == org, ApiKey.revoked_at.is_(None)
            )
        ),
    )
