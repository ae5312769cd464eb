"""Two commits of one registration at once (two tabs): the second waits for the first,
so neither's values are lost (PostgreSQL row locks)."""

import threading
import time

import pytest

from hub import create_app
from hub.models import ScoAttempt
from hub.services import commits, registrations, runtime
from hub.services.authz import Actor
from hub.services.signin import password_version
from tests.factories import PASSWORD, make_course, make_enrollment, make_org, make_user
from tests.hub.conftest import (
    create_postgres_database,
    make_settings,
    migrate,
    postgres_base_url,
)
from tests.hub.functional.test_packages import SCORM12
from tests.hub.functional.test_player import import_demo

pytestmark = pytest.mark.skipif(
    postgres_base_url() is None,
    reason="needs PostgreSQL: set HUB_TEST_DATABASE_URL (.ci/run does)",
)


@pytest.fixture(scope="module")
def hub(tmp_path_factory, worker_id):
    """An app on a database of its own: this test commits for real, in two sessions."""
    url = create_postgres_database(f"hub_locks_{worker_id}")
    migrate(url)
    app = create_app(make_settings(tmp_path_factory.mktemp("locks"), database_url=url))
    yield app
    app.extensions["hub.db"].engine.dispose()


@pytest.fixture(scope="module")
def launched(hub):
    """A learner's registration, its first SCO launched."""
    factory = hub.extensions["hub.db"].session_factory
    with hub.app_context():
        hub.extensions["celery"].set_current()
        session = factory()
        org = make_org(session, "locks")
        package_id = import_demo(hub, session, org, SCORM12)
        course = make_course(session, org, code="LOCK", package_id=package_id)
        user = make_user(
            session,
            org,
            settings=hub.config["HUB_SETTINGS"],
            email="lock@example.com",
            password=PASSWORD,
        )
        make_enrollment(session, user, course)
        actor = Actor(org_id=org.id, role=user.role, user_id=user.id)
        registration = registrations.registration_for_launch(
            session, actor=actor, course_id=course.id
        )
        attempt_id = runtime.launch(
            session, registration=registration, activity_id="welcome", user=user
        ).attempt.id
        session.commit()
        claim = commits.SessionClaim(
            user.id, org.id, password_version(user.password_changed_at)
        )
        result = (registration.id, attempt_id, claim)
        session.close()
    return result


def _commit(session, launched, tab, changes):
    registration_id, attempt_id, claim = launched
    return commits.commit(
        session,
        claim=claim,
        registration_id=registration_id,
        attempt_id=attempt_id,
        batch=commits.Batch(1, tab, changes, False),
    )


def test_a_second_tabs_commit_waits_for_the_first_and_keeps_its_values(hub, launched):
    factory = hub.extensions["hub.db"].session_factory
    with hub.app_context():
        first = factory()
        # Tab a's commit holds the registration until its transaction ends.
        _commit(first, launched, "a", [["cmi.core.lesson_location", "page-7"]])
        done = threading.Event()
        outcome = {}

        def second_tab():
            with hub.app_context():
                second = factory()
                try:
                    outcome["b"] = _commit(
                        second, launched, "b", [["cmi.core.lesson_status", "completed"]]
                    )
                    second.commit()
                finally:
                    second.close()
                    done.set()

        thread = threading.Thread(target=second_tab)
        thread.start()
        time.sleep(0.5)
        assert not done.is_set(), "the second commit did not wait for the first"
        first.commit()
        first.close()
        assert done.wait(10)
        thread.join()
        assert outcome["b"].rollup.completion == "incomplete"  # 1 SCO of 2
        check = factory()
        state = check.get(ScoAttempt, launched[1]).state
        check.close()
        # Tab b read the state after tab a's commit: both values are there.
        assert state["cmi"]["cmi.core.lesson_location"] == "page-7"
        assert state["cmi"]["cmi.core.lesson_status"] == "completed"
        assert state["seqs"] == {"a": 1, "b": 1}
