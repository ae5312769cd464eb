"""The SQL a launch costs: a new learner's launch is a fixed, short list of
statements (the LTI launch benchmark's hot path), and it still makes every row a
launch needs."""

# ruff: noqa: F811

from sqlalchemy import select

from hub.models import (
    CourseRole,
    Enrollment,
    EnrollmentSource,
    LtiIdentity,
    LtiMembership,
    MembershipStatus,
    Package,
    Registration,
)
from hub.services.packages import latest_version
from tests.hub.conftest import recorded_statements
from tests.hub.functional.test_lti_launch import (  # noqa: F401 - fixtures
    course,
    custom,
    launch,
    platform,
    sim,
    tool,
)

#: A new learner's login and launch requests in a known context and link, by
#: statement and table, besides the requests' own ones (user session, savepoints).
NEW_LEARNER_LAUNCH = [
    # The login: its state (the registration was read by an earlier launch of this
    # process, lti_stores.REGISTRATIONS).
    ("INSERT", "lti_launch_data"),
    # The launch's checks.
    ("DELETE", "lti_launch_data"),  # the login's state, popped
    ("INSERT", "lti_nonces"),  # the claims are not kept: no later page reads them
    # One query: the active platform, the identity and user, context, link, course
    # and its newest version.
    ("SELECT", "lti_platforms"),
    ("INSERT", "users"),  # ON CONFLICT DO NOTHING: no SAVEPOINT
    ("INSERT", "lti_identities"),  # ON CONFLICT DO NOTHING: no SAVEPOINT
    ("INSERT", "enrollments"),
    ("INSERT", "lti_memberships"),
    ("INSERT", "registrations"),
]


def test_lti_new_learner_launch_runs_only_the_statements_it_needs(
    app, web, session, sim, tool, platform, course
):
    launch(web, sim, tool, **custom(course), sub="first")  # context and link exist
    (response, _), seen = recorded_statements(
        app, lambda: launch(web, sim, tool, **custom(course), sub="second")
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    launch_part = seen[seen.index(("INSERT", "lti_launch_data")) :]
    launch_part = [s for s in launch_part if s != ("SELECT", "users")]
    # One SAVEPOINT: the launch request's (the test's outer transaction). A new
    # learner's provisioning needs none: it checks every refusal before its first
    # write, and its rows are INSERT ... ON CONFLICT DO NOTHING.
    assert launch_part.count(("SAVEPOINT", "")) == 1
    launch_part = [s for s in launch_part if s[0] != "SAVEPOINT"]
    assert launch_part == NEW_LEARNER_LAUNCH
    identity = session.scalar(select(LtiIdentity).filter_by(subject="second"))
    registration = session.scalar(
        select(Registration).filter_by(user_id=identity.user_id)
    )
    assert response.headers["Location"] == f"/play/{registration.id}"
    assert (registration.course_id, registration.package_version_id) == (
        course.id,
        latest_version(session, package=session.get(Package, course.package_id)).id,
    )
    assert (registration.completion, registration.success) == (
        "not attempted",
        "unknown",
    )
    enrollment = session.scalar(select(Enrollment).filter_by(user_id=identity.user_id))
    assert (enrollment.course_id, enrollment.role, enrollment.source) == (
        course.id,
        CourseRole.LEARNER,
        EnrollmentSource.LTI,
    )
    membership = session.scalar(
        select(LtiMembership).filter_by(user_id=identity.user_id)
    )
    assert (membership.role, membership.status) == (
        CourseRole.LEARNER.value,
        MembershipStatus.ACTIVE,
    )


def test_lti_returning_learner_launch_keeps_the_registration(
    web, session, sim, tool, platform, course
):
    first, _ = launch(web, sim, tool, **custom(course), sub="again")
    second, _ = launch(web, sim, tool, sub="again")
    assert second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert len(session.scalars(select(Registration)).all()) == 1
