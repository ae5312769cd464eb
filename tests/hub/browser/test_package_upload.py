"""In Chromium: an author uploads a package, watches the progress, reads the report and
makes a course of it; a broken package shows its problems with file and line."""

import random
import zipfile
from pathlib import Path

import pytest

from tests.hub.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("live_hub", ["embedded", "worker"], indirect=True),
]

DEMO = Path(__file__).resolve().parents[3] / "hub" / "demo" / "packages"
PASSWORD = "an author passphrase"  # the author signs in with it


def make_zip(target: Path, folder: Path, *, break_launch: bool = False) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            name = path.relative_to(folder).as_posix()
            data = path.read_bytes()
            if break_launch and name == "imsmanifest.xml":
                data = data.replace(b'href="welcome.html"', b'href="gone.html"', 1)
            zf.writestr(name, data)
        # Some weight, so that the upload progress has something to show.
        zf.writestr("media/filler.bin", random.Random(7).randbytes(2 * 1024 * 1024))
    return target


def test_upload_shows_progress_then_the_report_and_makes_a_course(
    live_hub, browser, tmp_path
):
    live_hub.cli(
        "create-admin",
        "--org",
        "uni",
        "--org-name",
        "Uni",
        "--email",
        "author@uni.example",
        "--password",
        PASSWORD,
    )
    package = make_zip(tmp_path / "intro.zip", DEMO / "scorm12-intro")
    page = browser.new_page()
    sign_in(page, live_hub, "author@uni.example", PASSWORD)
    page.click("nav >> text=Packages")
    assert not page.is_visible("[data-upload-progress]")  # until an upload starts
    page.set_input_files("#f-file", str(package))
    page.click("button:has-text('Upload')")
    page.wait_for_selector("[data-upload-progress]:not([hidden])")
    page.wait_for_url("**/admin/packages/jobs/*", timeout=60_000)
    page.wait_for_selector("text=Open the package", timeout=60_000)
    assert page.is_visible("[data-job-badge]:has-text('succeeded')")
    assert page.is_visible("text=No problems found.")

    page.click("text=Open the package")
    assert page.is_visible("text=Version 1")
    assert page.is_visible(".outline >> text=welcome.html")
    page.fill("#f-code", "INTRO")
    page.click("button:has-text('Create course')")
    page.wait_for_selector("text=Course INTRO created from this package.")

    page.go_back()
    page.reload()
    # The package page now lists the course that delivers it.
    assert page.locator("small.muted", has_text="INTRO").count() == 1
    # The author previews the SCO in the player (browse mode, nothing recorded).
    page.click("text=Preview in the player")
    page.wait_for_url("**/preview/*")
    assert page.is_visible("[data-not-recorded]")
    page.wait_for_function("window.hubPlayer && window.hubPlayer.calls.length > 0")
    calls = page.evaluate("window.hubPlayer.calls")
    assert calls[0]["method"] == "LMSInitialize" and calls[0]["result"] == "true"
    assert [c for c in calls if str(c["error"]) != "0"] == []


def test_broken_package_report_names_file_and_line(live_hub, browser, tmp_path):
    live_hub.cli(
        "create-admin",
        "--org",
        "uni",
        "--org-name",
        "Uni",
        "--email",
        "author@uni.example",
        "--password",
        PASSWORD,
    )
    package = make_zip(
        tmp_path / "broken.zip", DEMO / "scorm12-intro", break_launch=True
    )
    page = browser.new_page()
    sign_in(page, live_hub, "author@uni.example", PASSWORD)
    page.goto(f"{live_hub.url}/admin/packages")
    page.set_input_files("#f-file", str(package))
    page.click("button:has-text('Upload')")
    page.wait_for_url("**/admin/packages/jobs/*", timeout=60_000)
    page.wait_for_selector("[data-job-badge]:has-text('failed')", timeout=60_000)
    row = page.locator("table.report tr", has_text="gone.html").first
    assert "imsmanifest.xml:" in row.inner_text()
