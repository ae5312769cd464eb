"""Response bodies of the REST API (inputs are the shared ``hub.schemas``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.models import (
    CourseRole,
    EnrollmentSource,
    EnrollmentStatus,
    OrgRole,
    ProgressStatus,
    RuleOperator,
)
from hub.schemas import RowId, UserCreate


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
    package_id: int | None
    max_attempts: int | None
    grading_method: str
    launch_new_window: bool
    review_when_finished: bool
    runtime_settings: dict[str, Any]
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
    user_id: RowId


class GroupCourseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    course_id: RowId


class GroupEnrollOut(BaseModel):
    created: int


UserIn = UserCreate  # documented name of the create body


class PackageUploadForm(BaseModel):
    """The multipart form of an upload."""

    file: bytes = Field(description="The package zip")
    strict: bool = Field(False, description="Reject any schema error")
    package_id: RowId | None = Field(
        None, description="Upload a new version of this package"
    )


class JobAccepted(BaseModel):
    job_id: str
    status_url: str


class JobOut(BaseModel):
    """An import job; ``report`` is the validation report once validated."""

    id: str
    state: str
    percent: int
    message: str
    filename: str
    package_id: int | None
    version_id: int | None
    report: dict[str, Any] | None


class PackageVersionOut(_Out):
    id: int
    version: int
    standard: str
    edition: str | None
    title: str
    filename: str
    sha256: str
    file_count: int
    total_size: int
    launch_url: str
    created_at: datetime


class PackageOut(_Out):
    id: int
    title: str
    standard: str
    latest_version: int
    created_at: datetime
    updated_at: datetime


class PackageDetailOut(PackageOut):
    versions: list[PackageVersionOut]
    course_ids: list[int]
    report: dict[str, Any] | None = Field(description="The newest version's report")


class RegistrationIn(BaseModel):
    """A learner on a course: name an existing user, or describe one (found by
    external_id or email, created when unknown)."""

    model_config = ConfigDict(extra="forbid")

    course_id: RowId
    learner_id: RowId | None = None
    learner: UserCreate | None = None

    @model_validator(mode="after")
    def _one_learner(self) -> RegistrationIn:
        if (self.learner_id is None) == (self.learner is None):
            raise ValueError("give exactly one of learner_id and learner")
        return self


class RegistrationOut(_Out):
    id: int
    course_id: int
    user_id: int
    package_version_id: int
    completion: str
    success: str
    score_scaled: float | None
    score_raw: float | None
    total_cs: int
    extra_attempts: int
    last_launched_at: datetime | None
    created_at: datetime


class RegistrationReportOut(BaseModel):
    """A registration's results, with per activity every attempt and its runtime data."""

    id: int
    course_id: int
    user_id: int
    package_version_id: int
    version: int
    completion: str
    success: str
    score_scaled: float | None
    score_raw: float | None
    total_time: str
    attempts: int
    attempts_allowed: int | None = Field(
        description="Attempts the learner may make on each SCO: the course's limit "
        "plus extra_attempts (null: unlimited)"
    )
    extra_attempts: int = Field(description="Attempts granted beyond the course's")
    activities: list[dict[str, Any]]
    events: list[dict[str, Any]] = Field(
        description="The newest runtime log entries: tolerated deviations and refused "
        "values"
    )


class ExtraAttemptsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(
        ge=1, le=100, description="Attempts to allow on each SCO beyond the course's"
    )


class LaunchLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_in: int = Field(
        300, ge=30, le=3600, description="Seconds the link is valid"
    )
    activity: str | None = Field(
        None,
        min_length=1,
        max_length=255,
        description="The item identifier of the SCO to open; where the learner "
        "left off (or the first SCO) when left out",
    )
    new_attempt: bool = Field(
        False,
        description="Start a new attempt where the course would open a finished "
        "one for review (review_when_finished); the attempt rules still apply",
    )


class LaunchLinkOut(BaseModel):
    url: str
    expires_at: datetime


class GradeOut(BaseModel):
    email: str
    external_id: str
    name: str
    completion: str
    success: str
    grade: float | None
    total_time: str
    attempts: int
    registration_id: int
