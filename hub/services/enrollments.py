"""Enrollments: one by one, by group (cohort) and by rules on user attributes."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db import after_commit
from hub.errors import ConflictError, FieldError, NotFoundError
from hub.models import (
    Course,
    CourseRole,
    Enrollment,
    EnrollmentRule,
    EnrollmentSource,
    EnrollmentStatus,
    Group,
    GroupCourse,
    GroupMember,
    RuleOperator,
    User,
)
from hub.schemas import EnrollmentUpdate, GroupCreate, RuleCreate
from hub.services.pagination import Page, page_of

log = logging.getLogger(__name__)


def _scoped(session: Session, model: type, *, org_id: int, obj_id: int, label: str):
    obj = session.scalar(
        select(model).where(model.id == obj_id, model.org_id == org_id)
    )
    if obj is None:
        raise NotFoundError(f"no {label} {obj_id}")
    return obj


def _is(obj: User | Course | None, obj_id: int, org_id: int) -> bool:
    return obj is not None and obj.id == obj_id and obj.org_id == org_id


def enroll(
    session: Session,
    *,
    org_id: int,
    user_id: int,
    course_id: int,
    role: CourseRole = CourseRole.LEARNER,
    source: EnrollmentSource = EnrollmentSource.MANUAL,
    source_ref: int | None = None,
    user: User | None = None,
    course: Course | None = None,
) -> tuple[Enrollment, bool]:
    """Enroll a user; returns the enrollment and whether it was created.

    An existing inactive enrollment is reactivated; an active one is left as it is
    (re-enrolling is idempotent, so rules and groups may overlap freely). ``user``
    and ``course``, when the caller has them loaded, save reading them again; one
    that is not the ``user_id`` or ``course_id`` of ``org_id`` is read as usual.
    """
    if not _is(user, user_id, org_id):
        user = _scoped(session, User, org_id=org_id, obj_id=user_id, label="user")
    if not _is(course, course_id, org_id):
        course = _scoped(
            session, Course, org_id=org_id, obj_id=course_id, label="course"
        )
    if course.is_archived:
        raise ConflictError(
            f"course {course.id} is archived",
            fields=[FieldError("course_id", "archived")],
        )
    existing = session.scalar(
        select(Enrollment).where(
            Enrollment.user_id == user.id, Enrollment.course_id == course.id
        )
    )
    if existing is not None:
        if existing.status is EnrollmentStatus.INACTIVE:
            existing.status = EnrollmentStatus.ACTIVE
            session.flush()
        return existing, False
    enrollment = Enrollment(
        org_id=org_id,
        user_id=user.id,
        course_id=course.id,
        role=role,
        source=source,
        source_ref=source_ref,
    )
    session.add(enrollment)
    session.flush()
    return enrollment, True


def get_enrollment(session: Session, *, org_id: int, enrollment_id: int) -> Enrollment:
    return _scoped(
        session, Enrollment, org_id=org_id, obj_id=enrollment_id, label="enrollment"
    )


def update_enrollment(
    session: Session, *, org_id: int, enrollment_id: int, data: EnrollmentUpdate
) -> Enrollment:
    enrollment = get_enrollment(session, org_id=org_id, enrollment_id=enrollment_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(enrollment, field, value)
    session.flush()
    return enrollment


def list_enrollments(
    session: Session,
    *,
    org_id: int,
    course_id: int | None = None,
    user_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Enrollment]:
    return page_of(
        session,
        Enrollment,
        org_id=org_id,
        cursor=cursor,
        limit=limit,
        course_id=course_id,
        user_id=user_id,
    )


# -- groups ---------------------------------------------------------------------------


def create_group(session: Session, *, org_id: int, data: GroupCreate) -> Group:
    if find_group(session, org_id=org_id, name=data.name) is not None:
        raise ConflictError(
            f"a group named '{data.name}' already exists",
            fields=[FieldError("name", "already in use")],
        )
    group = Group(org_id=org_id, name=data.name, description=data.description)
    session.add(group)
    session.flush()
    return group


def find_group(session: Session, *, org_id: int, name: str) -> Group | None:
    return session.scalar(
        select(Group).where(Group.org_id == org_id, Group.name == name)
    )


def get_group(session: Session, *, org_id: int, group_id: int) -> Group:
    return _scoped(session, Group, org_id=org_id, obj_id=group_id, label="group")


def list_groups(session: Session, *, org_id: int) -> list[Group]:
    return list(
        session.scalars(
            select(Group).where(Group.org_id == org_id).order_by(Group.name)
        )
    )


def group_members(session: Session, *, org_id: int, group_id: int) -> list[User]:
    group = get_group(session, org_id=org_id, group_id=group_id)
    return list(
        session.scalars(
            select(User)
            .join(GroupMember, GroupMember.user_id == User.id)
            .where(GroupMember.group_id == group.id)
            .order_by(User.email)
        )
    )


def group_courses(session: Session, *, org_id: int, group_id: int) -> list[Course]:
    group = get_group(session, org_id=org_id, group_id=group_id)
    return list(
        session.scalars(
            select(Course)
            .join(GroupCourse, GroupCourse.course_id == Course.id)
            .where(GroupCourse.group_id == group.id)
            .order_by(Course.title)
        )
    )


def add_group_member(
    session: Session, *, org_id: int, group_id: int, user_id: int
) -> bool:
    """Add a member and enroll them in the group's courses; False if already a member."""
    group = get_group(session, org_id=org_id, group_id=group_id)
    user = _scoped(session, User, org_id=org_id, obj_id=user_id, label="user")
    if session.get(GroupMember, (group.id, user.id)) is not None:
        return False
    session.add(GroupMember(group_id=group.id, user_id=user.id))
    session.flush()
    for course in group_courses(session, org_id=org_id, group_id=group.id):
        if not course.is_archived:
            enroll(
                session,
                org_id=org_id,
                user_id=user.id,
                course_id=course.id,
                source=EnrollmentSource.GROUP,
                source_ref=group.id,
                user=user,
                course=course,
            )
    return True


def remove_group_member(
    session: Session, *, org_id: int, group_id: int, user_id: int
) -> None:
    """Remove a member; their enrollments and progress stay (never lose tracking data)."""
    group = get_group(session, org_id=org_id, group_id=group_id)
    member = session.get(GroupMember, (group.id, user_id))
    if member is None:
        raise NotFoundError(f"user {user_id} is not in group {group.id}")
    session.delete(member)
    session.flush()


def enroll_group(
    session: Session, *, org_id: int, group_id: int, course_id: int
) -> int:
    """Enroll every member in the course, and future members too; returns new count."""
    group = get_group(session, org_id=org_id, group_id=group_id)
    course = _scoped(session, Course, org_id=org_id, obj_id=course_id, label="course")
    if session.get(GroupCourse, (group.id, course.id)) is None:
        session.add(GroupCourse(group_id=group.id, course_id=course.id))
        session.flush()
    created = 0
    for user in group_members(session, org_id=org_id, group_id=group.id):
        if user.is_active:
            _, new = enroll(
                session,
                org_id=org_id,
                user_id=user.id,
                course_id=course.id,
                source=EnrollmentSource.GROUP,
                source_ref=group.id,
                user=user,
                course=course,
            )
            created += new
    return created


# -- rules ----------------------------------------------------------------------------


_COMPARE = {
    RuleOperator.EQUALS: lambda actual, expected: actual == expected,
    RuleOperator.NOT_EQUALS: lambda actual, expected: actual != expected,
    RuleOperator.IN: lambda actual, expected: (
        actual in {part.strip() for part in expected.split(",")}
    ),
    RuleOperator.CONTAINS: lambda actual, expected: expected in actual,
    RuleOperator.STARTS_WITH: lambda actual, expected: actual.startswith(expected),
}


def rule_matches(rule: EnrollmentRule, attributes: dict[str, str]) -> bool:
    """Compare one user attribute with the rule, case-insensitively.

    A user without the attribute matches only ``not_equals``.
    """
    actual = attributes.get(rule.attribute)
    if actual is None:
        return rule.operator is RuleOperator.NOT_EQUALS
    return _COMPARE[rule.operator](
        actual.strip().casefold(), rule.value.strip().casefold()
    )


def create_rule(session: Session, *, org_id: int, data: RuleCreate) -> EnrollmentRule:
    """Create a rule and apply it to every existing user once the transaction commits."""
    course = _scoped(
        session, Course, org_id=org_id, obj_id=data.course_id, label="course"
    )
    rule = EnrollmentRule(org_id=org_id, **data.model_dump() | {"course_id": course.id})
    session.add(rule)
    session.flush()
    from hub.tasks.enrollments import apply_enrollment_rule  # noqa: PLC0415

    rule_id = rule.id
    after_commit(session, lambda: apply_enrollment_rule.delay(rule_id))
    return rule


def get_rule(session: Session, *, org_id: int, rule_id: int) -> EnrollmentRule:
    return _scoped(session, EnrollmentRule, org_id=org_id, obj_id=rule_id, label="rule")


def list_rules(session: Session, *, org_id: int) -> list[EnrollmentRule]:
    return list(
        session.scalars(
            select(EnrollmentRule)
            .where(EnrollmentRule.org_id == org_id)
            .order_by(EnrollmentRule.id)
        )
    )


def deactivate_rule(session: Session, *, org_id: int, rule_id: int) -> EnrollmentRule:
    """Stop applying a rule; enrollments it made stay."""
    rule = get_rule(session, org_id=org_id, rule_id=rule_id)
    rule.is_active = False
    session.flush()
    return rule


def _apply(session: Session, rule: EnrollmentRule, user: User) -> bool:
    """Enroll ``user`` if ``rule`` matches them; True when a new enrollment was made."""
    if not rule_matches(rule, user.attributes or {}):
        return False
    _, created = enroll(
        session,
        org_id=rule.org_id,
        user_id=user.id,
        course_id=rule.course_id,
        role=rule.role,
        source=EnrollmentSource.RULE,
        source_ref=rule.id,
        user=user,
    )
    return created


def apply_rule(session: Session, *, rule_id: int) -> int:
    """Enroll every active user the rule matches; idempotent. Returns the new count."""
    rule = session.get(EnrollmentRule, rule_id)
    course = session.get(Course, rule.course_id) if rule is not None else None
    if rule is None or not rule.is_active or course is None or course.is_archived:
        log.info("rule %s is gone, off or for an archived course; not applied", rule_id)
        return 0
    users = session.scalars(
        select(User).where(User.org_id == rule.org_id, User.is_active.is_(True))
    )
    return sum(_apply(session, rule, user) for user in users)


def apply_rules_to_user(session: Session, *, user: User) -> int:
    """Enroll a created or changed user by every active rule that matches them.

    Rules only add: a user who stops matching keeps the enrollment and its progress.
    """
    if not user.is_active:
        return 0
    rules = session.scalars(
        select(EnrollmentRule)
        .join(Course, Course.id == EnrollmentRule.course_id)
        .where(
            EnrollmentRule.org_id == user.org_id,
            EnrollmentRule.is_active.is_(True),
            Course.is_archived.is_(False),
        )
    )
    return sum(_apply(session, rule, user) for rule in rules)
