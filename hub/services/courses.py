"""Courses: catalog entries of an organization."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

import scorm_runtime as rt
from hub.errors import ConflictError, FieldError, NotFoundError
from hub.models import Course, Package, Registration
from hub.schemas import CourseCreate, CourseUpdate, RuntimeSettings
from hub.services.pagination import Page, paginate


def get_course(session: Session, *, org_id: int, course_id: int) -> Course:
    """The course with that id in this organization; 404 for any other organization's."""
    course = session.scalar(
        select(Course).where(Course.id == course_id, Course.org_id == org_id)
    )
    if course is None:
        raise NotFoundError(f"no course {course_id}")
    return course


def _check_code_free(
    session: Session, *, org_id: int, code: str, exclude_id: int | None = None
) -> None:
    other = session.scalar(
        select(Course.id).where(
            Course.org_id == org_id, func.lower(Course.code) == code.lower()
        )
    )
    if other is not None and other != exclude_id:
        raise ConflictError(
            f"a course with code '{code}' already exists",
            fields=[FieldError("code", "already in use")],
        )


def _check_package(session: Session, *, org_id: int, package_id: int | None) -> None:
    if package_id is None:
        return
    found = session.scalar(
        select(Package.id).where(Package.id == package_id, Package.org_id == org_id)
    )
    if found is None:
        raise NotFoundError(
            f"no package {package_id}",
            fields=[FieldError("package_id", "no such package")],
        )


def _runtime_settings(settings: RuntimeSettings) -> dict[str, Any]:
    """Store only what differs from scorm_runtime's lenient defaults, plus strictness."""
    if settings.strict:
        strict = rt.CompatibilitySettings.strict_mode().to_dict()
        return strict | {"autocommit_seconds": settings.autocommit_seconds}
    return settings.model_dump(exclude={"strict"})


def create_course(session: Session, *, org_id: int, data: CourseCreate) -> Course:
    _check_code_free(session, org_id=org_id, code=data.code)
    _check_package(session, org_id=org_id, package_id=data.package_id)
    course = Course(org_id=org_id, **data.model_dump())
    course.runtime_settings = _runtime_settings(data.runtime_settings)
    session.add(course)
    session.flush()
    return course


def update_course(
    session: Session, *, org_id: int, course_id: int, data: CourseUpdate
) -> Course:
    course = get_course(session, org_id=org_id, course_id=course_id)
    # null means "leave as is", except for the attempt limit, where it means none.
    changes = {
        k: v
        for k, v in data.model_dump(exclude_unset=True).items()
        if v is not None or k == "max_attempts"
    }
    _check_package(session, org_id=org_id, package_id=changes.get("package_id"))
    if "code" in changes:
        _check_code_free(
            session, org_id=org_id, code=changes["code"], exclude_id=course.id
        )
    if data.runtime_settings is not None:
        changes["runtime_settings"] = _runtime_settings(data.runtime_settings)
    for field, value in changes.items():
        setattr(course, field, value)
    session.flush()
    return course


def archive_course(session: Session, *, org_id: int, course_id: int) -> Course:
    """Archive (never delete): enrollments and tracking data stay for reports."""
    course = get_course(session, org_id=org_id, course_id=course_id)
    course.is_archived = True
    course.is_published = False
    session.flush()
    return course


def list_courses(
    session: Session,
    *,
    org_id: int,
    cursor: str | None = None,
    limit: int = 50,
    query: str | None = None,
    include_archived: bool = False,
) -> Page[Course]:
    stmt = select(Course).where(Course.org_id == org_id)
    if not include_archived:
        stmt = stmt.where(Course.is_archived.is_(False))
    if query:
        pattern = f"%{query.strip().lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Course.title).like(pattern),
                func.lower(Course.code).like(pattern),
            )
        )
    return paginate(session, stmt, id_column=Course.id, cursor=cursor, limit=limit)


def all_courses(session: Session, *, org_id: int) -> list[Course]:
    """Every unarchived course of the organization, by title (for pickers)."""
    return list(
        session.scalars(
            select(Course)
            .where(Course.org_id == org_id, Course.is_archived.is_(False))
            .order_by(Course.title)
        )
    )


def attempts_allowed(course: Course, registration: Registration) -> int | None:
    """Attempts the learner may make on each SCO: the course's limit plus what staff
    granted the registration (None: unlimited)."""
    if course.max_attempts is None:
        return None
    return course.max_attempts + registration.extra_attempts
