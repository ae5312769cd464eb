"""read_package: sources, detection, unsupported formats and the JSON report."""

from __future__ import annotations

import io
import json
import logging

import pytest

from importers import ExtractionLimits, read_package
from tests.importers.builders import PAGE, scorm12_manifest, scorm2004_manifest


def _error(result):
    assert result.package is None
    return result.report.errors[0]


def test_read_package_directory_source_accepted(tmp_path):
    root = tmp_path / "unpacked" / "course"
    root.mkdir(parents=True)
    (root / "imsmanifest.xml").write_text(scorm12_manifest())
    (root / "index.html").write_bytes(PAGE)
    (root / "escape").symlink_to(tmp_path)
    (root / "linked.html").symlink_to(root / "index.html")
    result = read_package(tmp_path / "unpacked")
    assert result.accepted, result.report.to_dict()
    assert result.package.root == "course/"
    assert [p.code for p in result.report.problems] == ["nested_root"]


def test_read_package_directory_large_xml_rejected(tmp_path):
    (tmp_path / "imsmanifest.xml").write_text(scorm12_manifest())
    result = read_package(tmp_path, limits=ExtractionLimits(max_xml_size=100))
    assert _error(result).code == "too_large"


def test_read_package_zip_file_object_accepted(make_zip):
    package = make_zip({"imsmanifest.xml": scorm2004_manifest(), "index.html": PAGE})
    stream = io.BytesIO(package.read_bytes())
    result = read_package(stream)
    assert result.accepted
    assert result.package.standard == "scorm2004"


def test_read_package_xml_file_object_standalone_cmi5(tmp_path):
    stream = io.BytesIO(
        b'<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"/>'
    )
    result = read_package(stream)
    assert result.report.standard == "cmi5"
    assert not result.accepted


def test_read_package_nested_folder_problem_paths_include_folder(make_zip):
    manifest = scorm12_manifest(
        '<item identifier="I1" identifierref="X"><title>t</title></item>'
    )
    result = read_package(
        make_zip({"course/imsmanifest.xml": manifest, "course/index.html": PAGE})
    )
    error = result.report.errors[0]
    assert (error.code, error.file) == (
        "unknown_identifierref",
        "course/imsmanifest.xml",
    )


@pytest.mark.parametrize(
    ("files", "code", "match"),
    [
        ({"test.htm": ""}, "no_manifest", "no imsmanifest.xml"),
        ({"imsmanifest.xml": '<?xml version="1.0"?>'}, "malformed_xml", "is empty"),
        (
            {"imsmanifest.xml": "<manifest><oops></manifest>"},
            "malformed_xml",
            "not well-formed",
        ),
        (
            {"sub/imsmanifest.xml": "<?xml version='1.0'?>\n"},
            "malformed_xml",
            "sub/imsmanifest.xml is empty",
        ),
    ],
)
def test_read_package_broken_packages_rejected(make_zip, files, code, match):
    error = _error(read_package(make_zip(files)))
    assert error.code == code
    assert match in error.message


def test_read_package_malformed_xml_located(make_zip):
    error = _error(
        read_package(make_zip({"imsmanifest.xml": "<manifest>\n  <a>\n</manifest>"}))
    )
    assert (error.file, error.line, error.column) == ("imsmanifest.xml", 3, 12)


def test_read_package_entity_expansion_not_performed(make_zip):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="&b;"/>'
    )
    result = read_package(make_zip({"imsmanifest.xml": bomb}))
    assert result.report.standard == "imscp"


def test_read_package_not_a_zip_rejected(tmp_path):
    path = tmp_path / "readme.zip"
    path.write_text("# A markdown file\n")
    error = _error(read_package(path))
    assert error.code == "not_a_zip"


def test_read_package_unsafe_zip_reported_not_raised(tmp_path):
    import zipfile

    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../etc/cron.d/x", "boom")
    error = _error(read_package(path))
    assert (error.code, error.file) == ("unsafe_path", "../../etc/cron.d/x")


@pytest.mark.parametrize(
    ("files", "standard", "match"),
    [
        (
            {
                "imsmanifest.xml": '<manifest xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"/>'
            },
            "cc",
            "Common Cartridge",
        ),
        (
            {
                "imsmanifest.xml": '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1">'
                '<resources><resource identifier="q" type="imsqti_item_xmlv2p1"/>'
                "</resources></manifest>"
            },
            "qti",
            "QTI",
        ),
        (
            {
                "imsmanifest.xml": '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"/>'
            },
            "imscp",
            "without SCORM",
        ),
        ({"course.crs": "[Course]", "course.au": "x", "index.htm": ""}, "aicc", "AICC"),
        ({"item.xml": "<assessmentItem/>"}, "qti", "QTI"),
    ],
)
def test_read_package_unsupported_formats_named(make_zip, files, standard, match):
    result = read_package(make_zip(files))
    error = _error(result)
    assert error.code == "unsupported_format"
    assert result.report.standard == standard
    assert match in error.message


def test_read_package_qti_sniff_skips_broken_xml(make_zip, caplog):
    with caplog.at_level(logging.WARNING, logger="importers.unsupported"):
        result = read_package(
            make_zip({"a.xml": "<broken", "b.xml": "<questestinterop/>"})
        )
    assert result.report.standard == "qti"
    assert "not sniffing a.xml" in caplog.text


def test_read_package_standalone_qti_xml_unsupported(tmp_path):
    path = tmp_path / "pool.dat"
    path.write_text("<questestinterop><item/></questestinterop>")
    assert _error(read_package(path)).code == "unsupported_format"


def test_read_package_standalone_manifest_read(tmp_path):
    path = tmp_path / "imsmanifest.xml"
    path.write_text(scorm12_manifest())
    result = read_package(path)
    assert result.accepted
    assert "manifest_only" in [p.code for p in result.report.warnings]


def test_read_package_too_many_entries_reported(make_zip):
    package = make_zip({f"{i}.html": PAGE for i in range(3)})
    error = _error(read_package(package, limits=ExtractionLimits(max_entries=2)))
    assert error.code == "too_many_entries"


def test_read_package_xml_over_limit_rejected(make_zip):
    package = make_zip({"imsmanifest.xml": scorm12_manifest(), "index.html": PAGE})
    error = _error(read_package(package, limits=ExtractionLimits(max_xml_size=64)))
    assert error.code == "too_large"


def test_read_package_standalone_over_limit_rejected(tmp_path):
    path = tmp_path / "cmi5.xml"
    path.write_text("<courseStructure>" + " " * 200 + "</courseStructure>")
    error = _error(read_package(path, limits=ExtractionLimits(max_xml_size=64)))
    assert error.code == "too_large"


def test_import_result_to_dict_json_ready(make_zip):
    result = read_package(
        make_zip({"imsmanifest.xml": scorm2004_manifest(), "index.html": PAGE})
    )
    data = json.loads(json.dumps(result.to_dict()))
    report = data["report"]
    assert {"status", "standard", "edition", "title", "errors", "warnings"} <= set(
        report
    )
    assert report["status"] == "accepted"
    assert data["package"]["organizations"][0]["items"][0]["identifier"] == "I1"
    assert data["package"]["launch_targets"][0]["url"] == "index.html"


def test_import_result_rejected_to_dict_has_problem_fields(make_zip):
    result = read_package(make_zip({"test.htm": ""}))
    data = result.to_dict()
    assert data["package"] is None
    problem = data["report"]["errors"][0]
    assert set(problem) == {"severity", "code", "message", "file", "line", "column"}
    assert problem["severity"] == "error"


def test_read_package_external_entity_not_loaded(make_zip, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<tincan xmlns="http://projecttincan.com/tincan.xsd"><activities>'
        '<activity id="http://e.org/a"><name>&x;</name><launch>index.html</launch>'
        "</activity></activities></tincan>"
    )
    result = read_package(make_zip({"tincan.xml": xxe, "index.html": PAGE}))
    assert "TOP-SECRET" not in json.dumps(result.to_dict())


@pytest.mark.parametrize("build", [scorm12_manifest, scorm2004_manifest])
@pytest.mark.parametrize(
    "entity", ['<!ENTITY x SYSTEM "file:///etc/passwd">', '<!ENTITY x "internal">']
)
def test_read_package_entity_reference_in_text_rejected_with_its_line(
    make_zip, build, entity
):
    """An unexpanded entity in a SCORM manifest is reported where it is (it used
    to reach the XSD check, where libxml2 raised an internal error)."""
    manifest = build().replace("?>\n", f"?>\n<!DOCTYPE manifest [{entity}]>\n", 1)
    manifest = manifest.replace("<title>", "<title>&x;", 1)
    error = _error(
        read_package(make_zip({"imsmanifest.xml": manifest, "a.html": PAGE}))
    )
    assert error.file == "imsmanifest.xml" and error.line is not None
    assert "entity &x;" in error.message and "passwd" not in error.message


def test_schema_check_that_cannot_run_is_an_issue_not_a_crash():
    from lxml import etree

    from importers.xsd import validate

    root = etree.fromstring(
        scorm12_manifest().encode(), etree.XMLParser(resolve_entities=False)
    )
    next(root.iter("{*}title")).append(etree.Entity("x"))
    (issue,) = validate(root, "scorm12")
    assert issue.message.startswith("the schema check could not run")


def test_read_package_zip_in_zip_hinted(make_zip):
    inner = make_zip({"imsmanifest.xml": scorm12_manifest()}).read_bytes()
    error = _error(read_package(make_zip({"course_scorm.zip": inner})))
    assert "'course_scorm.zip': was the package zipped twice?" in error.message


def test_read_package_manifest_too_deep_hinted(make_zip):
    package = make_zip(
        {"readme.txt": "hi", "course/imsmanifest.xml": scorm12_manifest()}
    )
    error = _error(read_package(package))
    assert "'course/imsmanifest.xml' should be at the top of the zip" in error.message


def test_read_package_missing_path_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_package(tmp_path / "nowhere.zip")
