import pytest

from lti import claims
from lti.roles import HubRole, map_roles

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([claims.ROLE_INSTRUCTOR], HubRole.INSTRUCTOR),
        ([claims.ROLE_LEARNER], HubRole.LEARNER),
        ([claims.ROLE_TEACHING_ASSISTANT], HubRole.INSTRUCTOR),
        ([LIS + "membership#TeachingAssistant"], HubRole.INSTRUCTOR),
        ([claims.ROLE_CONTENT_DEVELOPER], HubRole.INSTRUCTOR),
        ([claims.ROLE_ADMINISTRATOR], HubRole.INSTRUCTOR),
        ([claims.ROLE_MENTOR], HubRole.LEARNER),
        ([claims.ROLE_SYSTEM_ADMINISTRATOR], HubRole.ADMIN),
        ([claims.ROLE_SYSTEM_SYSADMIN, claims.ROLE_LEARNER], HubRole.ADMIN),
        ([claims.ROLE_INSTITUTION_ADMINISTRATOR], HubRole.ADMIN),
        ([claims.ROLE_INSTITUTION_FACULTY], HubRole.INSTRUCTOR),
        ([claims.ROLE_INSTITUTION_STUDENT], HubRole.LEARNER),
        ([claims.ROLE_INSTITUTION_INSTRUCTOR, claims.ROLE_LEARNER], HubRole.LEARNER),
        ([claims.ROLE_LEARNER, claims.ROLE_INSTRUCTOR], HubRole.INSTRUCTOR),
        (["Instructor"], HubRole.INSTRUCTOR),
        (["Learner"], HubRole.LEARNER),
        (["TeachingAssistant"], HubRole.INSTRUCTOR),
        ([LIS + "system/person#User"], HubRole.LEARNER),
        (["urn:lti:role:ims/lis/Unknown"], HubRole.LEARNER),
        ([], HubRole.LEARNER),
    ],
)
def test_map_roles_table(roles, expected):
    assert map_roles(roles) is expected


def test_map_roles_unmapped_with_no_default_returns_none():
    assert map_roles([LIS + "system/person#User"], default=None) is None
