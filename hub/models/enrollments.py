"""Enrollments of users in courses, groups (cohorts) and attribute-based rules."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, enum_values, utcnow
from hub.models.accounts import User
from hub.models.courses import Course


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=enum_values)


class CourseRole(enum.StrEnum):
    """A user's role in one course."""

    INSTRUCTOR = "instructor"
    LEARNER = "learner"


class EnrollmentStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class EnrollmentSource(enum.StrEnum):
    """How an enrollment came to be; kept for reports and for undoing a bulk action."""

    MANUAL = "manual"
    GROUP = "group"
    RULE = "rule"
    API = "api"
    IMPORT = "import"
    LTI = "lti"  # a launch or a roster sync from an LMS


class ProgressStatus(enum.StrEnum):
    """The learner's standing in the course, rolled up from its registrations."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    PASSED = "passed"
    FAILED = "failed"


class Enrollment(Base):
    """One user in one course with a course role."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[CourseRole] = mapped_column(
        _enum(CourseRole), default=CourseRole.LEARNER
    )
    status: Mapped[EnrollmentStatus] = mapped_column(
        _enum(EnrollmentStatus), default=EnrollmentStatus.ACTIVE
    )
    source: Mapped[EnrollmentSource] = mapped_column(
        _enum(EnrollmentSource), default=EnrollmentSource.MANUAL
    )
    # The group or rule that created it, when source is group or rule.
    source_ref: Mapped[int | None]
    progress_status: Mapped[ProgressStatus] = mapped_column(
        _enum(ProgressStatus), default=ProgressStatus.NOT_STARTED
    )
    progress_percent: Mapped[int] = mapped_column(default=0)
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Joined eagerly: every listing of enrollments shows the user and the course.
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    course: Mapped[Course] = relationship(lazy="joined", innerjoin=True)


class Group(Base):
    """A cohort: its members are enrolled in the group's courses."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupMember(Base):
    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupCourse(Base):
    """A course the group is enrolled in; new members are enrolled in it too."""

    __tablename__ = "group_courses"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RuleOperator(enum.StrEnum):
    """How an enrollment rule compares a user attribute (case-insensitively)."""

    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    IN = "in"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"


class EnrollmentRule(Base):
    """``attribute <operator> value`` → enroll in ``course`` with ``role``."""

    __tablename__ = "enrollment_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    attribute: Mapped[str] = mapped_column(String(100))
    operator: Mapped[RuleOperator] = mapped_column(_enum(RuleOperator))
    value: Mapped[str] = mapped_column(String(500))
    role: Mapped[CourseRole] = mapped_column(
        _enum(CourseRole), default=CourseRole.LEARNER
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
