"""In Chromium, as the issue's acceptance test does it: conformance packages written
from the RTE books run through the real player, launched by one-time links from the
API, and the registration API reports the final state the books call for."""

from __future__ import annotations

import json

import pytest

from tests.hub.browser.conformance_kit import (
    Script,
    interval_seconds,
    preview_package,
    preview_script,
    scorm12_conformance_package,
    scorm12_logout_package,
    scorm12_mastery_package,
    scorm12_mastery_script,
    scorm12_prerequisites_package,
    scorm12_score_range_package,
    scorm12_score_range_script,
    scorm12_script,
    scorm2004_conformance_package,
    scorm2004_continue_package,
    scorm2004_continue_scripts,
    scorm2004_exit_package,
    scorm2004_objectives_package,
    scorm2004_objectives_script,
    scorm2004_review_package,
    scorm2004_review_script,
    scorm2004_script,
    scorm2004_threshold_package,
    scorm2004_threshold_script,
    scorm2004_time_out_package,
    timestamp_package,
)
from tests.hub.browser.conftest import (
    api_call,
    import_course,
    import_package,
    launch_link,
    register,
    sign_in,
)

pytestmark = pytest.mark.browser


def sco_record(page, title: str | None = None, *, window=None) -> dict:
    """The record of the SCO in the player's frame (or in its own ``window``) once
    its script is done, or (``title``) the one a SCO that has been unloaded left in
    localStorage."""
    if title is not None:
        return json.loads(page.evaluate(f"localStorage.getItem('conformance:{title}')"))
    root = window or page.frame_locator("#sco")
    record = root.locator("#record[data-done]")
    record.wait_for(state="attached", timeout=20_000)
    return json.loads(record.text_content())


def run_session(browser, hub, registration_id: int) -> dict:
    """Open a new launch link in a fresh browser and let the SCO run its script to
    the end; the SCO's record. The page is closed as a learner closes the tab."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(launch_link(hub, registration_id))
        page.wait_for_url("**/play/*")
        record = sco_record(page)
        page.locator("[data-finished]").wait_for()  # the SCO terminated
        return record
    finally:
        page.close(run_before_unload=True)
        context.close()


def assert_conforms(script: Script, record: dict, session: str) -> None:
    assert record["found"], "the SCO did not find the API"
    assert record["session"] == session
    found = script.mismatches(record)
    assert found == [], json.dumps(found, indent=1)


def new_registration(hub, name: str, package: bytes, **course: object) -> int:
    """Import the package as a course (``course``: more of its fields) and register
    a learner on it through the API."""
    course_id = import_course(hub, f"{name}.zip", package, **course)
    return register(hub, course_id, f"{name}@example.com")


def suspend_then_pass(
    hub, browser, name: str, package: bytes, script: Script, **course: object
):
    """Run the SCO's first session (it suspends) and its second (it resumes and
    passes), each from a new launch link and checked against the book; the
    registration API's report."""
    registration_id = new_registration(hub, name, package, **course)
    assert_conforms(script, run_session(browser, hub, registration_id), "ab-initio")
    assert_conforms(script, run_session(browser, hub, registration_id), "resume")
    return api_call(hub, "GET", f"/api/v1/registrations/{registration_id}")


def activity(report: dict, identifier: str) -> dict:
    return next(a for a in report["activities"] if a["id"] == identifier)


#: A course that follows the books to the letter, and one with the default settings.
STRICT_ = {"strict": True}
STRICT = pytest.param(STRICT_, id="strict")
DEFAULT = pytest.param({}, id="default")


@pytest.mark.parametrize("settings", [STRICT, DEFAULT])
def test_scorm12_conformance_package_suspends_resumes_and_passes(
    api_hub, browser, settings
):
    report = suspend_then_pass(
        api_hub,
        browser,
        f"conformance-12-{len(settings)}",
        scorm12_conformance_package(),
        scorm12_script(),
        runtime_settings=settings,
    )
    assert (report["completion"], report["success"]) == ("completed", "passed")
    assert (report["score_raw"], report["score_scaled"]) == (85, 0.85)
    assert interval_seconds(report["total_time"]) == 90 + 45
    assert report["attempts"] == 1  # resumed, not restarted
    (attempt,) = activity(report, "sco1")["attempts"]
    assert attempt["completion"] == "completed"
    assert attempt["success"] == "passed"
    assert interval_seconds(attempt["total_time"]) == 90 + 45
    assert (attempt["location"], attempt["suspend_data"]) == ("page-3", "state=A;B")
    assert [(i["id"], i["result"]) for i in attempt["interactions"]] == [
        ("q1", "wrong"),
        ("q2", "correct"),
    ]
    assert attempt["objectives"] == [
        {"id": "obj-1", "status": "passed", "score.raw": "90"}
    ]
    assert attempt["comments_from_learner"] == [{"comment": "First note"}]
    assert report["events"] == []


@pytest.mark.parametrize("settings", [STRICT, DEFAULT])
# "CAM 1.3" is the 2nd edition's schemaversion.
@pytest.mark.parametrize("version", ["2004 4th Edition", "2004 3rd Edition", "CAM 1.3"])
def test_scorm2004_conformance_package_suspends_resumes_and_passes(
    api_hub, browser, version, settings
):
    report = suspend_then_pass(
        api_hub,
        browser,
        f"conformance-{version.split()[1]}-{len(settings)}",
        scorm2004_conformance_package(version),
        scorm2004_script(),
        runtime_settings=settings,
    )
    assert (report["completion"], report["success"]) == ("completed", "passed")
    assert (report["score_raw"], report["score_scaled"]) == (85, 0.85)
    assert interval_seconds(report["total_time"]) == 90 + 45
    assert report["attempts"] == 1
    (attempt,) = activity(report, "sco1")["attempts"]
    assert (attempt["completion"], attempt["success"]) == ("completed", "passed")
    assert (attempt["score_raw"], attempt["score_scaled"]) == (85, 0.85)
    assert interval_seconds(attempt["total_time"]) == 90 + 45
    assert (attempt["location"], attempt["suspend_data"]) == ("page-3", "state=A;B")
    assert [(i["id"], i["type"], i["result"]) for i in attempt["interactions"]] == [
        ("q1", "choice", "incorrect"),
        ("q2", "true-false", "correct"),
    ]
    assert attempt["interactions"][0]["correct_responses.0.pattern"] == "b"
    assert attempt["objectives"] == [
        {
            "id": "obj-1",
            "score.scaled": "0.9",
            "completion_status": "completed",
            "success_status": "passed",
        }
    ]
    assert [c["comment"] for c in attempt["comments_from_learner"]] == [
        "{lang=en}First note",
        "Second note",
    ]
    assert report["events"] == []

    # After a normal exit the next launch is a new attempt (RTE 4th ed. §4.2,
    # cmi.entry "ab-initio"), on fresh data: the first session's script holds.
    assert_conforms(
        scorm2004_script(), run_session(browser, api_hub, report["id"]), "ab-initio"
    )
    report = api_call(api_hub, "GET", f"/api/v1/registrations/{report['id']}")
    assert report["attempts"] == 2
    assert [a["entry"] for a in activity(report, "sco1")["attempts"]] == [
        "resume",
        "ab-initio",
    ]


def test_scorm12_mastery_score_judges_only_a_completed_status(api_hub, browser):
    report = suspend_then_pass(
        api_hub, browser, "mastery-12", scorm12_mastery_package(),
        scorm12_mastery_script(),
    )  # fmt: skip
    assert (report["completion"], report["success"]) == ("completed", "passed")
    assert report["score_raw"] == 85


def test_scorm12_quiz_opens_once_its_prerequisite_lesson_is_completed(api_hub, browser):
    hub = api_hub
    course_id = import_course(
        hub, "prerequisites-12.zip", scorm12_prerequisites_package()
    )
    # Before the lesson is completed the quiz is shown locked and refused.
    waiting = browser.new_context()
    waiting.route("**/content/**", lambda route: route.abort())  # no SCO runs
    page = waiting.new_page()
    page.goto(launch_link(hub, register(hub, course_id, "waiting@example.com")))
    page.wait_for_url("**/play/*")
    assert "🔒 Quiz" in page.locator(".toc").inner_text()
    refused = page.request.get(page.url.split("?")[0] + "?activity=quiz")
    assert refused.status == 403
    waiting.close()

    registration_id = register(hub, course_id, "prerequisites-12@example.com")
    page = browser.new_page()
    page.goto(launch_link(hub, registration_id))
    page.wait_for_url("**/play/*")
    lesson = sco_record(page)
    assert lesson["session"] == "ab-initio"
    assert lesson["calls"][-1]["result"] == "true"  # LMSFinish
    page.locator("[data-finished] a", has_text="Quiz").click()
    page.wait_for_url("**activity=quiz")
    quiz = sco_record(page)
    assert [c["error"] for c in quiz["calls"]] == ["0"] * len(quiz["calls"])
    page.close()

    report = api_call(hub, "GET", f"/api/v1/registrations/{registration_id}")
    assert report["completion"] == "completed"
    assert interval_seconds(report["total_time"]) == 30 + 60  # both SCOs' time
    assert activity(report, "lesson")["attempts"][0]["completion"] == "completed"
    (quiz_attempt,) = activity(report, "quiz")["attempts"]
    assert (quiz_attempt["success"], quiz_attempt["score_raw"]) == ("passed", 90)


def test_scorm2004_continue_request_moves_on_to_the_next_sco(api_hub, browser):
    hub = api_hub
    registration_id = new_registration(
        hub, "continue-2004", scorm2004_continue_package()
    )
    page = browser.new_page()
    page.goto(launch_link(hub, registration_id))
    page.wait_for_url("**activity=two", timeout=20_000)  # the player followed it
    two = sco_record(page)
    page.locator("[data-finished]").wait_for()
    one = sco_record(page, "One")
    for script, record in zip(scorm2004_continue_scripts(), (one, two), strict=True):
        assert_conforms(script, record, "ab-initio")
    assert [c["result"] for c in one["calls"] if c["args"] == ["adl.nav.request"]] == [
        "_none_",
        "continue",
    ]
    page.close()

    report = api_call(hub, "GET", f"/api/v1/registrations/{registration_id}")
    assert report["completion"] == "completed"
    assert activity(report, "one")["attempts"][0]["completion"] == "completed"
    (attempt,) = activity(report, "two")["attempts"]
    assert (attempt["success"], attempt["score_scaled"]) == ("passed", 0.9)


def test_scorm2004_objectives_of_the_manifest_are_in_cmi_objectives(api_hub, browser):
    registration_id = new_registration(
        api_hub, "objectives-2004", scorm2004_objectives_package()
    )
    record = run_session(browser, api_hub, registration_id)
    assert_conforms(scorm2004_objectives_script(), record, "ab-initio")


@pytest.mark.parametrize(
    "settings",
    [STRICT, DEFAULT],
)
def test_scorm12_scores_outside_0_to_100_are_refused(api_hub, browser, settings):
    registration_id = new_registration(
        api_hub,
        f"range-12-{len(settings)}",
        scorm12_score_range_package(),
        runtime_settings=settings,
    )
    record = run_session(browser, api_hub, registration_id)
    assert_conforms(scorm12_score_range_script(), record, "ab-initio")


def test_scorm12_launch_after_a_normal_exit_has_entry_empty(api_hub, browser):
    script = scorm12_script()
    registration_id = new_registration(
        api_hub, "review-12", scorm12_conformance_package(), runtime_settings=STRICT_
    )
    for session in ("ab-initio", "resume", ""):
        assert_conforms(script, run_session(browser, api_hub, registration_id), session)


def test_scorm12_sco_in_a_window_of_its_own_finds_the_api_through_its_opener(
    api_hub, browser
):
    registration_id = new_registration(
        api_hub,
        "window-12",
        scorm12_conformance_package(),
        launch_new_window=True,
        runtime_settings=STRICT_,
    )
    context = browser.new_context()
    page = context.new_page()
    with context.expect_page() as opened:
        page.goto(launch_link(api_hub, registration_id))
    window = opened.value
    assert_conforms(scorm12_script(), sco_record(page, window=window), "ab-initio")
    assert page.locator("#sco").is_hidden()
    page.locator("[data-finished]").wait_for()  # the player heard the LMSFinish
    window.close(run_before_unload=True)
    context.close()

    report = api_call(api_hub, "GET", f"/api/v1/registrations/{registration_id}")
    (attempt,) = activity(report, "sco1")["attempts"]
    assert (attempt["location"], attempt["exit"]) == ("page-3", "suspend")
    assert interval_seconds(attempt["total_time"]) == 90


# A popup blocker: window.open outside a click of the learner's opens nothing.
BLOCK_POPUPS = """
const open = window.open.bind(window);
let clicking = false;
document.addEventListener("click", () => {
  clicking = true;
  setTimeout(() => { clicking = false; });
}, true);
window.open = (...args) => (clicking ? open(...args) : null);
"""


def test_a_blocked_sco_window_opens_with_the_learners_click(api_hub, browser):
    registration_id = new_registration(
        api_hub, "blocked-12", scorm12_conformance_package(), launch_new_window=True
    )
    context = browser.new_context()
    context.add_init_script(BLOCK_POPUPS)
    page = context.new_page()
    page.goto(launch_link(api_hub, registration_id))
    button = page.locator("[data-new-window] button")
    button.wait_for()
    assert len(context.pages) == 1  # nothing opened by itself
    with context.expect_page() as opened:
        button.click()
    record = sco_record(page, window=opened.value)
    assert_conforms(scorm12_script(), record, "ab-initio")
    context.close()


def test_a_launch_link_opens_the_player_once(api_hub, browser):
    registration_id = new_registration(
        api_hub, "once-12", scorm12_score_range_package()
    )
    link = launch_link(api_hub, registration_id)
    page = browser.new_page()
    page.goto(link)
    page.wait_for_url(f"**/play/{registration_id}")
    page.close()
    again = browser.new_page()  # another browser, without the learner's session
    assert again.goto(link).status == 404
    assert "/play/" not in again.url
    again.close()


@pytest.mark.parametrize("version", ["2004 4th Edition", "2004 3rd Edition"])
def test_scorm2004_completion_follows_the_threshold(api_hub, browser, version):
    registration_id = new_registration(
        api_hub, f"threshold-{version.split()[1]}", scorm2004_threshold_package(version)
    )
    record = run_session(browser, api_hub, registration_id)
    assert_conforms(scorm2004_threshold_script(), record, "ab-initio")
    report = api_call(api_hub, "GET", f"/api/v1/registrations/{registration_id}")
    assert report["completion"] == "completed"


def test_scorm2004_course_past_its_attempt_limit_opens_the_last_attempt_for_review(
    api_hub, browser
):
    hub, script = api_hub, scorm2004_review_script()
    registration_id = new_registration(
        hub, "review-2004", scorm2004_review_package(), max_attempts=1
    )
    assert_conforms(script, run_session(browser, hub, registration_id), "ab-initio")
    recorded = api_call(hub, "GET", f"/api/v1/registrations/{registration_id}")

    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(launch_link(hub, registration_id))
        page.wait_for_url("**/play/*")
        assert_conforms(script, sco_record(page), "")
        page.locator("[data-finished]").wait_for()
        assert page.locator("[data-not-recorded]").is_visible()
        # Review stores nothing: no commit ever leaves the page.
        assert page.evaluate("window.hubPlayer.config.commitUrl") is None
    finally:
        page.close(run_before_unload=True)
        context.close()

    report = api_call(hub, "GET", f"/api/v1/registrations/{registration_id}")
    assert report["attempts"] == 1
    assert (report["completion"], report["success"]) == ("completed", "passed")
    assert report["score_scaled"] == 0.85
    (attempt,) = activity(report, "sco1")["attempts"]
    assert attempt["location"] == "page-9"
    assert attempt == activity(recorded, "sco1")["attempts"][0]
    assert report["events"] == []


@pytest.mark.parametrize("api", ["API", "API_1484_11"])
def test_staff_preview_runs_the_sco_in_browse_mode_and_records_nothing(
    api_hub, browser, api
):
    hub = api_hub
    email, password = f"author-{len(api)}@example.com", "an author passphrase"
    hub.cli("create-admin", "--org", "api", "--email", email, "--password", password)
    job = import_package(hub, f"preview-{len(api)}.zip", preview_package(api))
    attempts = hub.scalar("SELECT count(*) FROM sco_attempts")

    page = browser.new_page()
    try:
        sign_in(page, hub, email, password)
        page.goto(f"{hub.url}/admin/packages/{job['package_id']}")
        page.click("text=Preview in the player")
        page.wait_for_url(f"**/preview/{job['version_id']}")
        assert_conforms(preview_script(api), sco_record(page), "ab-initio")
        page.locator("[data-finished]").wait_for()
        assert page.locator("[data-not-recorded]").is_visible()
    finally:
        page.close(run_before_unload=True)
    assert hub.scalar("SELECT count(*) FROM sco_attempts") == attempts


def test_course_reviewing_finished_scos_offers_a_new_attempt(api_hub, browser):
    hub, script = api_hub, scorm2004_review_script()
    registration_id = new_registration(
        hub, "review-finished-2004", scorm2004_review_package(),
        review_when_finished=True,
    )  # fmt: skip
    assert_conforms(script, run_session(browser, hub, registration_id), "ab-initio")

    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(launch_link(hub, registration_id))
        page.wait_for_url("**/play/*")
        assert_conforms(script, sco_record(page), "")  # cmi.mode "review"
        page.locator("[data-finished]").wait_for()
        notice = page.locator("[data-not-recorded]")
        assert "You have finished “Review”" in notice.text_content()
        notice.locator("[data-new-attempt]").click()
        page.wait_for_url("**new_attempt=1**")
        assert_conforms(script, sco_record(page), "ab-initio")  # a new attempt
        page.locator("[data-finished]").wait_for()
        assert page.locator("[data-not-recorded]").is_hidden()
    finally:
        page.close(run_before_unload=True)
        context.close()

    report = api_call(hub, "GET", f"/api/v1/registrations/{registration_id}")
    assert report["attempts"] == 2
    assert [a["completion"] for a in activity(report, "sco1")["attempts"]] == [
        "completed",
        "completed",
    ]


def test_scorm2004_exit_ends_the_sco_and_exit_all_the_course(api_hub, browser):
    hub = api_hub
    registration_id = new_registration(hub, "exit-2004", scorm2004_exit_package())
    page = browser.new_page()
    try:
        page.goto(launch_link(hub, registration_id))
        page.wait_for_url("**/play/*")
        sco_record(page)
        # "exit": this SCO is over; the player stays, offering the next one.
        page.locator("[data-finished]").wait_for()
        page.click("text=Continue with “Two”")
        page.wait_for_url("**activity=two")
        # "exitAll": the course is over; the player leaves for the dashboard.
        page.wait_for_url("**/dashboard", timeout=20_000)
    finally:
        page.close()
    report = api_call(hub, "GET", f"/api/v1/registrations/{registration_id}")
    assert [
        activity(report, s)["attempts"][0]["completion"] for s in ("one", "two")
    ] == [
        "completed",
        "completed",
    ]


@pytest.mark.parametrize(
    ("package", "expected"),
    [
        # RTE 1.2 §3.4.4 cmi.core.exit "logout": log the learner out of the course.
        pytest.param(scorm12_logout_package, ("completed", "logout"), id="logout-12"),
        # RTE 4th ed. §4.2.10: "time-out" is an Exit All, even with "continue" asked.
        pytest.param(
            scorm2004_time_out_package, ("incomplete", "time-out"), id="time-out-2004"
        ),
    ],
)
def test_an_exit_that_ends_the_course_leaves_it(api_hub, browser, package, expected):
    hub = api_hub
    registration_id = new_registration(hub, package.__name__, package())
    page = browser.new_page()
    try:
        page.goto(launch_link(hub, registration_id))
        page.wait_for_url("**/play/*")
        page.wait_for_url("**/dashboard", timeout=20_000)  # not on to "Two"
    finally:
        page.close()
    report = api_call(hub, "GET", f"/api/v1/registrations/{registration_id}")
    (attempt,) = activity(report, "one")["attempts"]
    assert (attempt["completion"], attempt["exit"]) == expected
    assert activity(report, "two")["attempts"] == []


def test_preview_lists_the_api_calls_and_checks_against_strict_scorm(api_hub, browser):
    hub = api_hub
    email, password = "log-author@example.com", "an author passphrase"
    hub.cli("create-admin", "--org", "api", "--email", email, "--password", password)
    job = import_package(hub, "timestamps.zip", timestamp_package())

    def timestamp_error(page) -> str:
        sco_record(page)
        log = page.locator("[data-api-log] tr")
        assert "Initialize" in log.first.inner_text()
        row = page.locator("[data-api-log] tr", has_text="timestamp")
        return row.locator("td").nth(2).inner_text()

    page = browser.new_page()
    try:
        sign_in(page, hub, email, password)
        page.goto(f"{hub.url}/preview/{job['version_id']}")
        assert timestamp_error(page) == "0"  # the default settings take it
        page.click("text=check against strict SCORM")
        page.wait_for_url("**strict=1**")
        assert timestamp_error(page).startswith("406 ")  # the book does not
        assert page.is_visible("text=use the default settings")
    finally:
        page.close()
