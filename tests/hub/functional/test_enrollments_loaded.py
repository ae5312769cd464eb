"""``enroll`` with the user and course the caller already loaded: the same result as
by ids, and an object of another organization (or id) is never trusted."""

import pytest

from hub.errors import NotFoundError
from hub.models import EnrollmentSource
from hub.services import enrollments
from tests.factories import make_course, make_org, make_user


def test_enroll_with_loaded_objects_matches_enroll_by_ids(session, org, settings):
    user, course = make_user(session, org, settings=settings), make_course(session, org)
    enrollment, created = enrollments.enroll(
        session,
        org_id=org.id,
        user_id=user.id,
        course_id=course.id,
        source=EnrollmentSource.LTI,
        user=user,
        course=course,
    )
    assert created and (enrollment.user_id, enrollment.course_id) == (
        user.id,
        course.id,
    )
    again, created = enrollments.enroll(
        session, org_id=org.id, user_id=user.id, course_id=course.id
    )
    assert (again, created) == (enrollment, False)


@pytest.mark.parametrize("foreign", ["user", "course"])
def test_enroll_never_trusts_a_loaded_object_of_another_org(
    session, org, settings, foreign
):
    other = make_org(session, slug="other")
    user = make_user(session, other if foreign == "user" else org, settings=settings)
    course = make_course(session, other if foreign == "course" else org)
    with pytest.raises(NotFoundError):
        enrollments.enroll(
            session,
            org_id=org.id,
            user_id=user.id,
            course_id=course.id,
            user=user,
            course=course,
        )


def test_enroll_reads_the_user_of_the_id_not_the_loaded_one(session, org, settings):
    user, course = make_user(session, org, settings=settings), make_course(session, org)
    other = make_user(session, org, settings=settings)
    enrollment, _ = enrollments.enroll(
        session,
        org_id=org.id,
        user_id=other.id,
        course_id=course.id,
        user=user,
        course=course,
    )
    assert enrollment.user_id == other.id
