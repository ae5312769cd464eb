"""Test data built through the services, as the application builds it (zulip's advice:
prefer service calls to raw inserts). Plain functions rather than factory_boy classes:
every object here needs service-side effects (rules, groups) that a model factory
would bypass."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from hub.config import Settings
from hub.models import (
    ApiKey,
    Course,
    CourseRole,
    Enrollment,
    Group,
    Organization,
    OrgRole,
    User,
)
from hub.schemas import CourseCreate, GroupCreate, UserCreate
from hub.services import api_keys, courses, enrollments, organizations
from hub.services.accounts import create_user

_seq = itertools.count(1)

PASSWORD = "correct horse battery staple"


def make_org(session: Session, slug: str | None = None) -> Organization:
    n = next(_seq)
    return organizations.create_organization(
        session, slug=slug or f"org-{n}", name=f"Organization {n}"
    )


def make_user(
    session: Session,
    org: Organization,
    *,
    settings: Settings,
    role: OrgRole = OrgRole.LEARNER,
    password: str | None = None,
    **fields: object,
) -> User:
    n = next(_seq)
    data = UserCreate(
        email=fields.pop("email", f"user{n}@example.com"),
        given_name=fields.pop("given_name", f"Given{n}"),
        family_name=fields.pop("family_name", f"Family{n}"),
        role=role,
        password=password,
        **fields,
    )
    return create_user(session, org_id=org.id, data=data, settings=settings)


def make_course(session: Session, org: Organization, **fields: object) -> Course:
    n = next(_seq)
    data = CourseCreate(
        code=fields.pop("code", f"C-{n}"),
        title=fields.pop("title", f"Course {n}"),
        **fields,
    )
    return courses.create_course(session, org_id=org.id, data=data)


def make_enrollment(
    session: Session, user: User, course: Course, role: CourseRole = CourseRole.LEARNER
) -> Enrollment:
    enrollment, _ = enrollments.enroll(
        session, org_id=user.org_id, user_id=user.id, course_id=course.id, role=role
    )
    return enrollment


def make_group(session: Session, org: Organization, name: str | None = None) -> Group:
    return enrollments.create_group(
        session, org_id=org.id, data=GroupCreate(name=name or f"Group {next(_seq)}")
    )


def make_api_key(session: Session, org: Organization) -> tuple[ApiKey, str]:
    new = api_keys.create_api_key(session, org_id=org.id, name=f"key {next(_seq)}")
    return new.key, new.secret
