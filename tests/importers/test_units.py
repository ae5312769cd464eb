"""Small units: href joining, parameters, the report, sources and the registry."""

from __future__ import annotations

import io
import zipfile

import pytest

from importers import PackageImportError, ValidationReport, get_importer, read_package
from importers._manifest import join_base
from importers.archive import ArchiveEntry, _write_file, copy_entry
from importers.errors import Reason
from importers.model import join_parameters
from importers.source import DirectorySource, MemorySource, ZipSource
from tests.importers.builders import PAGE, scorm12_manifest, scorm2004_manifest


@pytest.mark.parametrize(
    ("base", "href", "expected"),
    [
        ("", "a.html", "a.html"),
        ("content/", "a.html", "content/a.html"),
        ("content/one/", "../two/a.html?x=1#top", "content/two/a.html?x=1#top"),
        (
            "content/",
            "https://cdn.example.org/a.html",
            "https://cdn.example.org/a.html",
        ),
        (
            "https://cdn.example.org/course/",
            "a.html",
            "https://cdn.example.org/course/a.html",
        ),
        ("", "../../etc/passwd", "etc/passwd"),
    ],
)
def test_join_base_resolves_relative_to_package(base, href, expected):
    assert join_base(base, href) == expected


@pytest.mark.parametrize(
    ("href", "parameters", "expected"),
    [
        ("a.html", None, "a.html"),
        ("a.html", "?x=1", "a.html?x=1"),
        ("a.html?y=2", "&x=1", "a.html?y=2&x=1"),
        ("a.html", "#part", "a.html#part"),
        ("a.html#top", "#part", "a.html#top"),
        ("a.html", "?", "a.html"),
    ],
)
def test_join_parameters_cam_rules(href, parameters, expected):
    assert join_parameters(href, parameters) == expected


def test_validation_report_status_follows_problems():
    report = ValidationReport(standard="scorm12")
    report.warning("w", "a warning", file="imsmanifest.xml", line=3)
    report.info("i", "for your information")
    assert report.status == "accepted" and report.accepted
    report.error("e", "broken")
    data = report.to_dict()
    assert data["status"] == "rejected"
    assert [p["code"] for p in data["warnings"]] == ["w"]
    assert [p["code"] for p in data["infos"]] == ["i"]
    assert data["warnings"][0]["line"] == 3


def test_get_importer_by_format_id():
    assert get_importer("scorm2004").label == "SCORM 2004"
    with pytest.raises(KeyError):
        get_importer("aicc")


class _FakeArchive:
    """Stands in for a zip whose member inflates to more than it declared."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def open(self, info):
        return io.BytesIO(self.data)


def test_copy_entry_longer_than_declared_rejected():
    info = zipfile.ZipInfo("a.html")
    info.file_size = 4
    with pytest.raises(PackageImportError, match="longer than it declares") as caught:
        copy_entry(
            _FakeArchive(b"12345678"), ArchiveEntry("a.html", info), io.BytesIO()
        )
    assert caught.value.reason is Reason.CORRUPT_ENTRY


def test_write_file_outside_folder_rejected(tmp_path):
    with pytest.raises(PackageImportError, match="outside the package folder"):
        _write_file(tmp_path / "pkg", "../escape.html")


def test_write_file_collision_rejected(tmp_path):
    _write_file(tmp_path, "a.html").close()
    with pytest.raises(PackageImportError, match="collides") as caught:
        _write_file(tmp_path, "a.html")
    assert caught.value.reason is Reason.DUPLICATE_ENTRY


def test_sources_missing_file_raises(tmp_path, make_zip):
    (tmp_path / "dir").mkdir()
    with zipfile.ZipFile(make_zip({"a.html": PAGE})) as archive:
        sources = [
            ZipSource(archive),
            DirectorySource(tmp_path / "dir"),
            MemorySource({}),
        ]
        for source in sources:
            with pytest.raises(
                PackageImportError, match="ghost.xml is not in the package"
            ) as caught:
                source.read_bytes("ghost.xml")
            assert caught.value.reason is Reason.MISSING_FILE


@pytest.mark.parametrize(
    ("manifest", "code"),
    [
        (
            scorm12_manifest().replace('<resource identifier="R1"', "<resource"),
            "missing_identifier",
        ),
        (
            scorm12_manifest('<item identifierref="R1"><title>t</title></item>'),
            "missing_identifier",
        ),
        (
            scorm12_manifest()
            .replace("<resources>", "<!--")
            .replace("</resources>", "-->"),
            "no_resources",
        ),
        (
            scorm12_manifest()
            .replace("<organizations", "<!--<x")
            .replace("</organizations>", "-->"),
            "no_organization",
        ),
    ],
)
def test_read_package_structural_gaps_rejected(make_zip, manifest, code):
    result = read_package(make_zip({"imsmanifest.xml": manifest, "index.html": PAGE}))
    assert code in [p.code for p in result.report.errors]


def test_read_package_item_without_title_lenient(make_zip):
    items = '<item identifier="I1" identifierref="R1"/>'
    files = {"imsmanifest.xml": scorm12_manifest(items), "index.html": PAGE}
    lenient = read_package(make_zip(files))
    assert lenient.accepted
    assert lenient.package.organizations[0].items[0].title == "I1"
    assert not read_package(make_zip(files), strict=True).accepted


def test_read_package_unreadable_numbers_keep_defaults(make_zip):
    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title><imsss:sequencing>'
        "<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>"
        '<imsss:ruleCondition condition="satisfied" measureThreshold="lots"/>'
        '</imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule>'
        '</imsss:sequencingRules><imsss:limitConditions attemptLimit="many"/>'
        "<imsss:objectives><imsss:primaryObjective>"
        "<imsss:minNormalizedMeasure>high</imsss:minNormalizedMeasure>"
        "</imsss:primaryObjective></imsss:objectives></imsss:sequencing></item>"
    )
    result = read_package(
        make_zip({"imsmanifest.xml": scorm2004_manifest(items), "index.html": PAGE})
    )
    assert result.accepted
    sequencing = result.package.organizations[0].items[0].sequencing
    assert sequencing.rules[0].conditions[0].measure_threshold == 0.0
    assert sequencing.limit_conditions.attempt_limit is None
    assert sequencing.objectives[0].min_normalized_measure == 1.0
    assert "schema" in [p.code for p in result.report.warnings]


def test_read_package_manifest_wrong_root_rejected(make_zip):
    result = read_package(
        make_zip({"imsmanifest.xml": "<course/>", "index.html": PAGE})
    )
    error = result.report.errors[0]
    assert (error.code, error.file) == ("no_manifest", "imsmanifest.xml")
    assert "does not hold" in error.message


def test_read_package_qti_sniff_skips_other_xml(make_zip):
    result = read_package(make_zip({"a.xml": "<notes/>", "b.xml": "<assessmentTest/>"}))
    assert result.report.standard == "qti"


def test_read_package_cmi5_unreadable_mastery_score(make_zip):
    ns = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
    text = '<langstring lang="en">t</langstring>'
    structure = (
        f'<courseStructure xmlns="{ns}"><course id="https://e.org/c"><title>{text}</title>'
        f'<description>{text}</description></course><au id="https://e.org/a" masteryScore="x">'
        f"<title>{text}</title><description>{text}</description><url>index.html</url></au>"
        "</courseStructure>"
    )
    result = read_package(make_zip({"cmi5.xml": structure, "index.html": PAGE}))
    assert not result.accepted
    assert "schema" in [p.code for p in result.report.errors]


@pytest.mark.parametrize(
    ("href", "unsafe"),
    [
        ("index.html", False),
        ("https://example.org/a", False),
        ("HTTP://example.org/a", False),
        ("javascript:alert(1)", True),
        ("data:text/html,hi", True),
        ("file:///etc/passwd", True),
        ("C:\\course\\index.html", True),
        ("http://[::1", False),
    ],
)
def test_is_unsafe_only_web_and_relative_allowed(href, unsafe):
    from importers._manifest import is_unsafe

    assert is_unsafe(href) is unsafe


@pytest.mark.parametrize(
    "href", ["javascript:alert(document.cookie)", "C:\\x\\index.html"]
)
def test_read_package_unsafe_launch_href_rejected(make_zip, href):
    resources = f'<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="{href}"/>'
    manifest = scorm12_manifest(resources=resources)
    result = read_package(make_zip({"imsmanifest.xml": manifest, "index.html": PAGE}))
    assert "unsafe_url" in [p.code for p in result.report.errors]


def test_read_package_backslash_href_normalized(make_zip):
    resources = (
        '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" '
        'href="content\\index.html"><file href="content\\index.html"/></resource>'
    )
    manifest = scorm12_manifest(resources=resources)
    result = read_package(
        make_zip({"imsmanifest.xml": manifest, "content/index.html": PAGE})
    )
    assert result.accepted, result.report.to_dict()
    assert result.package.launch_targets[0].url == "content/index.html"


def test_load_schema_cached_per_thread():
    import threading

    from importers.xsd import load_schema

    assert load_schema("cmi5") is load_schema("cmi5")
    other = []
    worker = threading.Thread(target=lambda: other.append(load_schema("cmi5")))
    worker.start()
    worker.join()
    assert other[0] is not load_schema("cmi5")
    with pytest.raises(KeyError):
        load_schema("aicc")
