"""Corpus packages run their first SCO on the adapter without API errors (issue 4).

Every package of ../shared/corpus not marked INTENTIONALLY INVALID, whose first SCO
is complete in the zip, runs in Chromium; the server accepts every batch it sends.
"""

import zipfile
from pathlib import Path, PurePosixPath
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
from tests.corpus import corpus_entries, requires_corpus

pytest.importorskip("playwright.sync_api")
ENTRIES = [
    entry
    for entry in corpus_entries("scorm12/") + corpus_entries("scorm2004/")
    if not entry.intentionally_invalid
]

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.browser,
    requires_corpus,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium not installed at /usr/bin/chromium"
    ),
]


def _extract(entry, target: Path) -> Path | None:
    with zipfile.ZipFile(entry.path) as archive:
        for name in archive.namelist():
            parts = PurePosixPath(name).parts
            if name.endswith("/") or ".." in parts or name.startswith("/"):
                continue
            destination = target.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(name))
    manifest = target / "imsmanifest.xml"
    return manifest if manifest.is_file() else None


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.file for e in ENTRIES])
def test_corpus_first_sco_runs_without_api_errors(browser, entry, tmp_path):
    manifest_path = _extract(entry, tmp_path)
    if manifest_path is None:
        pytest.skip("no imsmanifest.xml at the package root")
    try:
        root = ElementTree.parse(manifest_path).getroot()
    except ElementTree.ParseError:
        pytest.skip("imsmanifest.xml has no manifest element (EDGE package)")
    launch, needed, schemaversion = first_launch(root)
    missing = missing_files(tmp_path, launch, needed)
    if not launch or missing:
        pytest.skip(f"first SCO is incomplete in the package: {missing[:3]}")
    edition = entry.edition if entry.standard != "SCORM" else "1.2"
    version = version_of(entry.standard, f"{edition} {schemaversion}")
    state = new_attempt_state(version, learner_id="corpus-1", learner_name="Corpus")
    ran = run_first_sco(browser, tmp_path, launch, state)
    assert ran["loaded"] == "complete"
    # Content-packaging samples never call the API; a SCO that does starts with
    # Initialize and gets "true".
    if ran["calls"]:
        assert ran["calls"][0][0] in ("LMSInitialize", "Initialize")
        assert ran["calls"][0][2] == "true"
    assert api_errors(ran["calls"]) == []
    _, errors = commit_batches(state, ran["batches"])
    assert errors == []
