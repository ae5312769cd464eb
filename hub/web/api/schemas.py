"""Response bodies of the REST API (inputs are the shared ``hub.schemas``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hub.models import (
    CourseRole,
    EnrollmentSource,
    EnrollmentStatus,
    OrgRole,
    ProgressStatus,
    RuleOperator,
)
from hub.schemas import UserCreate


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UserOut(_Out):
    id: int
    email: str
    given_name: str
    family_name: str
    role: OrgRole
    is_active: bool
    external_id: str | None
    attributes: dict[str, str]
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None


class CourseOut(_Out):
    id: int
    code: str
    title: str
    description: str
    is_published: bool
    is_archived: bool
    created_at: datetime
    updated_at: datetime


class EnrollmentOut(_Out):
    id: int
    user_id: int
    course_id: int
    role: CourseRole
    status: EnrollmentStatus
    source: EnrollmentSource
    progress_status: ProgressStatus
    progress_percent: int
    score: float | None
    created_at: datetime
    updated_at: datetime


class GroupOut(_Out):
    id: int
    name: str
    description: str
    created_at: datetime


class RuleOut(_Out):
    id: int
    course_id: int
    attribute: str
    operator: RuleOperator
    value: str
    role: CourseRole
    is_active: bool
    created_at: datetime


class FieldErrorOut(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    fields: list[FieldErrorOut]


class ErrorOut(BaseModel):
    """The one error format of the API."""

    error: ErrorBody


class PageOut(BaseModel):
    """A page of results; pass ``next_cursor`` as ``cursor`` for the next one."""

    data: list[Any]
    next_cursor: str | None


class BulkUsersIn(BaseModel):
    """Users to create or update (matched by external_id, else email)."""

    model_config = ConfigDict(extra="forbid")

    users: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=5000,
        description=(
            "Objects with the fields of UserIn plus an optional 'groups' list of group names"
        ),
    )
    partial: bool = Field(False, description="Write the valid rows even if others fail")


class BulkRowErrorOut(BaseModel):
    row: int
    field: str
    message: str


class BulkUsersOut(BaseModel):
    total: int
    created: int
    updated: int
    failed_rows: int
    applied: bool
    errors: list[BulkRowErrorOut]


class GroupMemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: int = Field(gt=0)


class GroupCourseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    course_id: int = Field(gt=0)


class GroupEnrollOut(BaseModel):
    created: int


UserIn = UserCreate  # documented name of the create body
