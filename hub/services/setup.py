"""First-run setup: the first admin of an organization, and the demo content."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pydantic
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.db import utcnow
from hub.errors import NotFoundError, ValidationError, fields_from_pydantic
from hub.models import CourseRole, OrgRole, RuleOperator, User
from hub.schemas import CourseCreate, GroupCreate, RuleCreate, UserCreate
from hub.services import accounts, courses, enrollments, organizations, packages
from hub.services.passwords import check_policy, hash_password
from hub.services.storage import ContentStorage


def ensure_admin(
    session: Session,
    *,
    org_slug: str,
    org_name: str | None,
    email: str,
    password: str,
    settings: Settings,
) -> User:
    """Create (or promote and re-password) an admin; create the org if a name is given."""
    org = organizations.find_organization(session, org_slug)
    if org is None:
        if not org_name:
            raise NotFoundError(
                f"no organization '{org_slug}' (pass --org-name to create it)"
            )
        org = organizations.create_organization(session, slug=org_slug, name=org_name)
    try:
        data = UserCreate(email=email, role=OrgRole.ADMIN, password=password)
    except pydantic.ValidationError as exc:
        raise ValidationError(
            "the admin's details are not valid", fields=fields_from_pydantic(exc)
        ) from exc
    user = accounts.find_user_by_email(session, org_id=org.id, email=data.email)
    if user is None:
        return accounts.create_user(
            session, org_id=org.id, data=data, settings=settings
        )
    check_policy(password, min_length=settings.security.min_password_length)
    user.role, user.is_active = OrgRole.ADMIN, True
    user.password_hash, user.password_changed_at = hash_password(password), utcnow()
    session.flush()
    return user


@dataclass(frozen=True)
class DemoInfo:
    accounts: list[tuple[str, str, str]]  # (email, role, password)


_DEMO_USERS = [
    ("admin@example.com", OrgRole.ADMIN, "Ada", "Admin", {}),
    (
        "teacher@example.com",
        OrgRole.INSTRUCTOR,
        "Tim",
        "Teacher",
        {"department": "Training"},
    ),
    ("learner@example.com", OrgRole.LEARNER, "Lea", "Learner", {"department": "Sales"}),
]
_DEMO_COURSES = [
    ("WELCOME", "Welcome to Interop Hub", "A first look at the hub for new learners."),
    (
        "SALES-101",
        "Selling with Confidence",
        "Enrolled automatically for the Sales team.",
    ),
]


def load_demo(session: Session, *, settings: Settings) -> DemoInfo:
    """Create the demo organization, users, courses, a group and a rule; idempotent.

    The passwords are random on first load and kept in ``instance/demo-accounts.json``
    (readable by the owner only) so that every later ``make run`` prints them again.
    """
    org = organizations.find_organization(session, "demo") or (
        organizations.create_organization(session, slug="demo", name="Demo University")
    )
    creds_path = settings.instance_dir / "demo-accounts.json"
    saved = json.loads(creds_path.read_text()) if creds_path.is_file() else {}
    infos = []
    for email, role, given, family, attrs in _DEMO_USERS:
        password = saved.get(email) or secrets.token_urlsafe(9)
        user = accounts.find_user_by_email(session, org_id=org.id, email=email)
        if user is None:
            user = accounts.create_user(
                session,
                org_id=org.id,
                settings=settings,
                data=UserCreate(
                    email=email,
                    role=role,
                    given_name=given,
                    family_name=family,
                    attributes=attrs,
                    password=password,
                ),
            )
        elif email not in saved:
            user.password_hash, user.password_changed_at = (
                hash_password(password),
                utcnow(),
            )
        infos.append((email, role.value, password))
    _demo_catalog(session, org_id=org.id)
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    creds_path.write_text(json.dumps({e: p for e, _, p in infos}, indent=2))
    os.chmod(creds_path, 0o600)
    session.flush()
    return DemoInfo(accounts=infos)


def _demo_catalog(session: Session, *, org_id: int) -> None:
    existing = {c.code for c in courses.all_courses(session, org_id=org_id)}
    created = {}
    for code, title, description in _DEMO_COURSES:
        if code not in existing:
            created[code] = courses.create_course(
                session,
                org_id=org_id,
                data=CourseCreate(code=code, title=title, description=description),
            )
    if "WELCOME" in created:
        group = enrollments.find_group(session, org_id=org_id, name="New starters") or (
            enrollments.create_group(
                session, org_id=org_id, data=GroupCreate(name="New starters")
            )
        )
        teacher = accounts.find_user_by_email(
            session, org_id=org_id, email="teacher@example.com"
        )
        learner = accounts.find_user_by_email(
            session, org_id=org_id, email="learner@example.com"
        )
        enrollments.enroll_group(
            session, org_id=org_id, group_id=group.id, course_id=created["WELCOME"].id
        )
        enrollments.add_group_member(
            session, org_id=org_id, group_id=group.id, user_id=learner.id
        )
        enrollments.enroll(
            session,
            org_id=org_id,
            user_id=teacher.id,
            course_id=created["WELCOME"].id,
            role=CourseRole.INSTRUCTOR,
        )
    if "SALES-101" in created:
        enrollments.create_rule(
            session,
            org_id=org_id,
            data=RuleCreate(
                course_id=created["SALES-101"].id,
                attribute="department",
                operator=RuleOperator.EQUALS,
                value="Sales",
            ),
        )


DEMO_PACKAGES = Path(__file__).resolve().parent.parent / "demo" / "packages"
_DEMO_PACKAGE_COURSES = [
    ("scorm12-intro", "DEMO-SCORM12", "Getting started (SCORM 1.2)"),
    ("scorm2004-tour", "DEMO-SCORM2004", "A tour of the solar system (SCORM 2004)"),
]


def load_demo_packages(
    *, transaction: packages.Transaction, settings: Settings, storage: ContentStorage
) -> None:
    """Zip the demo packages in ``hub/demo/packages``, import them and make a course of
    each that the demo learner is enrolled in; idempotent (by course code)."""
    with transaction() as session:
        org = organizations.get_organization(session, "demo")
        org_id = org.id
        have = {c.code for c in courses.all_courses(session, org_id=org_id)}
    for folder, code, title in _DEMO_PACKAGE_COURSES:
        if code in have:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(
                shutil.make_archive(
                    str(Path(tmp) / folder), "zip", DEMO_PACKAGES / folder
                )
            )
            job_id = packages.import_file(
                archive,
                org_id=org_id,
                strict=True,
                transaction=transaction,
                storage=storage,
                settings=settings,
            )
        with transaction() as session:
            job = packages.get_job(session, org_id=org_id, job_id=job_id)
            if job.package_id is None:
                raise ValidationError(
                    f"demo package {folder} was rejected: {job.report}"
                )
            course = courses.create_course(
                session,
                org_id=org_id,
                data=CourseCreate(
                    code=code,
                    title=title,
                    package_id=job.package_id,
                    description="Demo content written for Interop Hub.",
                ),
            )
            learner = accounts.find_user_by_email(
                session, org_id=org_id, email="learner@example.com"
            )
            if learner is not None:
                enrollments.enroll(
                    session, org_id=org_id, user_id=learner.id, course_id=course.id
                )
