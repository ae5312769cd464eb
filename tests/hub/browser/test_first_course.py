"""In Chromium: an admin signs in, creates a user and a course, enrolls the user; the
user signs in and finds the course on the dashboard, on a desktop and on a phone."""

import pytest

from tests.hub.browser.conftest import sign_in

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "an admin passphrase"
LEARNER_PASSWORD = "a learner passphrase"


def test_admin_enrolls_a_new_user_who_then_sees_the_course(live_hub, browser):
    live_hub.cli(
        "create-admin",
        "--org",
        "uni",
        "--org-name",
        "Uni",
        "--email",
        "admin@uni.example",
        "--password",
        ADMIN_PASSWORD,
    )
    page = browser.new_page()
    sign_in(page, live_hub, "admin@uni.example", ADMIN_PASSWORD)

    page.click("text=Courses")
    page.click("text=New course")
    page.fill("#f-code", "BIO-101")
    page.fill("#f-title", "Cell Biology")
    page.click("button:has-text('Create course')")
    page.wait_for_selector("text=Course BIO-101 created.")
    course_url = page.url

    page.click("nav >> text=Users")
    page.click("text=New user")
    page.fill("#f-email", "student@uni.example")
    page.fill("#f-given_name", "Sam")
    page.fill("#f-password", LEARNER_PASSWORD)
    page.click("button:has-text('Create user')")
    page.wait_for_selector("text=User student@uni.example created.")

    page.goto(course_url)
    page.select_option("#enroll-user", label="student@uni.example")
    page.click("button:has-text('Enroll user')")
    page.wait_for_selector("text=Enrolled.")
    assert page.is_visible("td:has-text('student@uni.example')")

    page.click("text=Sign out")
    page.wait_for_selector("text=You are signed out.")

    sign_in(page, live_hub, "student@uni.example", LEARNER_PASSWORD)
    assert page.is_visible("text=Cell Biology")
    assert page.is_visible("text=not started")
    assert not page.is_visible("nav >> text=Users")


def test_dashboard_navigation_works_on_a_phone(live_hub, browser):
    live_hub.cli(
        "create-admin",
        "--org",
        "uni",
        "--org-name",
        "Uni",
        "--email",
        "admin@uni.example",
        "--password",
        ADMIN_PASSWORD,
    )
    page = browser.new_page(viewport={"width": 375, "height": 740})
    sign_in(page, live_hub, "admin@uni.example", ADMIN_PASSWORD)
    assert not page.is_visible("nav >> text=Users")  # folded away behind the menu
    page.click("label.nav-toggle-label")
    page.click("nav >> text=Users")
    page.wait_for_url(f"{live_hub.url}/admin/users")
    # Table rows become cards: no sideways scrolling on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
