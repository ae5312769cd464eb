"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from hub.models.accounts import OrgRole, PasswordResetToken, User
from hub.models.api_keys import ApiKey
from hub.models.attempts import LaunchToken, Registration, RuntimeEvent, ScoAttempt
from hub.models.content import ImportJob, JobState, Package, PackageVersion
from hub.models.courses import Course
from hub.models.enrollments import (
    CourseRole,
    Enrollment,
    EnrollmentRule,
    EnrollmentSource,
    EnrollmentStatus,
    Group,
    GroupCourse,
    GroupMember,
    ProgressStatus,
    RuleOperator,
)
from hub.models.lti import (
    DeliveryState,
    LtiAccessToken,
    LtiContext,
    LtiIdentity,
    LtiLaunchData,
    LtiMembership,
    LtiNonce,
    LtiResourceLink,
    LtiScoreOutbox,
    LtiToolKey,
    MembershipStatus,
    Platform,
    PlatformOrigin,
)
from hub.models.organizations import Organization

__all__ = [
    "ApiKey",
    "Course",
    "CourseRole",
    "DeliveryState",
    "Enrollment",
    "EnrollmentRule",
    "EnrollmentSource",
    "EnrollmentStatus",
    "Group",
    "GroupCourse",
    "GroupMember",
    "ImportJob",
    "JobState",
    "LaunchToken",
    "LtiAccessToken",
    "LtiContext",
    "LtiIdentity",
    "LtiLaunchData",
    "LtiMembership",
    "LtiNonce",
    "LtiResourceLink",
    "LtiScoreOutbox",
    "LtiToolKey",
    "MembershipStatus",
    "OrgRole",
    "Organization",
    "Package",
    "PackageVersion",
    "PasswordResetToken",
    "Platform",
    "PlatformOrigin",
    "ProgressStatus",
    "Registration",
    "RuleOperator",
    "RuntimeEvent",
    "ScoAttempt",
    "User",
]
