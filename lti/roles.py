"""Map LTI role URIs to hub roles (LTI 1.3 core §5.3.7 and Appendix A.2).

Context roles decide the role in the course; system and institution roles only add
``admin`` (system/institution administrators) and otherwise fall back for launches
that carry no context role. Short forms (``Instructor``) are context roles by core
§A.2.3's deprecated simple names.
"""

import enum
from collections.abc import Iterable

from lti import claims


class HubRole(enum.Enum):
    """The hub's roles, most privileged first."""

    ADMIN = "admin"
    INSTRUCTOR = "instructor"
    LEARNER = "learner"


_RANK = {HubRole.ADMIN: 0, HubRole.INSTRUCTOR: 1, HubRole.LEARNER: 2}

#: Context (membership) role names and their hub role. A sub-role
#: (``membership/Instructor#TeachingAssistant``) is looked up by its own name.
CONTEXT_ROLES: dict[str, HubRole] = {
    "Administrator": HubRole.INSTRUCTOR,  # administers the course, not the hub
    "ContentDeveloper": HubRole.INSTRUCTOR,
    "Instructor": HubRole.INSTRUCTOR,
    "TeachingAssistant": HubRole.INSTRUCTOR,
    "Grader": HubRole.INSTRUCTOR,
    "Manager": HubRole.INSTRUCTOR,
    "Learner": HubRole.LEARNER,
    "Member": HubRole.LEARNER,
    "Mentor": HubRole.LEARNER,  # observes learners; no grading rights
    "Officer": HubRole.LEARNER,
}
SYSTEM_ADMIN_ROLES = frozenset({"Administrator", "SysAdmin"})
INSTITUTION_ADMIN_ROLES = frozenset({"Administrator", "SysAdmin"})
INSTITUTION_ROLES: dict[str, HubRole] = {
    "Faculty": HubRole.INSTRUCTOR,
    "Instructor": HubRole.INSTRUCTOR,
    "Staff": HubRole.INSTRUCTOR,
    "Student": HubRole.LEARNER,
    "Learner": HubRole.LEARNER,
    "Mentor": HubRole.LEARNER,
    "Member": HubRole.LEARNER,
}


def _split(role: str) -> tuple[str, str]:
    """Return (kind, name) with kind in {"context", "system", "institution", ""}."""
    if role.startswith(claims.ROLE_SYSTEM_PREFIX):
        return "system", role[len(claims.ROLE_SYSTEM_PREFIX) :]
    if role.startswith(claims.ROLE_INSTITUTION_PREFIX):
        return "institution", role[len(claims.ROLE_INSTITUTION_PREFIX) :]
    if role.startswith(claims.ROLE_CONTEXT_PREFIX):
        return "context", role[len(claims.ROLE_CONTEXT_PREFIX) :]
    if role.startswith(claims.ROLE_CONTEXT_SUBROLE_PREFIX):
        return "context", role.rsplit("#", 1)[-1]
    if ":" not in role and "/" not in role:
        return "context", role  # core §A.2.3 simple name
    return "", role


def map_roles(
    roles: Iterable[str], *, default: HubRole | None = HubRole.LEARNER
) -> HubRole | None:
    """Return the hub role for a launch's or member's LTI roles.

    Args:
        roles: Role URIs (or simple names) from the ``roles`` claim or NRPS.
        default: The role when nothing maps (an empty roles claim is allowed by
            core §5.3.7); ``None`` lets the caller refuse such users.

    Returns:
        The most privileged hub role implied, or ``default``.
    """
    context: list[HubRole] = []
    institution: list[HubRole] = []
    for role in roles:
        kind, name = _split(role)
        if kind == "system" and name in SYSTEM_ADMIN_ROLES:
            return HubRole.ADMIN
        if kind == "institution" and name in INSTITUTION_ADMIN_ROLES:
            return HubRole.ADMIN
        if kind == "context" and name in CONTEXT_ROLES:
            context.append(CONTEXT_ROLES[name])
        elif kind == "institution" and name in INSTITUTION_ROLES:
            institution.append(INSTITUTION_ROLES[name])
    found = context or institution
    if not found:
        return default
    return min(found, key=_RANK.__getitem__)
