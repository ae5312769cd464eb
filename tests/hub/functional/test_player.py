"""The player's server side: launch, commits re-validated and idempotent, resume and
new attempts by the standard's rules, rollup to the registration and the enrollment."""

import io
import shutil

import pytest
from sqlalchemy import func, select

from hub.models import (
    Course,
    CourseRole,
    Enrollment,
    EnrollmentStatus,
    ImportJob,
    JobState,
    OrgRole,
    ProgressStatus,
    Registration,
    RuntimeEvent,
    ScoAttempt,
)
from hub.services import commits, packages
from tests.factories import PASSWORD, make_course, make_enrollment, make_user
from tests.hub.browser.conformance_kit import Sco, Script, scorm2004_package
from tests.hub.conftest import WebClient, recorded_statements, start_player
from tests.hub.functional.test_packages import DEMO, SCORM12, SCORM2004, zip_folder


def import_demo(app, session, org, data):
    job = packages.start_import(
        session,
        org_id=org.id,
        stream=io.BytesIO(data),
        filename="p.zip",
        strict=False,
        storage=app.extensions["hub.storage"],
    )
    session.commit()  # the import runs in-process after the commit
    session.expire_all()
    return session.get(ImportJob, job.id).package_id


@pytest.fixture
def course12(app, session, org):
    package_id = import_demo(app, session, org, SCORM12)
    return make_course(session, org, code="INTRO", package_id=package_id)


@pytest.fixture
def learner(web, session, org, settings, course12):
    user = make_user(
        session,
        org,
        settings=settings,
        email="lea@example.com",
        password=PASSWORD,
        given_name="Lea",
        family_name="Learner",
    )
    make_enrollment(session, user, course12)
    session.commit()
    web.login("lea@example.com", PASSWORD)
    return user


def open_player(web, course, activity=None, leftovers=None):
    response = web.get(f"/courses/{course.id}/play")
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.headers["Location"] + (f"?activity={activity}" if activity else "")
    started = start_player(web.client, url, leftovers=leftovers)
    assert started.status_code == 200, started.get_data(as_text=True)
    return started.json["config"]


def send(web, config, changes, seq, *, terminate=False, key=None, tab="t1"):
    return web.client.post(
        config["commitUrl"],
        json={
            "key": key or config["commitKey"],
            "seq": seq,
            "tab": tab,
            "changes": changes,
            "terminate": terminate,
        },
    )


def test_first_launch_creates_registration_and_attempt(web, learner, course12, session):
    config = open_player(web, course12)
    assert config["definitions"]["version"] == "1.2"
    assert config["state"]["cmi"]["cmi.core.student_name"] == "Learner, Lea"
    assert config["state"]["cmi"]["cmi.core.entry"] == "ab-initio"
    assert config["contentUrl"].startswith("/content/")
    registration = session.scalar(select(Registration))
    assert registration.course_id == course12.id and registration.user_id == learner.id


def test_commit_is_stored_idempotent_and_rolled_up(web, learner, course12, session):
    config = open_player(web, course12)
    changes = [
        ["cmi.core.lesson_status", "completed"],
        ["cmi.core.score.raw", "80"],
        ["cmi.core.session_time", "00:01:30"],
    ]
    response = send(web, config, changes, 1, terminate=True)
    assert response.status_code == 200 and response.json["errors"] == []
    again = send(web, config, [["cmi.core.lesson_status", "failed"]], 1)
    assert again.json["duplicate"] is True
    session.expire_all()
    attempt = session.scalar(select(ScoAttempt))
    assert attempt.completion == "completed" and attempt.score_raw == 80
    assert attempt.state["cmi"]["cmi.core.total_time"] == "0000:01:30.00"
    enrollment = session.scalar(
        select(Enrollment).where(Enrollment.user_id == learner.id)
    )
    assert enrollment.progress_status is ProgressStatus.IN_PROGRESS  # 1 of 2 SCOs
    assert enrollment.progress_percent == 50


def test_refused_values_are_reported_and_logged_never_stored(
    web, learner, course12, session
):
    config = open_player(web, course12)
    response = send(
        web,
        config,
        [
            ["cmi.core.lesson_status", "excellent"],
            ["cmi.core.student_name", "Mallory"],
            ["cmi.core.lesson_location", "page-2"],
        ],
        1,
    )
    codes = [e["code"] for e in response.json["errors"]]
    # RTE 1.2 §3.3.2 error codes: 405 incorrect data type, 403 element is read only.
    assert codes == [405, 403]
    session.expire_all()
    attempt = session.scalar(select(ScoAttempt))
    assert attempt.state["cmi"]["cmi.core.lesson_location"] == "page-2"
    assert attempt.state["cmi"]["cmi.core.student_name"] == "Learner, Lea"
    assert session.scalars(select(RuntimeEvent.kind)).all() == ["refused_value"] * 2


def test_suspend_resumes_and_completion_starts_a_new_attempt(
    web, learner, course12, session
):
    config = open_player(web, course12)
    send(
        web,
        config,
        [
            ["cmi.core.lesson_location", "p3"],
            ["cmi.suspend_data", "x=1"],
            ["cmi.core.exit", "suspend"],
        ],
        1,
        terminate=True,
    )
    resumed = open_player(web, course12, activity=config["current"])
    assert resumed["commitUrl"] == config["commitUrl"]  # the same attempt
    registration = session.scalar(select(Registration))
    from hub.services.reports import registration_report

    attempt = registration_report(session, registration=registration)["activities"][0][
        "attempts"
    ][0]
    assert attempt["location"] == "p3" and attempt["suspend_data"] == "x=1"
    assert attempt["entry"] == "resume"
    assert resumed["state"]["cmi"]["cmi.core.entry"] == "resume"
    assert resumed["state"]["cmi"]["cmi.suspend_data"] == "x=1"
    send(
        web,
        resumed,
        [["cmi.core.lesson_status", "completed"]],
        1,
        terminate=True,
        tab="t2",
    )  # a new page load is a new tab
    fresh = open_player(web, course12, activity=config["current"])
    assert fresh["commitUrl"] != config["commitUrl"]
    # RTE 1.2 §3.4.4 (cmi.core.exit): only a suspend resumes; after any other exit
    # the SCO is entered again with entry "", on a new attempt.
    assert fresh["state"]["cmi"]["cmi.core.entry"] == ""
    numbers = session.scalars(
        select(ScoAttempt.number).order_by(ScoAttempt.number)
    ).all()
    assert numbers == [1, 2]


def test_past_the_attempt_limit_the_last_attempt_opens_for_review(
    web, learner, course12, session
):
    course = session.get(Course, course12.id)
    course.max_attempts = 1
    session.commit()
    config = open_player(web, course12)
    changes = [
        ["cmi.core.lesson_location", "p9"],
        ["cmi.core.score.raw", "85"],
        ["cmi.core.lesson_status", "passed"],
    ]
    assert send(web, config, changes, 1, terminate=True).status_code == 200
    session.expire_all()
    stored = session.scalar(select(ScoAttempt))
    before = (dict(stored.state), stored.updated_at)
    registration = session.scalar(select(Registration))
    rolled_up = (registration.completion, registration.success, registration.score_raw)

    review = open_player(web, course12, activity=config["current"])
    # RTE 1.2 §3.4.4 cmi.core.lesson_mode "review" and credit "no-credit"; the
    # attempt's data as recorded; no way to store anything.
    cmi = review["state"]["cmi"]
    assert review["review"] is True
    assert (cmi["cmi.core.lesson_mode"], cmi["cmi.core.credit"]) == (
        "review",
        "no-credit",
    )
    assert cmi["cmi.core.entry"] == ""
    assert (cmi["cmi.core.lesson_status"], cmi["cmi.core.score.raw"]) == (
        "passed",
        "85",
    )
    assert cmi["cmi.core.lesson_location"] == "p9"
    assert review["commitUrl"] is None and review["commitKey"] is None

    session.expire_all()
    (attempt,) = session.scalars(select(ScoAttempt)).all()
    assert (attempt.state, attempt.updated_at) == before
    registration = session.scalar(select(Registration))
    assert (registration.completion, registration.success, registration.score_raw) == (
        rolled_up
    )
    # The first page's key still names the attempt, whose session has ended.
    late = send(web, config, [["cmi.core.lesson_status", "failed"]], 2)
    assert late.status_code == 200
    session.expire_all()
    assert session.scalar(select(ScoAttempt)).state["cmi"] == before[0]["cmi"]


def test_a_course_can_open_finished_scos_for_review(web, learner, course12, session):
    """With review_when_finished, a finished attempt opens for review (nothing
    recorded) with a way to a new attempt; an unfinished one that exited normally
    still starts a new attempt (RTE 1.2 §3.4.4)."""
    course = session.get(Course, course12.id)
    course.review_when_finished, course.max_attempts = True, 2
    session.commit()
    config = open_player(web, course12)
    sco = config["current"]
    finished = [["cmi.core.lesson_status", "passed"], ["cmi.core.score.raw", "90"]]
    assert send(web, config, finished, 1, terminate=True).status_code == 200

    review = open_player(web, course12, activity=sco)
    assert review["review"] is True and review["commitUrl"] is None
    assert review["state"]["cmi"]["cmi.core.lesson_mode"] == "review"
    assert review["notice"].startswith("You have finished")
    assert "new_attempt=1" in review["newAttemptUrl"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ScoAttempt)) == 1

    # The learner asks for a new attempt: RTE 1.2 §3.4.4, entry "" and the last
    # attempt's status carried over.
    started = start_player(web.client, review["newAttemptUrl"])
    assert started.status_code == 200
    fresh = started.json["config"]
    assert fresh["review"] is False and fresh["commitUrl"]
    assert fresh["state"]["cmi"]["cmi.core.entry"] == ""
    assert fresh["state"]["cmi"]["cmi.core.lesson_mode"] == "normal"
    session.expire_all()
    assert session.scalars(
        select(ScoAttempt.number).order_by(ScoAttempt.number)
    ).all() == [1, 2]

    # Attempt 2 ends incomplete with a normal exit: not finished, but the limit
    # (2) is reached, so it opens for review with no way to a new attempt.
    unfinished = [["cmi.core.lesson_status", "incomplete"]]
    assert send(web, fresh, unfinished, 1, terminate=True).status_code == 200
    last = open_player(web, course12, activity=sco)
    assert last["review"] is True and "newAttemptUrl" not in last
    assert last["notice"].startswith("You have used all the attempts")


def assert_relaunch_starts_attempt_2(web, course, config, session) -> None:
    """Opening the SCO of ``config`` again starts a second attempt, not a review."""
    again = open_player(web, course, activity=config["current"])
    assert again["review"] is False and again["commitUrl"] != config["commitUrl"]
    session.expire_all()
    assert session.scalars(
        select(ScoAttempt.number).order_by(ScoAttempt.number)
    ).all() == [1, 2]


def test_an_unfinished_attempt_starts_a_new_one_even_when_the_course_reviews(
    web, learner, course12, session
):
    course = session.get(Course, course12.id)
    course.review_when_finished = True
    session.commit()
    config = open_player(web, course12)
    unfinished = [["cmi.core.lesson_status", "incomplete"]]
    assert send(web, config, unfinished, 1, terminate=True).status_code == 200
    assert_relaunch_starts_attempt_2(web, course12, config, session)


def test_review_launch_stores_the_session_it_closes(web, learner, course12, session):
    """A session left running (no LMSFinish) is closed by the course's settings
    when the next launch comes, also when that launch is a review."""
    course = session.get(Course, course12.id)
    course.max_attempts = 1
    course.runtime_settings = {"missing_finish": "finish"}
    session.commit()
    config = open_player(web, course12)
    changes = [
        ["cmi.core.lesson_status", "completed"],
        ["cmi.core.session_time", "00:05:00"],
    ]
    assert send(web, config, changes, 1).status_code == 200  # no LMSFinish

    review = open_player(web, course12, activity=config["current"])
    assert review["review"] is True
    session.expire_all()
    attempt = session.scalar(select(ScoAttempt))
    assert attempt.state["phase"] == "terminated"
    assert attempt.state["cmi"]["cmi.core.total_time"] == "0000:05:00.00"
    assert review["state"]["cmi"]["cmi.core.total_time"] == "0000:05:00.00"
    kinds = session.scalars(select(RuntimeEvent.kind)).all()
    assert "missing-finish" in kinds


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"seq": 1}, 422),
        ({"key": "k", "seq": 0}, 422),
        ({"key": "k", "changes": []}, 422),  # no seq
        ({"key": "k", "seq": 2, "batches": [{"seq": 3}]}, 422),  # both forms
        ({"key": "k", "batches": [{"seq": 0}]}, 422),
        ({"key": "k", "seq": 1, "changes": [["a"]]}, 422),
        ({"key": "k", "seq": 1, "changes": "nope"}, 422),
        ({"key": "wrong", "seq": 1, "changes": []}, 401),
    ],
)
def test_bad_commits_are_refused_with_clear_errors(
    web, learner, course12, session, payload, status
):
    config = open_player(web, course12)
    response = web.client.post(config["commitUrl"], json=payload)
    assert response.status_code == status
    assert response.json["error"]["message"]
    session.expire_all()
    assert session.scalar(select(ScoAttempt)).state["seqs"] == {}


def test_non_json_commit_is_400(web, learner, course12):
    config = open_player(web, course12)
    response = web.client.post(
        config["commitUrl"], data="junk", content_type="text/plain"
    )
    assert response.status_code == 400


def test_player_requires_enrollment_and_content(web, session, org, settings, course12):
    make_user(session, org, settings=settings, email="x@example.com", password=PASSWORD)
    empty = make_course(session, org, code="EMPTY")
    session.commit()
    web.login("x@example.com", PASSWORD)
    assert web.get(f"/courses/{course12.id}/play").status_code == 403
    assert web.get("/courses/999999/play").status_code == 404
    from hub.models import User

    me = session.scalar(select(User).where(User.email == "x@example.com"))
    make_enrollment(session, me, empty)
    session.commit()
    response = web.get(f"/courses/{empty.id}/play")
    assert response.status_code == 409
    assert "has no content yet" in response.get_data(as_text=True)


def test_another_learners_registration_is_not_playable(
    web, learner, course12, session, org, settings, app
):
    config = open_player(web, course12)
    from tests.hub.conftest import WebClient

    eve_id = make_user(
        session, org, settings=settings, email="eve@example.com", password=PASSWORD
    ).id
    session.commit()
    eve = WebClient(app.test_client())
    eve.login("eve@example.com", PASSWORD)
    registration = session.scalar(select(Registration))
    assert eve.get(f"/play/{registration.id}").status_code == 404
    # Lea's page's key is bound to Lea: Eve's session cannot use it ...
    response = eve.client.post(
        config["commitUrl"], json={"key": config["commitKey"], "seq": 1, "changes": []}
    )
    assert response.status_code == 401
    # ... and the key Eve would hold for that attempt finds no attempt of hers.
    attempt_id = int(config["commitUrl"].split("/")[-2])
    eve_key = commits.commit_key(app.config["SECRET_KEY"], attempt_id, eve_id)
    response = eve.client.post(
        config["commitUrl"], json={"key": eve_key, "seq": 1, "changes": []}
    )
    assert response.status_code == 404


def tour_course_signed_in(web, session, org, settings, package_id):
    """A course on ``package_id``; a learner enrolled in it is signed in on ``web``."""
    course = make_course(session, org, code="TOUR", package_id=package_id)
    user = make_user(
        session, org, settings=settings, email="t@example.com", password=PASSWORD
    )
    make_enrollment(session, user, course)
    session.commit()
    web.login("t@example.com", PASSWORD)
    return course


def test_scorm2004_launch_carries_completion_threshold_and_nav_requests(
    web, session, org, settings, app
):
    package_id = import_demo(app, session, org, SCORM2004)
    course = tour_course_signed_in(web, session, org, settings, package_id)
    config = open_player(web, course)
    assert config["definitions"]["version"] == "2004-4th"
    assert float(config["state"]["cmi"]["cmi.completion_threshold"]) == 1
    assert config["order"] == ["sun-lesson", "planets", "check"]
    response = send(
        web,
        config,
        [["cmi.progress_measure", "1"], ["adl.nav.request", "continue"]],
        1,
        terminate=True,
    )
    assert response.json["errors"] == []
    session.expire_all()
    attempt = session.scalar(select(ScoAttempt))
    assert attempt.completion == "completed"  # evaluated from the threshold


# -- the registrations API, launch links and grades ------------------------------------


@pytest.fixture
def key(session, org):
    from tests.factories import make_api_key

    _, secret = make_api_key(session, org)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_registration_launch_link_and_results(api, key, session, course12, app):
    response = api.post(
        "/api/v1/registrations",
        headers=key,
        json={
            "course_id": course12.id,
            "learner": {
                "email": "new@example.com",
                "given_name": "Nia",
                "external_id": "S1",
            },
        },
    )
    assert response.status_code == 201, response.json
    registration = response.json
    again = api.post(
        "/api/v1/registrations",
        headers=key,
        json={"course_id": course12.id, "learner": {"email": "new@example.com"}},
    )
    assert again.status_code == 200 and again.json["id"] == registration["id"]
    link = api.post(
        f"/api/v1/registrations/{registration['id']}/launch-link",
        headers=key,
        json={"expires_in": 120},
    )
    assert link.status_code == 201
    path = link.json["url"].split("://", 1)[1].split("/", 1)[1]
    browser = app.test_client()
    opened = browser.get(f"/{path}")
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/play/{registration['id']}"
    started = start_player(browser, opened.headers["Location"])
    assert started.status_code == 200, started.get_data(as_text=True)
    assert app.test_client().get(f"/{path}").status_code == 404  # used once
    config = started.json["config"]
    browser.post(
        config["commitUrl"],
        json={
            "key": config["commitKey"],
            "seq": 1,
            "terminate": True,
            "changes": [
                ["cmi.core.lesson_status", "passed"],
                ["cmi.core.score.raw", "90"],
                ["cmi.interactions.0.id", "q1"],
                ["cmi.interactions.0.type", "choice"],
                ["cmi.interactions.0.student_response", "b"],
                ["cmi.interactions.0.result", "correct"],
            ],
        },
    )
    report = api.get(f"/api/v1/registrations/{registration['id']}", headers=key).json
    first = report["activities"][0]
    assert first["attempts"][0]["success"] == "passed"
    assert first["attempts"][0]["interactions"][0]["id"] == "q1"
    assert report["attempts"] == 1 and report["total_time"].startswith("PT")
    assert report["events"] == []  # nothing refused, nothing tolerated
    assert first["attempts"][0]["session"] == "terminated"
    assert {"location", "suspend_data", "entry", "exit"} <= set(first["attempts"][0])
    grades = api.get(f"/api/v1/courses/{course12.id}/grades", headers=key).json["data"]
    assert grades[0]["email"] == "new@example.com" and grades[0]["grade"] == 90.0
    csv_text = api.get(
        f"/api/v1/courses/{course12.id}/grades?format=csv", headers=key
    ).get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("email,external_id,name")
    assert "new@example.com,S1" in csv_text


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"course_id": 1}, "body"),
        (
            {"course_id": 1, "learner_id": 1, "learner": {"email": "a@example.com"}},
            "body",
        ),
        ({"learner_id": 1}, "course_id"),
    ],
)
def test_api_registration_validation(api, key, payload, field):
    response = api.post("/api/v1/registrations", headers=key, json=payload)
    assert response.status_code == 422
    assert response.json["error"]["fields"][0]["field"] == field


def test_launch_link_expired_or_forged_is_404(api, key, session, course12):
    from datetime import timedelta

    from hub.models import LaunchToken

    registration = api.post(
        "/api/v1/registrations",
        headers=key,
        json={"course_id": course12.id, "learner": {"email": "n@example.com"}},
    ).json
    link = api.post(
        f"/api/v1/registrations/{registration['id']}/launch-link", headers=key
    ).json
    token = session.scalar(select(LaunchToken))
    token.expires_at = token.created_at - timedelta(seconds=1)
    session.commit()
    path = link["url"].split("://", 1)[1].split("/", 1)[1]
    assert api.get(f"/{path}").status_code == 404
    assert api.get("/launch/forged-token").status_code == 404


def test_launch_links_open_a_chosen_sco_and_may_start_a_new_attempt(
    api, key, session, course12, app
):
    from hub.models import LaunchToken

    course = session.get(Course, course12.id)
    course.review_when_finished = True
    session.commit()
    registration_id = api.post(
        "/api/v1/registrations",
        headers=key,
        json={"course_id": course12.id, "learner": {"email": "n@example.com"}},
    ).json["id"]

    def follow(**body):
        """Ask for a link, open it in a fresh browser: (browser, where it leads)."""
        link = api.post(
            f"/api/v1/registrations/{registration_id}/launch-link",
            headers=key,
            json=body,
        )
        assert link.status_code == 201, link.json
        browser = app.test_client()
        opened = browser.get("/" + link.json["url"].split("://", 1)[1].split("/", 1)[1])
        assert opened.status_code == 302
        return browser, opened.headers["Location"]

    browser, location = follow(activity="welcome")
    assert location == f"/play/{registration_id}?activity=welcome"
    config = start_player(browser, location).json["config"]
    assert config["current"] == "welcome" and config["review"] is False
    finished = [["cmi.core.lesson_status", "completed"]]
    sent = send(WebClient(browser), config, finished, 1, terminate=True)
    assert sent.status_code == 200

    browser, location = follow(activity="welcome")  # finished: opens for review
    assert start_player(browser, location).json["config"]["review"] is True
    browser, location = follow(activity="welcome", new_attempt=True)
    assert location == f"/play/{registration_id}?activity=welcome&new_attempt=1"
    config = start_player(browser, location).json["config"]
    assert config["review"] is False and config["commitUrl"]
    session.expire_all()
    assert session.scalars(
        select(ScoAttempt.number).order_by(ScoAttempt.number)
    ).all() == [1, 2]
    assert session.scalar(select(func.count()).select_from(LaunchToken)) == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"activity": "nowhere"}, "activity"),
        ({"activity": ""}, "activity"),
        ({"activity": "x" * 256}, "activity"),
        ({"new_attempt": "sometimes"}, "new_attempt"),
        ({"expires_in": 5}, "expires_in"),
        ({"activity": "welcome", "scope": "all"}, "scope"),
    ],
)
def test_launch_link_refuses_a_bad_request_and_stores_nothing(
    api, key, session, course12, body, field
):
    from hub.models import LaunchToken

    registration_id = api.post(
        "/api/v1/registrations",
        headers=key,
        json={"course_id": course12.id, "learner": {"email": "n@example.com"}},
    ).json["id"]
    response = api.post(
        f"/api/v1/registrations/{registration_id}/launch-link", headers=key, json=body
    )
    assert response.status_code == 422, response.json
    assert [f["field"] for f in response.json["error"]["fields"]] == [field]
    assert session.scalar(select(func.count()).select_from(LaunchToken)) == 0


def test_grades_csv_neutralizes_formulas(admin_web, session, org, settings, course12):
    from hub.services import registrations

    user = make_user(
        session,
        org,
        settings=settings,
        email="f@example.com",
        given_name="=HYPERLINK(1)",
    )
    registrations.register_learner(
        session, org_id=org.id, user_id=user.id, course_id=course12.id
    )
    session.commit()
    response = admin_web.get(f"/admin/courses/{course12.id}/grades.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in response.get_data(as_text=True)


def test_registration_page_shows_results_to_the_right_people(
    web, learner, course12, session, org, settings, app
):
    from hub.models import CourseRole, OrgRole
    from tests.hub.conftest import WebClient

    config = open_player(web, course12)
    send(
        web,
        config,
        [
            ["cmi.core.lesson_status", "failed"],
            ["cmi.core.score.raw", "40"],
            ["cmi.interactions.0.id", "q-sun"],
            ["cmi.interactions.0.result", "wrong"],
        ],
        1,
        terminate=True,
    )
    registration = session.scalar(select(Registration))
    url = f"/registrations/{registration.id}"
    page = web.get(url).get_data(as_text=True)
    assert "q-sun" in page and "failed" in page and "Attempt 1" in page
    assert "results" in web.get("/dashboard").get_data(as_text=True)

    teacher = make_user(
        session,
        org,
        settings=settings,
        email="teach@example.com",
        role=OrgRole.INSTRUCTOR,
        password=PASSWORD,
    )
    other = make_user(
        session,
        org,
        settings=settings,
        email="other@example.com",
        role=OrgRole.INSTRUCTOR,
        password=PASSWORD,
    )
    make_enrollment(session, teacher, course12, role=CourseRole.INSTRUCTOR)
    peer = make_user(
        session, org, settings=settings, email="peer@example.com", password=PASSWORD
    )
    make_enrollment(session, peer, course12)
    session.commit()
    for email, status in (
        ("teach@example.com", 200),
        ("other@example.com", 404),
        ("peer@example.com", 404),
    ):
        client = WebClient(app.test_client())
        client.login(email, PASSWORD)
        assert client.get(url).status_code == status, email
    client = WebClient(app.test_client())
    client.login("teach@example.com", PASSWORD)
    roster = client.get(f"/teaching/courses/{course12.id}").get_data(as_text=True)
    assert url in roster
    assert other.id and peer.id


def test_late_batches_of_a_closed_tab_never_touch_the_resumed_session(
    web, learner, course12, session
):
    config = open_player(web, course12)
    send(web, config, [["cmi.core.lesson_location", "p2"]], 1, tab="old")
    # The tab closes; the learner opens the course again before its last batch lands.
    resumed = open_player(web, course12, activity=config["current"])
    assert resumed["commitUrl"] == config["commitUrl"]
    send(web, resumed, [["cmi.core.lesson_location", "p3"]], 1, tab="new")
    late = send(
        web,
        config,
        [["cmi.core.lesson_location", "p2-late"], ["cmi.core.exit", "suspend"]],
        2,
        tab="old",
        terminate=True,
    )
    assert late.status_code == 200 and late.json["duplicate"] is True
    send(web, resumed, [["cmi.core.lesson_status", "completed"]], 2, tab="new")
    session.expire_all()
    attempt = session.scalar(select(ScoAttempt))
    assert attempt.state["phase"] == "running"
    assert attempt.state["cmi"]["cmi.core.lesson_location"] == "p3"
    assert attempt.completion == "completed"
    kinds = session.scalars(select(RuntimeEvent.kind)).all()
    assert "stale_batch" in kinds


def test_a_commit_that_leaves_the_result_as_it_was_is_one_read_and_one_write(
    app, web, learner, course12, session
):
    config = open_player(web, course12)
    response, statements = recorded_statements(
        app,
        lambda: send(
            web,
            config,
            [["cmi.core.lesson_location", "p2"], ["cmi.suspend_data", "x"]],
            1,
        ),
    )
    assert response.status_code == 200
    # Besides the SAVEPOINT of the test's outer transaction:
    run = [s for s in statements if s[0] != "SAVEPOINT"]
    assert run == [("SELECT", "sco_attempts"), ("UPDATE", "sco_attempts")]
    # A result that changes rolls up to the registration and the enrollment.
    response, statements = recorded_statements(
        app,
        lambda: send(web, config, [["cmi.core.lesson_status", "completed"]], 2),
    )
    # One of the course's two SCOs is completed: the registration is in progress.
    assert response.json["registration"]["completion"] == "incomplete"
    assert ("UPDATE", "registrations") in statements
    assert ("UPDATE", "enrollments") in statements
    session.expire_all()
    enrollment = session.scalar(
        select(Enrollment).where(Enrollment.user_id == learner.id)
    )
    assert enrollment.progress_percent == 50


def _progress(session, user):
    session.expire_all()
    return session.scalar(
        select(Enrollment.progress_percent).where(Enrollment.user_id == user.id)
    )


def test_a_new_attempt_rolls_up_at_its_launch(web, session, org, settings, app):
    package_id = import_demo(app, session, org, SCORM2004)
    course = tour_course_signed_in(web, session, org, settings, package_id)
    user = session.scalar(select(Enrollment)).user
    config = open_player(web, course)
    send(web, config, [["cmi.progress_measure", "1"]], 1, terminate=True)
    assert _progress(session, user) == 33
    again = open_player(web, course, activity=config["current"])
    assert again["commitUrl"] != config["commitUrl"]  # a new attempt
    # The SCO's latest attempt is the new one, not completed (a SCORM 2004 attempt
    # starts afresh): the rollup says so from the launch on, not only from a commit
    # that changes the new attempt's result (commits that leave it do not roll up).
    assert _progress(session, user) == 0
    send(web, again, [["cmi.location", "p1"]], 1)
    assert _progress(session, user) == 0


def test_a_scorm12_sco_opened_again_after_completion_stays_completed(
    web, learner, course12, session
):
    config = open_player(web, course12)
    send(web, config, [["cmi.core.lesson_status", "completed"]], 1, terminate=True)
    assert _progress(session, learner) == 50
    again = open_player(web, course12, activity=config["current"])
    assert again["commitUrl"] != config["commitUrl"]  # a new attempt, history kept
    # RTE 1.2 §3.4.4: an additional attempt starts from the last one's status.
    assert again["state"]["cmi"]["cmi.core.lesson_status"] == "completed"
    assert _progress(session, learner) == 50


def _attempt_id(config):
    return int(config["commitUrl"].split("/attempts/")[1].split("/")[0])


def test_batches_a_closed_page_left_queued_are_stored_before_the_launch(
    web, learner, course12, session
):
    config = open_player(web, course12)
    send(web, config, [["cmi.core.lesson_location", "p1"]], 1, tab="old")
    # The page closed offline: its last batches stayed in the device's queue. The
    # next page hands them over before the launch decides (exit suspend: resume).
    queued = {
        "attempt_id": _attempt_id(config),
        "batches": [
            {
                "seq": 2,
                "tab": "old",
                "changes": [
                    ["cmi.core.lesson_location", "p2"],
                    ["cmi.suspend_data", "page=2"],
                    ["cmi.core.exit", "suspend"],
                ],
            },
            {"seq": 3, "tab": "old", "changes": [], "terminate": True},
        ],
    }
    page = web.get(f"/courses/{course12.id}/play").headers["Location"]
    started = start_player(web.client, page, leftovers=[queued])
    assert started.status_code == 200, started.get_data(as_text=True)
    assert started.json["delivered"] == [queued["attempt_id"]]
    resumed = started.json["config"]
    assert resumed["commitUrl"] == config["commitUrl"]  # the same attempt, resumed
    cmi = resumed["state"]["cmi"]
    assert cmi["cmi.core.entry"] == "resume"
    assert cmi["cmi.core.lesson_location"] == "p2"
    assert cmi["cmi.suspend_data"] == "page=2"
    # The beacon that carried them lands after all: a retry, skipped.
    late = send(web, config, queued["batches"][1]["changes"], 3, tab="old")
    assert late.json["duplicate"] is True
    # Handed over again (the page could not clear its queue): acknowledged, no effect.
    again = start_player(web.client, page, leftovers=[queued])
    assert again.json["delivered"] == [queued["attempt_id"]]
    assert again.json["config"]["state"]["cmi"]["cmi.core.lesson_location"] == "p2"
    session.expire_all()
    assert "stale_batch" in session.scalars(select(RuntimeEvent.kind)).all()


def test_a_long_offline_queue_of_two_tabs_is_stored_tab_by_tab(
    web, learner, course12, session
):
    config = open_player(web, course12)
    # Hours offline: more batches than one beacon carries, from two tabs whose
    # sequence numbers both start at 1; the queue holds them in the order made.
    first = [
        {"seq": n, "tab": "a", "changes": [["cmi.core.lesson_location", f"a{n}"]]}
        for n in range(1, 151)
    ]
    second = [{"seq": 1, "tab": "b", "changes": [["cmi.core.lesson_location", "b1"]]}]
    queued = {"attempt_id": _attempt_id(config), "batches": first + second}
    page = web.get(f"/courses/{course12.id}/play").headers["Location"]
    started = start_player(web.client, page, leftovers=[queued])
    assert started.status_code == 200, started.get_data(as_text=True)
    session.expire_all()
    attempt = session.get(ScoAttempt, _attempt_id(config))
    # Tab b's batch came last: sorted by seq alone, a2..a150 would have followed it.
    assert attempt.state["cmi"]["cmi.core.lesson_location"] == "b1"
    assert attempt.state["seqs"] == {"a": 150, "b": 1}


def test_queued_batches_of_another_learner_or_a_bad_body_are_refused(
    web, learner, course12, session, org, settings
):
    config = open_player(web, course12)
    send(web, config, [["cmi.core.lesson_location", "mine"]], 1)
    other = make_user(
        session, org, settings=settings, email="ola@example.com", password=PASSWORD
    )
    make_enrollment(session, other, course12)
    session.commit()
    web.login("ola@example.com", PASSWORD)
    theirs = open_player(
        web,
        course12,
        leftovers=[
            {
                "attempt_id": _attempt_id(config),  # Lea's attempt
                "batches": [
                    {
                        "seq": 9,
                        "tab": "x",
                        "changes": [["cmi.core.lesson_location", "x"]],
                    }
                ],
            }
        ],
    )
    assert theirs["commitUrl"] != config["commitUrl"]
    session.expire_all()
    lea = session.get(ScoAttempt, _attempt_id(config))
    assert lea.state["cmi"]["cmi.core.lesson_location"] == "mine"
    page = web.get(f"/courses/{course12.id}/play").headers["Location"]
    launch_url = f"{page}/launch"
    token = web.token()
    for body, status, field in (
        ({"leftovers": [{"batches": []}]}, 422, "leftovers.0.attempt_id"),
        ({"leftovers": "x"}, 422, "leftovers"),
        ({"activity": "welcome", "extra": 1}, 422, "extra"),
    ):
        refused = web.client.post(launch_url, json=body, headers={"X-CSRFToken": token})
        assert refused.status_code == status, refused.get_data(as_text=True)
        fields = [f["field"] for f in refused.json["error"]["fields"]]
        assert field in fields
    not_json = web.client.post(
        launch_url,
        data="[",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert not_json.status_code == 400
    assert "JSON object" in not_json.json["error"]["message"]
    # A cross-site page cannot start (and so close) a learner's session.
    forged = web.client.post(launch_url, json={})
    assert forged.status_code == 400
    assert forged.json["error"]["code"] == "csrf_failed"


def test_scorm12_prerequisites_lock_items_until_met(web, learner, course12, session):
    # The demo's quiz has <adlcp:prerequisites>welcome</adlcp:prerequisites>.
    config = open_player(web, course12)
    registration = session.scalar(select(Registration))
    page = web.get(f"/play/{registration.id}").get_data(as_text=True)
    assert "🔒 Quick quiz" in page
    assert web.get(f"/play/{registration.id}?activity=quiz").status_code == 403
    send(web, config, [["cmi.core.lesson_status", "completed"]], 1, terminate=True)
    assert web.get(f"/play/{registration.id}?activity=quiz").status_code == 200


def test_deactivated_enrollment_or_archived_course_stops_new_launches(
    web, learner, course12, session
):
    config = open_player(web, course12)
    registration = session.scalar(select(Registration))
    enrollment = session.scalar(
        select(Enrollment).where(Enrollment.user_id == learner.id)
    )
    enrollment.status = EnrollmentStatus.INACTIVE
    session.commit()
    assert web.get(f"/play/{registration.id}").status_code == 403
    # The session that was already running may still save its data.
    assert send(web, config, [["cmi.core.lesson_location", "p9"]], 1).status_code == 200
    enrollment.status = EnrollmentStatus.ACTIVE
    course = session.get(Course, course12.id)
    course.is_archived = True
    session.commit()
    assert web.get(f"/play/{registration.id}").status_code == 403


def test_rollup_uses_the_newest_attempt_even_when_an_older_one_commits(
    web, learner, course12, session
):
    first = open_player(web, course12)
    send(
        web,
        first,
        [["cmi.core.lesson_status", "passed"], ["cmi.core.score.raw", "95"]],
        1,
        terminate=True,
    )
    second = open_player(web, course12, activity=first["current"])
    assert second["commitUrl"] != first["commitUrl"]  # a new attempt
    send(web, second, [["cmi.core.lesson_status", "incomplete"]], 1, tab="t2")
    # A late batch for the first attempt, from a tab the hub has not seen closed: that
    # session had terminated, so its values are refused (and logged), never applied.
    late = send(web, first, [["cmi.core.lesson_status", "failed"]], 2, tab="t9")
    assert [e["element"] for e in late.json["errors"]] == ["cmi.core.lesson_status"]
    session.expire_all()
    registration = session.scalar(select(Registration))
    assert registration.completion == "incomplete"  # from attempt 2, not attempt 1
    attempts = session.scalars(select(ScoAttempt).order_by(ScoAttempt.number)).all()
    assert attempts[0].success == "passed"


def test_multi_sco_rollup_after_a_new_attempt(web, learner, course12, session):
    welcome = open_player(web, course12)
    send(web, welcome, [["cmi.core.lesson_status", "completed"]], 1, terminate=True)
    quiz = open_player(web, course12, activity="quiz")
    send(
        web,
        quiz,
        [["cmi.core.lesson_status", "passed"], ["cmi.core.score.raw", "80"]],
        1,
        terminate=True,
    )
    session.expire_all()
    assert session.scalar(select(Registration)).completion == "completed"
    again = open_player(web, course12, activity="welcome")  # attempt 2 of welcome
    send(web, again, [["cmi.core.lesson_status", "incomplete"]], 1, tab="t2")
    session.expire_all()
    registration = session.scalar(select(Registration))
    assert registration.completion == "incomplete"
    enrollment = session.scalar(
        select(Enrollment).where(Enrollment.user_id == learner.id)
    )
    assert enrollment.progress_percent == 50


def test_malformed_prerequisites_never_lock_the_learner_out(
    web, learner, course12, session
):
    from hub.services.activities import Activity
    from hub.services.runtime import locked_activities

    open_player(web, course12)
    registration = session.scalar(select(Registration))
    toc = [
        Activity("broken", "Broken", 0, "a.html", "sco", True, {"prerequisites": "(("}),
        Activity(
            "gated", "Gated", 0, "b.html", "sco", True, {"prerequisites": "welcome"}
        ),
    ]
    assert locked_activities(session, registration=registration, toc=toc) == {"gated"}


def test_a_closing_pages_queue_in_one_beacon_is_applied_in_order(
    web, learner, course12, session
):
    config = open_player(web, course12)
    assert send(web, config, [["cmi.core.lesson_location", "p1"]], 1).status_code == 200
    # The queue as the closing page sends it, listed out of order on purpose: the
    # terminating batch must still come after the one that suspends.
    response = web.client.post(
        config["commitUrl"],
        json={
            "key": config["commitKey"],
            "batches": [
                {"seq": 3, "tab": "t1", "changes": [], "terminate": True},
                {
                    "seq": 2,
                    "tab": "t1",
                    "changes": [
                        ["cmi.core.lesson_location", "p2"],
                        ["cmi.core.exit", "suspend"],
                    ],
                },
                {"seq": 1, "tab": "t1", "changes": [["cmi.core.lesson_location", "x"]]},
            ],
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["errors"] == [] and not response.json["duplicate"]
    session.expire_all()
    attempt = session.scalar(select(ScoAttempt))
    assert attempt.state["cmi"]["cmi.core.lesson_location"] == "p2"  # 1 was a retry
    assert attempt.state["phase"] == "terminated"
    assert attempt.state["seqs"] == {"t1": 3}
    resumed = open_player(web, course12)
    assert resumed["commitUrl"] == config["commitUrl"]  # suspended: the same attempt
    assert resumed["state"]["cmi"]["cmi.core.entry"] == "resume"
    # A body of more batches than a queue holds is refused, naming the field.
    too_many = web.client.post(
        config["commitUrl"],
        json={"key": config["commitKey"], "batches": [{"seq": 9}] * 101},
    )
    assert too_many.status_code == 422 and "batches" in too_many.get_data(as_text=True)


def tour_with_check_data(tmp_path, *, objective_id: str, maps: str) -> bytes:
    """The SCORM 2004 demo, its "check" SCO given one more objective and the
    ``maps`` (adlcp:map elements) as its adlcp:data."""
    manifest = (DEMO / "scorm2004-tour" / "imsmanifest.xml").read_text()
    manifest = manifest.replace(
        "</imsss:primaryObjective>",
        f'</imsss:primaryObjective>\n<imsss:objective objectiveID="{objective_id}"/>',
    ).replace(
        "</adlnav:presentation>",
        f"</adlnav:presentation>\n<adlcp:data>{maps}</adlcp:data>",
    )
    folder = tmp_path / "tour"
    shutil.copytree(DEMO / "scorm2004-tour", folder)
    (folder / "imsmanifest.xml").write_text(manifest)
    return zip_folder(folder)


def test_scorm2004_launch_seeds_manifest_objectives_and_shared_data_access(
    web, session, org, settings, app, tmp_path
):
    """RTE 4th ed. §4.2.17: cmi.objectives starts with the manifest's objective IDs;
    §4.3: adl.data stores take the adlcp:map's access (CAM: read defaults to true,
    write to false)."""
    package = tour_with_check_data(
        tmp_path,
        objective_id="tour-extra",
        maps='<adlcp:map targetID="urn:hub:notes" writeSharedData="true"/>'
        '<adlcp:map targetID="urn:hub:shared"/>'
        '<adlcp:map targetID="urn:hub:drop-box" readSharedData="false" '
        'writeSharedData="true"/>',
    )
    package_id = import_demo(app, session, org, package)
    course = tour_course_signed_in(web, session, org, settings, package_id)
    config = open_player(web, course, activity="check")
    cmi = config["state"]["cmi"]
    assert cmi["cmi.objectives._count"] == "2"
    assert [cmi["cmi.objectives.0.id"], cmi["cmi.objectives.1.id"]] == [
        "tour-quiz",
        "tour-extra",
    ]
    response = send(
        web,
        config,
        [
            ["adl.data.0.store", "my notes"],
            ["adl.data.1.store", "not mine to write"],
            ["adl.data.2.store", "handed in"],
            ["cmi.objectives.0.id", "renamed"],
        ],
        1,
    )
    refused = {e["element"]: e["code"] for e in response.json["errors"]}
    assert refused == {
        "adl.data.1.store": 404,  # read only
        "cmi.objectives.0.id": 351,  # the manifest's ID is kept
    }
    session.expire_all()
    stored = session.scalar(select(ScoAttempt)).state["cmi"]
    assert stored["adl.data.0.store"] == "my notes"
    assert stored["adl.data.2.store"] == "handed in"
    assert "adl.data.1.store" not in stored


def test_identifiers_the_runtime_cannot_hand_over_are_reported_at_import(
    web, session, org, settings, app, tmp_path
):
    """The manifest takes any anyURI-like string as an objectiveID or adlcp:map
    targetID, but cmi.objectives.n.id and adl.data.n.id are long_identifier_type
    (RTE 4th ed. §4.1.1.4, a URI): the import report names each one the launch
    leaves out, and the launch still starts."""
    package = tour_with_check_data(
        tmp_path,
        objective_id="tour extra",
        maps='<adlcp:map targetID="urn:hub:notes"/><adlcp:map targetID="my notes"/>',
    )
    package_id = import_demo(app, session, org, package)
    job = session.scalar(select(ImportJob).where(ImportJob.package_id == package_id))
    found = [w for w in job.report["warnings"] if w["code"] == "unusable_identifier"]
    assert [(w["file"], w["message"]) for w in found] == [
        (
            "imsmanifest.xml",
            "item 'check': objectiveID 'tour extra' is not a valid identifier for "
            "cmi.objectives.n.id (a URI, RTE 4th ed. §4.1.1.4), so the SCO will not "
            "find it at run time",
        ),
        (
            "imsmanifest.xml",
            "item 'check': adlcp:map targetID 'my notes' is not a valid identifier "
            "for adl.data.n.id (a URI, RTE 4th ed. §4.1.1.4), so the SCO will not "
            "find it at run time",
        ),
    ]
    course = tour_course_signed_in(web, session, org, settings, package_id)
    cmi = open_player(web, course, activity="check")["state"]["cmi"]
    assert (cmi["cmi.objectives._count"], cmi["cmi.objectives.0.id"]) == (
        "1",
        "tour-quiz",
    )
    assert (cmi["adl.data._count"], cmi["adl.data.0.id"]) == ("1", "urn:hub:notes")


def test_the_demo_packages_import_without_identifier_warnings(app, session, org):
    for data in (SCORM12, SCORM2004):
        package_id = import_demo(app, session, org, data)
        job = session.scalar(
            select(ImportJob).where(ImportJob.package_id == package_id)
        )
        assert job.state is JobState.SUCCEEDED
        codes = {w["code"] for w in job.report["warnings"]}
        assert "unusable_identifier" not in codes


def test_scorm2004_launch_tells_the_sco_where_the_player_can_go(
    web, session, org, settings, app
):
    """RTE 4th ed. §4.4.3 adl.nav.request_valid: answered from the delivery order
    for the SCO's session, and never stored with the attempt."""
    package_id = import_demo(app, session, org, SCORM2004)
    course = tour_course_signed_in(web, session, org, settings, package_id)
    config = open_player(web, course)
    order, cmi = config["order"], config["state"]["cmi"]
    assert len(order) > 1 and config["current"] == order[0]
    assert cmi["adl.nav.request_valid.continue"] == "true"
    assert cmi["adl.nav.request_valid.previous"] == "false"
    assert cmi[f"adl.nav.request_valid.choice.{{target={order[-1]}}}"] == "true"
    last = open_player(web, course, activity=order[-1])["state"]["cmi"]
    assert last["adl.nav.request_valid.continue"] == "false"
    assert last["adl.nav.request_valid.previous"] == "true"
    session.expire_all()
    for attempt in session.scalars(select(ScoAttempt)):
        assert not any(
            k.startswith("adl.nav.request_valid") for k in attempt.state["cmi"]
        )


def test_player_hides_the_controls_an_item_hides(web, session, org, settings, app):
    """CAM 4th ed. adlnav:hideLMSUI: the SCO provides previous, continue and exitAll
    itself (adl.nav.request); the player leaves its own controls out."""
    hide = "".join(
        f"<adlnav:hideLMSUI>{c}</adlnav:hideLMSUI>"
        for c in ("previous", "continue", "exitAll")
    )
    presentation = (
        "<adlnav:presentation><adlnav:navigationInterface>"
        f"{hide}</adlnav:navigationInterface></adlnav:presentation>"
    )
    script = Script("API_1484_11", [])
    package = scorm2004_package(
        [
            Sco("a", "A", script),
            Sco("b", "B", script, presentation),
            Sco("c", "C", script),
        ]
    )
    package_id = import_demo(app, session, org, package)
    course = tour_course_signed_in(web, session, org, settings, package_id)
    assert open_player(web, course)["order"] == ["a", "b", "c"]
    play = web.get(f"/courses/{course.id}/play").headers["Location"]

    def controls(activity: str) -> list[str]:
        page = web.get(f"{play}?activity={activity}").get_data(as_text=True)
        labels = ("← Previous", "Next →", ">Exit<", "Continue with")
        return [label for label in labels if label in page]

    assert controls("a") == ["Next →", ">Exit<", "Continue with"]
    assert controls("b") == []
    assert controls("c") == ["← Previous", ">Exit<"]


@pytest.mark.parametrize(
    ("status", "reviews", "label"),
    [
        (ProgressStatus.NOT_STARTED, False, "Start"),
        (ProgressStatus.IN_PROGRESS, False, "Continue"),
        (ProgressStatus.COMPLETED, True, "Review"),
        (ProgressStatus.PASSED, False, "Open again"),
    ],
)
def test_dashboard_button_says_what_opening_the_course_does(
    web, learner, course12, session, status, reviews, label
):
    enrollment = session.scalar(select(Enrollment))
    enrollment.progress_status = status
    session.get(Course, course12.id).review_when_finished = reviews
    session.commit()
    page = web.get("/dashboard").get_data(as_text=True)
    assert f">{label}</a>" in page


def test_staff_allow_a_learner_one_more_attempt(
    web, app, learner, course12, session, org, settings
):
    course = session.get(Course, course12.id)
    course.max_attempts = 1
    session.commit()
    config = open_player(web, course12)
    done = [["cmi.core.lesson_status", "completed"]]
    assert send(web, config, done, 1, terminate=True).status_code == 200
    assert open_player(web, course12, activity=config["current"])["review"] is True
    registration = session.scalar(select(Registration))
    page = f"/registrations/{registration.id}"
    grant = f"{page}/extra-attempts"
    # The learner sees the limit but cannot lift it.
    own = web.get(page).get_data(as_text=True)
    assert "Attempts allowed on each part: 1." in own
    assert "Allow one more attempt" not in own
    assert web.post(grant, {}).status_code == 403

    staff = WebClient(app.test_client())
    make_user(
        session,
        org,
        settings=settings,
        email="boss@example.com",
        password=PASSWORD,
        role=OrgRole.ADMIN,
    )
    session.commit()
    staff.login("boss@example.com", PASSWORD)
    assert "Allow one more attempt" in staff.get(page).get_data(as_text=True)
    assert staff.post(grant, {}).status_code == 302
    shown = staff.get(page).get_data(as_text=True)
    assert "Attempts allowed on each part: 2 (1 granted beyond the course" in shown

    assert_relaunch_starts_attempt_2(web, course12, config, session)

    # A course without a limit has nothing to lift.
    session.get(Course, course12.id).max_attempts = None
    session.commit()
    assert staff.post(grant, {}).status_code == 409


def test_api_allows_a_learner_more_attempts(api, key, session, course12):
    course = session.get(Course, course12.id)
    course.max_attempts = 2
    session.commit()
    registration = api.post(
        "/api/v1/registrations",
        headers=key,
        json={"course_id": course12.id, "learner": {"email": "x@example.com"}},
    ).json
    url = f"/api/v1/registrations/{registration['id']}/extra-attempts"

    def post(target, body):
        return api.post(target, headers=key, json=body)

    for bad in ({"count": 0}, {}, {"count": "two"}, {"count": 101}):
        refused = post(url, bad)
        assert refused.status_code == 422
        assert "count" in [f["field"] for f in refused.json["error"]["fields"]]
    granted = post(url, {"count": 3})
    assert granted.status_code == 200, granted.json
    assert granted.json["extra_attempts"] == 3
    report = api.get(f"/api/v1/registrations/{registration['id']}", headers=key).json
    assert (report["attempts_allowed"], report["extra_attempts"]) == (5, 3)
    missing = post("/api/v1/registrations/999999/extra-attempts", {"count": 1})
    assert missing.status_code == 404
    # At most 1000 attempts in all beyond the course's; the last grant is refused
    # whole, and what was granted before stays.
    for _ in range(9):
        assert post(url, {"count": 100}).status_code == 200
    too_many = post(url, {"count": 100})
    assert too_many.status_code == 409
    assert "At most 1000" in too_many.json["error"]["message"]
    session.expire_all()
    assert session.get(Registration, registration["id"]).extra_attempts == 903
    course.max_attempts = None
    session.commit()
    assert post(url, {"count": 1}).status_code == 409


def test_only_the_courses_instructors_allow_more_attempts(
    web, app, learner, course12, session, org, settings
):
    course = session.get(Course, course12.id)
    course.max_attempts = 1
    session.commit()
    open_player(web, course12)  # registers the learner
    grant = f"/registrations/{session.scalar(select(Registration.id))}/extra-attempts"
    teacher, other = WebClient(app.test_client()), WebClient(app.test_client())
    for client, email, teaches in (
        (teacher, "t1@x.org", True),
        (other, "t2@x.org", False),
    ):
        user = make_user(
            session, org, settings=settings, email=email, password=PASSWORD,
            role=OrgRole.INSTRUCTOR,
        )  # fmt: skip
        if teaches:
            make_enrollment(session, user, course12, role=CourseRole.INSTRUCTOR)
        session.commit()
        client.login(email, PASSWORD)
    assert other.post(grant, {}).status_code == 404  # not a course they teach
    assert teacher.post(grant, {}).status_code == 302
    session.expire_all()
    assert session.scalar(select(Registration.extra_attempts)) == 1
