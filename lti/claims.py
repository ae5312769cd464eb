"""Every LTI 1.3 URI, scope, role and message type as a constant (LTI 1.3 core §5).

Spec: https://www.imsglobal.org/spec/lti/v1p3/ (core), https://www.imsglobal.org/spec/lti-ags/v2p0/,
https://www.imsglobal.org/spec/lti-nrps/v2p0/, https://www.imsglobal.org/spec/lti-dl/v2p0/,
https://www.imsglobal.org/spec/lti-dr/v1p0/.
"""

from typing import Final

# --- Core message claims (LTI 1.3 core §5.3, §5.4) -------------------------------
_LTI: Final = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE: Final = _LTI + "message_type"
VERSION: Final = _LTI + "version"
DEPLOYMENT_ID: Final = _LTI + "deployment_id"
TARGET_LINK_URI: Final = _LTI + "target_link_uri"
RESOURCE_LINK: Final = _LTI + "resource_link"
ROLES: Final = _LTI + "roles"
CONTEXT: Final = _LTI + "context"
TOOL_PLATFORM: Final = _LTI + "tool_platform"
ROLE_SCOPE_MENTOR: Final = _LTI + "role_scope_mentor"
LAUNCH_PRESENTATION: Final = _LTI + "launch_presentation"
LIS: Final = _LTI + "lis"
CUSTOM: Final = _LTI + "custom"
FOR_USER: Final = _LTI + "for_user"
LTI1P1: Final = _LTI + "lti1p1"

# --- Services claims ---------------------------------------------------------------
AGS_ENDPOINT: Final = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_SERVICE: Final = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

# --- Deep Linking 2.0 claims (DL §4.4, §4.5) ---------------------------------------
_DL: Final = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DL_SETTINGS: Final = _DL + "deep_linking_settings"
DL_CONTENT_ITEMS: Final = _DL + "content_items"
DL_DATA: Final = _DL + "data"
DL_MSG: Final = _DL + "msg"
DL_LOG: Final = _DL + "log"
DL_ERRORMSG: Final = _DL + "errormsg"
DL_ERRORLOG: Final = _DL + "errorlog"

# --- Message types and version (core §5.3.1, §5.3.2; DL §4.4.1, §4.5.1) -----------
LTI_VERSION: Final = "1.3.0"
MESSAGE_TYPE_RESOURCE_LINK: Final = "LtiResourceLinkRequest"
MESSAGE_TYPE_DEEP_LINKING: Final = "LtiDeepLinkingRequest"
MESSAGE_TYPE_DEEP_LINKING_RESPONSE: Final = "LtiDeepLinkingResponse"
MESSAGE_TYPE_SUBMISSION_REVIEW: Final = "LtiSubmissionReviewRequest"
MESSAGE_TYPE_DATA_PRIVACY: Final = "DataPrivacyLaunchRequest"
LAUNCH_MESSAGE_TYPES: Final = frozenset(
    {
        MESSAGE_TYPE_RESOURCE_LINK,
        MESSAGE_TYPE_DEEP_LINKING,
        MESSAGE_TYPE_SUBMISSION_REVIEW,
        MESSAGE_TYPE_DATA_PRIVACY,
    }
)
DL_CONTENT_TYPE_RESOURCE_LINK: Final = "ltiResourceLink"

# --- AGS 2.0 scopes and media types (AGS §3.1, §3.2.1, §3.3, §3.4) ------------------
_AGS_SCOPE: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPE_LINEITEM: Final = _AGS_SCOPE + "lineitem"
SCOPE_LINEITEM_READONLY: Final = _AGS_SCOPE + "lineitem.readonly"
SCOPE_RESULT_READONLY: Final = _AGS_SCOPE + "result.readonly"
SCOPE_SCORE: Final = _AGS_SCOPE + "score"
MEDIA_LINEITEM: Final = "application/vnd.ims.lis.v2.lineitem+json"
MEDIA_LINEITEM_CONTAINER: Final = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEDIA_RESULT_CONTAINER: Final = "application/vnd.ims.lis.v2.resultcontainer+json"
MEDIA_SCORE: Final = "application/vnd.ims.lis.v1.score+json"
ACTIVITY_PROGRESS_VALUES: Final = frozenset(
    {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
)
GRADING_PROGRESS_VALUES: Final = frozenset(
    {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}
)

# --- NRPS 2.0 (NRPS §2.2, §2.4) -----------------------------------------------------
SCOPE_NRPS_MEMBERSHIP_READONLY: Final = (
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
)
MEDIA_NRPS_MEMBERSHIP: Final = (
    "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
)

# --- OAuth 2 client credentials with a JWT assertion (Security §4.1; RFC 7523) ------
GRANT_TYPE_CLIENT_CREDENTIALS: Final = "client_credentials"
CLIENT_ASSERTION_TYPE_JWT_BEARER: Final = (
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

# --- Dynamic Registration 1.0 (DR §3.5, §3.6) ----------------------------------------
DR_PLATFORM_CONFIGURATION: Final = (
    "https://purl.imsglobal.org/spec/lti-platform-configuration"
)
DR_TOOL_CONFIGURATION: Final = "https://purl.imsglobal.org/spec/lti-tool-configuration"
DR_CLOSE_SUBJECT: Final = "org.imsglobal.lti.close"

# --- Client side postMessage storage (lti-cs-oidc, lti-pm-s v0.1) -------------------
PM_PUT_DATA: Final = "lti.put_data"
PM_GET_DATA: Final = "lti.get_data"

# --- Role vocabularies (core §A.2) ---------------------------------------------------
_LIS: Final = "http://purl.imsglobal.org/vocab/lis/v2/"
ROLE_SYSTEM_PREFIX: Final = _LIS + "system/person#"
ROLE_INSTITUTION_PREFIX: Final = _LIS + "institution/person#"
ROLE_CONTEXT_PREFIX: Final = _LIS + "membership#"
ROLE_CONTEXT_SUBROLE_PREFIX: Final = _LIS + "membership/"
ROLE_INSTRUCTOR: Final = ROLE_CONTEXT_PREFIX + "Instructor"
ROLE_LEARNER: Final = ROLE_CONTEXT_PREFIX + "Learner"
ROLE_CONTENT_DEVELOPER: Final = ROLE_CONTEXT_PREFIX + "ContentDeveloper"
ROLE_ADMINISTRATOR: Final = ROLE_CONTEXT_PREFIX + "Administrator"
ROLE_MENTOR: Final = ROLE_CONTEXT_PREFIX + "Mentor"
ROLE_TEACHING_ASSISTANT: Final = (
    ROLE_CONTEXT_SUBROLE_PREFIX + "Instructor#TeachingAssistant"
)
ROLE_SYSTEM_ADMINISTRATOR: Final = ROLE_SYSTEM_PREFIX + "Administrator"
ROLE_SYSTEM_SYSADMIN: Final = ROLE_SYSTEM_PREFIX + "SysAdmin"
ROLE_INSTITUTION_ADMINISTRATOR: Final = ROLE_INSTITUTION_PREFIX + "Administrator"
ROLE_INSTITUTION_INSTRUCTOR: Final = ROLE_INSTITUTION_PREFIX + "Instructor"
ROLE_INSTITUTION_FACULTY: Final = ROLE_INSTITUTION_PREFIX + "Faculty"
ROLE_INSTITUTION_STUDENT: Final = ROLE_INSTITUTION_PREFIX + "Student"
ROLE_INSTITUTION_LEARNER: Final = ROLE_INSTITUTION_PREFIX + "Learner"
ROLE_INSTITUTION_MENTOR: Final = ROLE_INSTITUTION_PREFIX + "Mentor"

# --- Context types (core §A.1) -------------------------------------------------------
CONTEXT_TYPE_COURSE_OFFERING: Final = (
    "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"
)
CONTEXT_TYPE_COURSE_SECTION: Final = (
    "http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"
)
