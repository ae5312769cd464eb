"""Roster sync (NRPS) against the simulator's paged memberships: members become
enrolled, members who left become inactive (never deleted), an empty or failed
roster changes nothing."""

# The simulator fixtures are imported from test_lti_launch / test_lti_grades.
# ruff: noqa: F811

from sqlalchemy import select

from hub.models import (
    CourseRole,
    Enrollment,
    EnrollmentStatus,
    LtiContext,
    LtiMembership,
    MembershipStatus,
    User,
)
from hub.services import lti_roster
from lti import claims
from tests.hub.functional.test_lti_grades import admin_browser, launched  # noqa: F401
from tests.hub.functional.test_lti_launch import (  # noqa: F401 - fixtures
    course,
    platform,
    sim,
    tool,
)

MEMBERS = [
    {"user_id": "user-1", "roles": [claims.ROLE_LEARNER], "name": "Ada Lovelace"},
    {
        "user_id": "user-2",
        "roles": [claims.ROLE_LEARNER],
        "given_name": "Grace",
        "family_name": "Hopper",
        "email": "grace@example.edu",
    },
    {"user_id": "user-3", "roles": [claims.ROLE_INSTRUCTOR], "name": "Alan Turing"},
]


def _sync(session, tool, org):
    context = session.scalar(select(LtiContext))
    result = lti_roster.sync_roster(
        session, tool=tool, org_id=org.id, context_pk=context.id
    )
    session.commit()
    return result


def _enrollments(session):
    session.expire_all()
    return {
        (e.user.given_name, e.role, e.status)
        for e in session.scalars(select(Enrollment))
    }


def test_lti_roster_sync_enrolls_every_page(session, sim, tool, org, launched, course):
    sim.state.members = list(MEMBERS)  # two pages of two
    result = _sync(session, tool, org)
    assert (result.enrolled, result.deactivated, result.error) == (3, 0, "")
    assert _enrollments(session) == {
        ("Ada", CourseRole.LEARNER, EnrollmentStatus.ACTIVE),
        ("Grace", CourseRole.LEARNER, EnrollmentStatus.ACTIVE),
        ("Alan", CourseRole.INSTRUCTOR, EnrollmentStatus.ACTIVE),
    }
    assert session.scalar(select(User).where(User.given_name == "Grace")).email == (
        "grace@example.edu"
    )
    context = session.scalar(select(LtiContext))
    assert context.nrps_differences_url.endswith("since=42")
    assert context.last_synced_at is not None


def test_lti_roster_sync_deactivates_members_who_left(
    session, sim, tool, org, launched
):
    sim.state.members = list(MEMBERS)
    _sync(session, tool, org)
    sim.state.members = [MEMBERS[0], MEMBERS[2]]
    result = _sync(session, tool, org)
    assert result.deactivated == 1
    assert ("Grace", CourseRole.LEARNER, EnrollmentStatus.INACTIVE) in _enrollments(
        session
    )
    grace = session.scalar(select(User).where(User.given_name == "Grace"))
    assert grace is not None  # never deleted
    membership = session.scalar(
        select(LtiMembership).where(LtiMembership.user_id == grace.id)
    )
    assert membership.status is MembershipStatus.INACTIVE


def test_lti_empty_roster_changes_nothing(session, sim, tool, org, launched):
    sim.state.members = list(MEMBERS)
    _sync(session, tool, org)
    before = _enrollments(session)
    sim.state.members = []
    result = _sync(session, tool, org)
    assert "empty membership page" in result.error
    assert _enrollments(session) == before
    assert "empty" in session.scalar(select(LtiContext)).last_sync_error


def test_lti_failed_roster_changes_nothing(session, sim, tool, org, launched):
    sim.state.members = list(MEMBERS)
    _sync(session, tool, org)
    before = _enrollments(session)
    context = session.scalar(select(LtiContext))
    context.nrps_url = sim.url + "/contexts/ctx-1/missing"  # the platform answers 404
    session.commit()
    result = _sync(session, tool, org)
    assert "404" in result.error
    assert _enrollments(session) == before


def test_lti_sync_button_queues_the_sync(admin_browser, session, sim, launched):
    sim.state.members = list(MEMBERS)
    context = session.scalar(select(LtiContext))
    page = admin_browser.get("/admin/lti/platforms").get_data(as_text=True)
    assert "Biology" in page and "Sync roster" in page
    response = admin_browser.post(f"/admin/lti/contexts/{context.id}/sync")
    assert response.status_code == 302
    # Embedded mode: the task ran after the request's commit.
    assert len(_enrollments(session)) == 3


def test_lti_syncable_contexts_need_a_course_and_a_roster(session, launched, org):
    context = session.scalar(select(LtiContext))
    assert lti_roster.syncable_contexts(session) == [(org.id, context.id)]
    context.nrps_url = None
    session.flush()
    assert lti_roster.syncable_contexts(session) == []


def test_lti_differences_sync_only_departs_listed_members(
    session, sim, tool, org, launched
):
    sim.state.members = list(MEMBERS)
    _sync(session, tool, org)
    # The differences answer lists one member as gone; the others are unchanged even
    # though they are absent from it (NRPS §2.4).
    sim.state.members = [{**MEMBERS[1], "status": "Inactive"}]
    context = session.scalar(select(LtiContext))
    result = lti_roster.sync_roster(
        session, tool=tool, org_id=org.id, context_pk=context.id, differences=True
    )
    session.commit()
    assert (result.enrolled, result.deactivated) == (0, 1)
    assert _enrollments(session) == {
        ("Ada", CourseRole.LEARNER, EnrollmentStatus.ACTIVE),
        ("Grace", CourseRole.LEARNER, EnrollmentStatus.INACTIVE),
        ("Alan", CourseRole.INSTRUCTOR, EnrollmentStatus.ACTIVE),
    }
