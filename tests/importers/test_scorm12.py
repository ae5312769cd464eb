"""SCORM 1.2 reading: detection, item fields, identifiers, files, strictness."""

from __future__ import annotations

from html import escape

import pytest

from importers import read_package
from tests.importers.builders import PAGE, scorm12_manifest


def _codes(result, severity="errors"):
    return [p["code"] for p in result.report.to_dict()[severity]]


def test_read_package_scorm12_minimal_accepted(make_zip):
    result = read_package(
        make_zip({"imsmanifest.xml": scorm12_manifest(), "index.html": PAGE})
    )
    assert result.report.status == "accepted"
    package = result.package
    assert (package.standard, package.edition, package.title) == (
        "scorm12",
        "1.2",
        "Course",
    )
    assert package.default_organization == "ORG"
    assert [t.url for t in package.launch_targets] == ["index.html"]
    assert package.launch_targets[0].kind == "sco"
    assert package.resources[0].files == ("index.html",)


def test_read_package_scorm12_adlcp_fields_read(make_zip):
    items = (
        '<item identifier="I0" identifierref="R1"><title>Zero</title></item>'
        '<item identifier="I1" identifierref="R1" isvisible="false" parameters="?a=1">'
        "<title>One</title>"
        '<adlcp:prerequisites type="aicc_script">I0</adlcp:prerequisites>'
        "<adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>"
        "<adlcp:timelimitaction>exit,message</adlcp:timelimitaction>"
        "<adlcp:datafromlms>hello</adlcp:datafromlms>"
        "<adlcp:masteryscore>80</adlcp:masteryscore></item>"
    )
    result = read_package(
        make_zip({"imsmanifest.xml": scorm12_manifest(items), "index.html": PAGE}),
        strict=True,
    )
    assert result.report.status == "accepted", result.report.to_dict()
    item = result.package.organizations[0].items[1]
    assert item.isvisible is False
    assert item.launch_url == "index.html?a=1"
    assert (item.prerequisites, item.max_time_allowed) == ("I0", "00:30:00")
    assert (item.time_limit_action, item.data_from_lms) == ("exit,message", "hello")
    assert item.mastery_score == 80.0


@pytest.mark.parametrize("score", ["120", "high"])
def test_read_package_scorm12_bad_masteryscore_warned(make_zip, score):
    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title>'
        f"<adlcp:masteryscore>{score}</adlcp:masteryscore></item>"
    )
    result = read_package(
        make_zip({"imsmanifest.xml": scorm12_manifest(items), "index.html": PAGE})
    )
    assert result.accepted
    assert result.package.organizations[0].items[0].mastery_score is None
    assert "invalid_value" in _codes(result, "warnings")


def test_read_package_unknown_identifierref_rejected(make_zip):
    items = '<item identifier="I1" identifierref="NOPE"><title>One</title></item>'
    result = read_package(
        make_zip({"imsmanifest.xml": scorm12_manifest(items), "index.html": PAGE})
    )
    assert result.package is None
    error = result.report.errors[0]
    assert error.code == "unknown_identifierref"
    assert "'NOPE'" in error.message
    assert (error.file, error.line) == ("imsmanifest.xml", 5)


def test_read_package_missing_launch_file_rejected(make_zip):
    package = make_zip({"imsmanifest.xml": scorm12_manifest(), "other.html": PAGE})
    result = read_package(package)
    assert result.report.status == "rejected"
    messages = [p.message for p in result.report.errors]
    assert "resource 'R1' href 'index.html' is not in the package" in messages


def test_read_package_launch_file_case_repaired_lenient(make_zip):
    resources = (
        '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" '
        'href="Lesson%20One/Index.html?p=1"><file href="Lesson%20One/Index.html"/></resource>'
    )
    manifest = scorm12_manifest(resources=resources)
    package = make_zip({"imsmanifest.xml": manifest, "lesson one/index.html": PAGE})
    result = read_package(package)
    assert result.accepted
    assert result.package.launch_targets[0].url == "lesson%20one/index.html?p=1"
    assert "case_mismatch" in [p.code for p in result.report.warnings]


def test_read_package_missing_launch_file_case_hint_strict(make_zip):
    package = make_zip({"imsmanifest.xml": scorm12_manifest(), "Index.html": PAGE})
    result = read_package(package, strict=True)
    assert "differs in letter case" in result.report.errors[0].message


def test_read_package_manifest_only_warned_not_rejected(make_zip):
    result = read_package(make_zip({"imsmanifest.xml": scorm12_manifest()}))
    assert result.accepted
    assert {"manifest_only", "missing_launch_file", "missing_file"} <= set(
        _codes(result, "warnings")
    )


def test_read_package_manifest_only_strict_rejected(make_zip):
    result = read_package(
        make_zip({"imsmanifest.xml": scorm12_manifest()}), strict=True
    )
    assert "missing_launch_file" in _codes(result)


def test_read_package_missing_listed_file_lenient_warning_strict_error(make_zip):
    resources = (
        '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" '
        'href="index.html"><file href="index.html"/><file href="gone.js"/></resource>'
    )
    files = {
        "imsmanifest.xml": scorm12_manifest(resources=resources),
        "index.html": PAGE,
    }
    lenient = read_package(make_zip(files))
    strict = read_package(make_zip(files), strict=True)
    assert lenient.accepted and "missing_file" in _codes(lenient, "warnings")
    assert not strict.accepted and "missing_file" in _codes(strict)


def test_read_package_percent_encoded_href_found(make_zip):
    resources = (
        '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" '
        'href="my%20page.html"><file href="my%20page.html"/></resource>'
    )
    package = make_zip(
        {"imsmanifest.xml": scorm12_manifest(resources=resources), "my page.html": PAGE}
    )
    result = read_package(package, strict=True)
    assert result.accepted, result.report.to_dict()
    assert result.package.launch_targets[0].url == "my%20page.html"


def test_read_package_duplicate_item_identifier_rejected(make_zip):
    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title></item>'
        '<item identifier="I1" identifierref="R1"><title>Two</title></item>'
    )
    result = read_package(
        make_zip({"imsmanifest.xml": scorm12_manifest(items), "index.html": PAGE})
    )
    assert _codes(result) == ["duplicate_identifier"]


def test_read_package_duplicate_resource_identifier_rejected(make_zip):
    resource = (
        '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" '
        'href="index.html"/>'
    )
    manifest = scorm12_manifest(resources=resource * 2)
    result = read_package(make_zip({"imsmanifest.xml": manifest, "index.html": PAGE}))
    assert "resource identifier 'R1' is used twice" in [
        p.message for p in result.report.errors
    ]


def test_read_package_schema_error_lenient_warning_strict_rejected(make_zip):
    items = '<item identifier="I1" identifierref="R1" isvisible="maybe"><title>One</title></item>'
    files = {"imsmanifest.xml": scorm12_manifest(items), "index.html": PAGE}
    lenient = read_package(make_zip(files))
    strict = read_package(make_zip(files), strict=True)
    assert lenient.accepted
    warning = lenient.report.warnings[0]
    assert (warning.code, warning.line) == ("schema", 5)
    assert "isvisible" in warning.message
    assert strict.report.errors[0].code == "schema"


def test_read_package_missing_org_title_rejected(make_zip):
    manifest = scorm12_manifest(org_title="")
    result = read_package(make_zip({"imsmanifest.xml": manifest, "index.html": PAGE}))
    assert "organization 'ORG' has no <title>" in [
        p.message for p in result.report.errors
    ]


def test_read_package_no_default_first_org_used(make_zip):
    manifest = scorm12_manifest(default="")
    result = read_package(make_zip({"imsmanifest.xml": manifest, "index.html": PAGE}))
    assert result.accepted
    assert result.package.default_organization == "ORG"
    assert "no_default_organization" in _codes(result, "warnings")


def test_read_package_unknown_default_rejected(make_zip):
    manifest = scorm12_manifest(default='default="ELSEWHERE"')
    result = read_package(make_zip({"imsmanifest.xml": manifest, "index.html": PAGE}))
    assert "unknown_default_organization" in _codes(result)


def test_read_package_no_launchable_item_rejected(make_zip):
    items = '<item identifier="I1"><title>Folder only</title></item>'
    result = read_package(
        make_zip({"imsmanifest.xml": scorm12_manifest(items), "index.html": PAGE})
    )
    assert "nothing_to_launch" in _codes(result)


def test_read_package_resource_without_href_rejected(make_zip):
    resources = '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco"/>'
    manifest = scorm12_manifest(resources=resources)
    result = read_package(make_zip({"imsmanifest.xml": manifest, "index.html": PAGE}))
    assert "item 'I1' launches resource 'R1', which has no href" in [
        p.message for p in result.report.errors
    ]


def test_read_package_missing_scormtype_treated_as_asset(make_zip):
    resources = '<resource identifier="R1" type="webcontent" href="index.html"/>'
    manifest = scorm12_manifest(resources=resources)
    result = read_package(make_zip({"imsmanifest.xml": manifest, "index.html": PAGE}))
    assert result.accepted
    assert result.package.launch_targets[0].kind == "asset"
    assert "missing_scorm_type" in _codes(result, "warnings")


def test_read_package_unknown_dependency_warned(make_zip):
    resources = (
        '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" '
        'href="index.html"><dependency identifierref="GHOST"/></resource>'
    )
    manifest = scorm12_manifest(resources=resources)
    result = read_package(make_zip({"imsmanifest.xml": manifest, "index.html": PAGE}))
    assert result.accepted
    assert "unknown_dependency" in _codes(result, "warnings")


def test_read_package_bom_and_utf16_manifest_read(make_zip):
    manifest = scorm12_manifest().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    utf16 = make_zip({"imsmanifest.xml": manifest.encode("utf-16"), "index.html": PAGE})
    bom = make_zip(
        {
            "imsmanifest.xml": b"\xef\xbb\xbf" + scorm12_manifest().encode(),
            "index.html": PAGE,
        }
    )
    assert read_package(utf16).accepted
    assert read_package(bom).accepted


def test_read_package_nested_items_walk_in_order(make_zip):
    items = (
        '<item identifier="P"><title>Part</title>'
        '<item identifier="C1" identifierref="R1"><title>A</title></item>'
        '<item identifier="C2" identifierref="R1" parameters="#p2"><title>B</title></item>'
        "</item>"
    )
    result = read_package(
        make_zip({"imsmanifest.xml": scorm12_manifest(items), "index.html": PAGE})
    )
    org = result.package.organizations[0]
    assert [i.identifier for i in org.walk()] == ["P", "C1", "C2"]
    assert [t.url for t in result.package.launch_targets] == [
        "index.html",
        "index.html#p2",
    ]


@pytest.mark.parametrize(
    ("script", "unknown"),
    [
        ("I0", []),
        ('I0="passed" | ~I2', []),
        ("2*{I0,I2,I1}", []),
        ("I0 & ghost", ["ghost"]),
    ],
)
def test_read_package_prerequisite_references_checked(make_zip, script, unknown):
    items = (
        '<item identifier="I0" identifierref="R1"><title>Zero</title></item>'
        '<item identifier="I1" identifierref="R1"><title>One</title>'
        f'<adlcp:prerequisites type="aicc_script">{escape(script, quote=False)}'
        "</adlcp:prerequisites></item>"
        '<item identifier="I2" identifierref="R1"><title>Two</title></item>'
    )
    result = read_package(
        make_zip({"imsmanifest.xml": scorm12_manifest(items), "index.html": PAGE})
    )
    assert result.accepted
    found = [
        p.message for p in result.report.warnings if p.code == "unknown_prerequisite"
    ]
    assert [m.split("'")[3] for m in found] == unknown


def test_read_package_bad_maxtimeallowed_warned(make_zip):
    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title>'
        "<adlcp:maxtimeallowed>half an hour</adlcp:maxtimeallowed></item>"
    )
    result = read_package(
        make_zip({"imsmanifest.xml": scorm12_manifest(items), "index.html": PAGE})
    )
    assert "not a time span" in result.report.warnings[0].message
    assert result.package.organizations[0].items[0].max_time_allowed == "half an hour"


def test_read_package_prerequisites_skipped_without_organization(make_zip):
    manifest = scorm12_manifest(default='default="NONE"')
    result = read_package(make_zip({"imsmanifest.xml": manifest, "index.html": PAGE}))
    assert [p.code for p in result.report.errors] == ["unknown_default_organization"]
