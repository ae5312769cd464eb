"""Every real-world package of ../shared/corpus gets the outcome its notes call for.

Two packages are judged differently from their MANIFEST.tsv notes, on purpose
(docs in importers/README.md):

- ``edge_InvalidFileReferences_SCORM12.zip`` is a manifest-only package; so
  are the ADL conformance packages, whose notes say their absent files are
  expected. One rule serves both: in a package that ships no content at all,
  missing files are warnings (lenient) and errors (strict).
- ``moodle_validscorm.zip``'s manifest is only an XML declaration: nothing can
  be launched, so it is rejected (Moodle only uses it for an upload check).
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest

from importers import extract_package, read_package
from tests.corpus import CorpusEntry, corpus_entries, requires_corpus

UNSUPPORTED_FOLDERS = ("cc/", "aicc/", "qti/")
STANDARDS = {
    "SCORM": "scorm12",
    "SCORM 2004": "scorm2004",
    "cmi5": "cmi5",
    "xAPI (Tin Can)": "xapi",
}
#: file -> (expected status, why it differs from the notes)
JUDGED_DIFFERENTLY = {
    "scorm12/edge_InvalidFileReferences_SCORM12.zip": (
        "accepted",
        "manifest-only package: missing files are warnings in lenient mode",
    ),
    "scorm12/moodle_validscorm.zip": ("rejected", "empty manifest, nothing to launch"),
}

ENTRIES = corpus_entries()


def _expected(entry: CorpusEntry) -> str:
    if entry.file in JUDGED_DIFFERENTLY:
        return JUDGED_DIFFERENTLY[entry.file][0]
    if entry.file.startswith(UNSUPPORTED_FOLDERS):
        return "unsupported"
    if entry.intentionally_invalid and "cosmetic" not in entry.notes:
        return "rejected"
    return "accepted"


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("entry", ENTRIES, ids=[e.file for e in ENTRIES])
def test_read_package_corpus_outcome_matches_notes(entry, record_property):
    result = read_package(entry.path)
    report = result.report.to_dict()
    record_property("report", report)
    for problem in report["warnings"]:
        # The issue asks for the warnings of accepted corpus packages to be
        # shown; pytest prints captured output with -rP or -s.
        print(f"{entry.file}: {problem['code']}: {problem['message']}")  # noqa: T201
    expected = _expected(entry)
    if expected == "unsupported":
        assert [e["code"] for e in report["errors"]] == ["unsupported_format"], report
        assert "not supported" in report["errors"][0]["message"]
    elif expected == "rejected":
        assert result.package is None, report
        assert report["errors"], report
        assert all(e["message"] for e in report["errors"])
    else:
        assert result.package is not None, report
        assert result.package.standard == STANDARDS[entry.standard]
        assert report["edition"].split()[0] in entry.edition
        assert result.package.launch_targets
        if entry.intentionally_invalid:
            assert report["warnings"], report


@pytest.mark.corpus
@requires_corpus
def test_read_package_corpus_invalid_file_references_strict_rejected():
    entry = next(
        e for e in ENTRIES if e.file.endswith("InvalidFileReferences_SCORM12.zip")
    )
    result = read_package(entry.path, strict=True)
    messages = [p.message for p in result.report.errors]
    assert (
        "resource 'resource_1' href 'content/nonexistent.html' is not in the package"
        in (messages)
    )


@pytest.mark.corpus
@requires_corpus
def test_read_package_corpus_sequencing_collection_read():
    entry = next(e for e in ENTRIES if e.file.endswith("LMSTestPackage_CM-07d.zip"))
    package = read_package(entry.path).package
    assert [s.id for s in package.sequencing_collection] == ["seqCol-CM07d-1"]
    refs = [
        item.sequencing.id_ref
        for item in package.organizations[0].walk()
        if item.sequencing and item.sequencing.id_ref
    ]
    assert refs == ["seqCol-CM07d-1"] * 4


ACCEPTED_ZIPS = [
    e for e in ENTRIES if _expected(e) == "accepted" and e.file.endswith(".zip")
]


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("entry", ACCEPTED_ZIPS, ids=[e.file for e in ACCEPTED_ZIPS])
def test_extract_package_corpus_launch_files_on_disk(entry, tmp_path):
    package = read_package(entry.path).package
    extracted = extract_package(entry.path, tmp_path / "pkg")
    assert extracted.files
    assert not any(name.startswith("__MACOSX/") for name in extracted.files)
    on_disk = set(extracted.files)
    shipped = [
        unquote(urlsplit(target.url).path)
        for target in package.launch_targets
        if not urlsplit(target.url).scheme
    ]
    if len(on_disk) > 1:
        assert any(path in on_disk for path in shipped), shipped


@pytest.mark.corpus
@requires_corpus
def test_read_package_corpus_utf8_name_without_flag_decoded(tmp_path):
    entry = next(e for e in ENTRIES if e.file.endswith("pyslet_imscp1.2_package_1.zip"))
    extracted = extract_package(entry.path, tmp_path / "pkg")
    assert extracted.files == ("imsmanifest.xml", "英国.xml")
