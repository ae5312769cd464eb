"""Validated inputs shared by the REST API, the web forms, CSV import and the CLI."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)

from hub.db import MAX_ROW_ID
from hub.models import CourseRole, EnrollmentStatus, OrgRole, RuleOperator

#: The id of a row, as a client sends it (the database holds 1..MAX_ROW_ID).
RowId = Annotated[int, Field(gt=0, le=MAX_ROW_ID)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
_ATTRIBUTE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


def _attribute_key(value: str) -> str:
    value = value.strip().lower()
    if not _ATTRIBUTE_KEY.match(value):
        raise ValueError(
            f"attribute name '{value}' must start with a letter and use only "
            "letters, digits and _ (at most 100)"
        )
    return value


AttributeKey = Annotated[str, AfterValidator(_attribute_key)]
CourseCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
    ),
]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Email(_Input):
    @field_validator("email", mode="after", check_fields=False)
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        # Addresses are matched case-insensitively; store them in one case.
        return value.lower() if value else value


class UserCreate(_Email):
    """A new user. ``password`` is optional: SSO users never get one."""

    email: EmailStr
    given_name: Name = ""
    family_name: Name = ""
    role: OrgRole = OrgRole.LEARNER
    external_id: Annotated[str, StringConstraints(max_length=200)] | None = None
    attributes: dict[
        AttributeKey, Annotated[str, StringConstraints(max_length=500)]
    ] = Field(default_factory=dict)
    password: Annotated[str, StringConstraints(max_length=1024)] | None = None
    is_active: bool = True


class UserUpdate(_Email):
    """A partial update: only the fields sent change."""

    email: EmailStr | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    role: OrgRole | None = None
    external_id: Annotated[str, StringConstraints(max_length=200)] | None = None
    attributes: (
        dict[AttributeKey, Annotated[str, StringConstraints(max_length=500)]] | None
    ) = None
    password: Annotated[str, StringConstraints(max_length=1024)] | None = None
    is_active: bool | None = None


GradingMethod = Literal["highest", "last", "first", "average"]


class RuntimeSettings(_Input):
    """How tolerant the SCORM runtime is (scorm_runtime.CompatibilitySettings)."""

    strict: bool = Field(False, description="Follow the SCORM books to the letter")
    suspend_data_limit_12: int = Field(
        64000,
        ge=4096,
        le=1_000_000,
        description=(
            "SCORM 1.2 suspend_data accepted up to this many characters when lenient"
        ),
    )
    scores_as_points_12: bool = Field(
        False,
        description=(
            "Accept SCORM 1.2 scores outside 0..100 (points out of a maximum), each "
            "one logged; the book's scores are 0..100"
        ),
    )
    autocommit_seconds: int = Field(60, ge=0, le=3600, description="0 turns it off")
    missing_finish: Literal["suspend", "finish", "abandon"] = Field(
        "suspend",
        description=(
            "A session closed without LMSFinish/Terminate: resume it later (suspend), "
            "count it as finished, or drop its time and status processing (abandon)"
        ),
    )


class CourseCreate(_Input):
    code: CourseCode
    title: Title
    description: Annotated[str, StringConstraints(max_length=10000)] = ""
    is_published: bool = True
    package_id: RowId | None = Field(None, description="The package it delivers")
    max_attempts: int | None = Field(None, ge=1, le=1000, description="None: unlimited")
    grading_method: GradingMethod = "highest"
    launch_new_window: bool = False
    review_when_finished: bool = Field(
        False,
        description=(
            "A SCO opened again after a finished attempt shows it for review "
            "(nothing recorded; the learner may start a new attempt) instead of "
            "starting a new attempt at once"
        ),
    )
    runtime_settings: RuntimeSettings = Field(default_factory=RuntimeSettings)


class CourseUpdate(_Input):
    code: CourseCode | None = None
    title: Title | None = None
    description: Annotated[str, StringConstraints(max_length=10000)] | None = None
    is_published: bool | None = None
    is_archived: bool | None = None
    package_id: RowId | None = None
    max_attempts: int | None = Field(None, ge=1, le=1000)
    grading_method: GradingMethod | None = None
    launch_new_window: bool | None = None
    review_when_finished: bool | None = None
    runtime_settings: RuntimeSettings | None = None


class EnrollmentCreate(_Input):
    user_id: RowId
    course_id: RowId
    role: CourseRole = CourseRole.LEARNER


class EnrollmentUpdate(_Input):
    role: CourseRole | None = None
    status: EnrollmentStatus | None = None


class GroupCreate(_Input):
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    description: Annotated[str, StringConstraints(max_length=1000)] = ""


class RuleCreate(_Input):
    """``attribute operator value`` enrolls matching users in ``course_id``."""

    course_id: RowId
    attribute: AttributeKey
    operator: RuleOperator = RuleOperator.EQUALS
    value: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
    ]
    role: CourseRole = CourseRole.LEARNER
