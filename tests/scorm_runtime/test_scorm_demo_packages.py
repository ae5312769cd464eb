"""The hub's demo packages run their first SCO on the adapter without API errors.

hub/demo/packages run in Chromium; the server accepts the batches (issue 4).
"""

import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from scorm_packages import (
    CHROMIUM,
    api_errors,
    chromium,
    commit_batches,
    first_launch,
    missing_files,
    run_first_sco,
    version_of,
)

from scorm_runtime import new_attempt_state

pytest.importorskip("playwright.sync_api")
DEMO = Path(__file__).resolve().parents[2] / "hub/demo/packages"
PACKAGES = sorted(p.name for p in DEMO.glob("*") if (p / "imsmanifest.xml").is_file())

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium not installed at /usr/bin/chromium"
    ),
    pytest.mark.skipif(not PACKAGES, reason="no demo packages in hub/demo/packages"),
]


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize("name", PACKAGES)
def test_demo_package_first_sco_runs_without_api_errors(browser, name, tmp_path):
    root = tmp_path / name
    shutil.copytree(DEMO / name, root)
    launch, needed, schemaversion = first_launch(
        ElementTree.parse(root / "imsmanifest.xml").getroot()
    )
    assert launch
    assert missing_files(root, launch, needed) == []
    state = new_attempt_state(
        version_of("", schemaversion), learner_id="demo-1", learner_name="Demo"
    )
    ran = run_first_sco(browser, root, launch, state)
    assert ran["loaded"] == "complete"
    assert ran["calls"][0][2] == "true"
    assert api_errors(ran["calls"]) == []
    _, errors = commit_batches(state, ran["batches"])
    assert errors == []
