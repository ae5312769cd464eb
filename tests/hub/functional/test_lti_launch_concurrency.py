"""Two first launches of one new learner at once (two tabs), on PostgreSQL: the second
waits for the first's user and identity, then goes on as a returning learner (no
SAVEPOINT, no error, one of each row)."""

import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from hub.models import Enrollment, LtiIdentity, Registration, User
from hub.services import lti_launch
from lti import LaunchContext, claims
from tests.factories import make_course, make_org
from tests.hub.conftest import postgres_base_url
from tests.hub.functional.test_commit_concurrency import hub  # noqa: F401 - fixture
from tests.hub.functional.test_lti_launch import CLIENT_ID, DEPLOYMENT_ID, register
from tests.hub.functional.test_packages import SCORM12
from tests.hub.functional.test_player import import_demo

pytestmark = pytest.mark.skipif(
    postgres_base_url() is None,
    reason="needs PostgreSQL: set HUB_TEST_DATABASE_URL (.ci/run does)",
)
ISSUER = "https://lms.race.example"


@pytest.fixture(scope="module")
def course_id(hub):  # noqa: F811 - the imported fixture
    """A platform and a course, committed (both launches commit for real)."""
    with hub.app_context():
        hub.extensions["celery"].set_current()
        session = hub.extensions["hub.db"].session_factory()
        org = make_org(session, "race")
        register(session, org, SimpleNamespace(url=ISSUER))
        package_id = import_demo(hub, session, org, SCORM12)
        found = make_course(session, org, code="RACE", package_id=package_id).id
        session.commit()
        session.close()
    return found


def _launch(hub, course_id, launch_id, *, commit):  # noqa: F811
    session = hub.extensions["hub.db"].session_factory()
    context = LaunchContext.from_claims(
        launch_id,
        CLIENT_ID,
        {
            "iss": ISSUER,
            "sub": "twin",
            "email": "twin@race.example",
            claims.DEPLOYMENT_ID: DEPLOYMENT_ID,
            claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_RESOURCE_LINK,
            claims.TARGET_LINK_URI: "https://hub.example/lti/launch",
            claims.ROLES: [claims.ROLE_LEARNER],
            claims.RESOURCE_LINK: {"id": "rl-race"},
            claims.CONTEXT: {"id": "ctx-race"},
            claims.CUSTOM: {lti_launch.COURSE_PARAM: str(course_id)},
        },
    )
    with hub.app_context():
        outcome = lti_launch.provision_launch(session, context=context)
        ids = (outcome.user.id, outcome.registration_id)
        if commit:
            session.commit()
            session.close()
    return ids, session


def test_lti_a_new_learners_second_tab_waits_and_takes_the_first_ones_rows(
    hub,  # noqa: F811
    course_id,
):
    first_ids, first = _launch(hub, course_id, "a", commit=False)
    with ThreadPoolExecutor(1) as pool:
        second = pool.submit(_launch, hub, course_id, "b", commit=True)
        time.sleep(0.5)
        assert not second.done(), "the second launch did not wait for the first"
        first.commit()
        first.close()
        second_ids, _ = second.result(timeout=10)
    assert second_ids == first_ids
    check = hub.extensions["hub.db"].session_factory()
    counts = [
        check.scalar(select(func.count()).select_from(model))
        for model in (User, LtiIdentity, Enrollment, Registration)
    ]
    check.close()
    assert counts == [1, 1, 1, 1]  # the second tab's user was removed
