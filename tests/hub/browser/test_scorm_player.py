"""In Chromium: learners run the demo SCORM 1.2 and SCORM 2004 courses end to end —
launch, API calls, closing the tab, resuming, completing — and the results reach the
dashboard and the registration report."""

import re
import time

import pytest

from tests.hub.browser.conftest import LiveHub, NetworkLink, sign_in

pytestmark = pytest.mark.browser


def demo_learner(hub) -> str:
    """Load the demo; return the learner's password from its printed sign-ins."""
    out = hub.cli("demo")
    return re.search(r"learner@example\.com\s+password: (\S+)", out).group(1)


LOCATION_SQL = "SELECT state FROM sco_attempts WHERE activity_id = 'welcome'"


def _wait_for(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def sco(page):
    return page.frame_locator("#sco")


def open_scorm12_course(live_hub, browser):
    """The demo learner signs in and starts the SCORM 1.2 course: (context, page)."""
    password = demo_learner(live_hub)
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_hub, "learner@example.com", password)
    page.locator("li.course-item", has_text="SCORM 1.2").locator("a.button").click()
    page.wait_for_url("**/play/*")
    sco(page).locator("text=Connected to your LMS.").wait_for()
    return context, page


def test_scorm12_course_resumes_after_closing_the_tab_and_completes(live_hub, browser):
    context, page = open_scorm12_course(live_hub, browser)
    assert not page.is_visible("[data-finished]")  # shown only once the SCO ends
    sco(page).locator("#next").click()
    sco(page).locator("#page-2").wait_for()
    page.close(run_before_unload=True)  # the learner closes the tab mid-lesson
    # The page's beacon carries the location, and the batch stays queued on the
    # device until a later page hands it over: the learner comes straight back,
    # whether or not the beacon has landed yet.
    page = context.new_page()
    page.goto(f"{live_hub.url}/dashboard")
    course = page.locator("li.course-item", has_text="SCORM 1.2")
    assert "in progress" in course.inner_text()
    course.locator("a.button:has-text('Continue')").click()
    page.wait_for_url("**/play/*")
    sco(page).locator("text=Connected to your LMS.").wait_for()
    sco(page).locator("#page-2").wait_for()  # resumed where the learner left
    sco(page).locator("#done").click()
    page.locator("[data-finished]").wait_for()

    # The quiz was locked by its prerequisite; finishing the lesson opens the way.
    page.locator("[data-finished] a", has_text="Quick quiz").click()
    page.wait_for_url("**activity=quiz")
    quiz = sco(page)
    quiz.locator("text=Connected to your LMS.").wait_for()
    for name, value in (("q1", "manifest"), ("q2", "api"), ("q3", "yes")):
        quiz.locator(f"input[name={name}][value={value}]").check()
    quiz.locator("button[type=submit]").click()
    page.locator("[data-finished]").wait_for()  # the quiz terminated
    assert "100" in quiz.locator("#result").inner_text()
    page.goto(f"{live_hub.url}/dashboard")
    course = page.locator("li.course-item", has_text="SCORM 1.2")
    text = course.inner_text()
    # Both SCOs completed; only the quiz has a pass mark, so success stays unknown.
    assert "completed" in text
    assert "score 100" in text
    course.locator("a:has-text('results')").click()  # the registration report
    page.wait_for_url("**/registrations/*")
    report = page.locator("main").inner_text()
    assert "Quick quiz" in report and "Attempt 1" in report and "passed" in report


# A script's view of its origin: the session cookie, and a page of the hub read.
PROBE = """async () => {
  let cookie;
  try { cookie = document.cookie; } catch (error) { cookie = error.name; }
  let dashboard;
  try {
    dashboard = (await fetch("/dashboard", { credentials: "include" })).status;
  } catch (error) { dashboard = error.name; }
  return { origin: self.origin, cookie: cookie, dashboard: dashboard };
}"""


def test_a_package_page_opened_outside_the_player_runs_without_the_session(
    live_hub, browser
):
    """In the player, the SCO runs on the hub's origin (it needs the player's API);
    the same page opened any other way (a link in an e-mail, a typed address) is
    sandboxed: its scripts run in an opaque origin that holds nobody's session.
    The player loaded the page first, so the browser's cache holds a copy without
    the sandbox: it must not be the one answered."""
    context, page = open_scorm12_course(live_hub, browser)
    inside = page.frame(url=re.compile(r".*/content/.*")).evaluate(PROBE)
    assert inside["origin"] == live_hub.url
    assert inside["dashboard"] == 200
    url = page.locator("#sco").get_attribute("src")
    opened = context.new_page()
    opened.goto(url if url.startswith("http") else live_hub.url + url)
    opened.locator("body").wait_for()
    outside = opened.evaluate(PROBE)
    assert outside["origin"] == "null"
    assert outside["cookie"] == "SecurityError"
    assert outside["dashboard"] == "TypeError"  # cross-origin, no CORS: not readable
    context.close()


def test_progress_made_offline_reaches_the_server_with_the_next_launch(
    live_hub, browser
):
    link = NetworkLink(live_hub)  # the learner's network, which can drop
    context, page = open_scorm12_course(LiveHub(link.url, live_hub.env), browser)
    link.down()  # the train enters a tunnel
    context.set_offline(True)
    sco(page).locator("#next").click()
    sco(page).locator("#page-2").wait_for()
    page.close(run_before_unload=True)  # its beacon cannot leave the device
    time.sleep(1)
    assert "page-2" not in str(live_hub.scalar(LOCATION_SQL))

    link.up()
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{link.url}/dashboard")
    course = page.locator("li.course-item", has_text="SCORM 1.2")
    course.locator("a.button:has-text('Continue')").click()
    page.wait_for_url("**/play/*")
    sco(page).locator("text=Connected to your LMS.").wait_for()
    sco(page).locator("#page-2").wait_for()  # resumed from the batch it queued
    _wait_for(lambda: "page-2" in str(live_hub.scalar(LOCATION_SQL)))
    queue = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('interop-scorm-queue:'))"
    )
    assert queue == []  # handed over, then cleared


def test_scorm2004_course_flows_by_navigation_requests(live_hub, browser):
    password = demo_learner(live_hub)
    page = browser.new_page()
    sign_in(page, live_hub, "learner@example.com", password)
    page.locator("li.course-item", has_text="SCORM 2004").locator("a.button").click()
    page.wait_for_url("**/play/*")
    first = sco(page)
    first.locator("text=Connected to your LMS.").wait_for()
    # The lesson pages through its cards, then asks for "continue" and terminates:
    # the player moves on to the next activity by itself.
    for _ in range(10):
        if "activity=planets" in page.url:
            break
        button = sco(page).locator("#next")
        if button.is_visible():
            button.click()
        page.wait_for_timeout(300)
    page.wait_for_url("**activity=planets", timeout=15_000)
    sco(page).locator("text=Connected to your LMS.").wait_for()
    assert page.evaluate("window.hubPlayer.config.current") == "planets"
    toc = page.locator(".toc").inner_text()
    assert "completed" in toc  # the first lesson, rolled up in the contents
