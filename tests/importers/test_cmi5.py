"""cmi5 course structures: zipped and standalone, AU URL and id rules."""

from __future__ import annotations

import pytest

from importers import Cmi5Block, read_package

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
PAGE = b"<html></html>"


def _text(value: str) -> str:
    return (
        f'<langstring lang="fr">{value} (fr)</langstring>'
        f'<langstring lang="en-US">{value}</langstring>'
    )


def au(
    url: str = "index.html",
    au_id: str = "https://example.org/au/1",
    attrs: str = 'moveOn="Passed" masteryScore="0.8" launchMethod="OwnWindow"',
    extra: str = "",
) -> str:
    return (
        f'<au id="{au_id}" {attrs} activityType="http://example.org/type">'
        f"<title>{_text('Lesson')}</title><description>{_text('About')}</description>"
        f"{extra}<url>{url}</url>"
        "<launchParameters>mode=fast</launchParameters><entitlementKey>key-1</entitlementKey>"
        "</au>"
    )


def course(
    body: str, course_id: str = "https://example.org/course", objectives: str = ""
) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><courseStructure xmlns="{NS}">'
        f'<course id="{course_id}"><title>{_text("Geology")}</title>'
        f"<description>{_text('Rocks')}</description></course>{objectives}{body}</courseStructure>"
    )


OBJECTIVES = (
    '<objectives><objective id="https://example.org/obj/1">'
    f"<title>{_text('Obj')}</title><description>{_text('Goal')}</description>"
    "</objective></objectives>"
)


def test_read_package_cmi5_zip_accepted(make_zip):
    refs = '<objectives><objective idref="https://example.org/obj/1"/></objectives>'
    body = (
        f'<block id="https://example.org/block/1"><title>{_text("Unit")}</title>'
        f"<description>{_text('Unit one')}</description>{refs}{au(extra=refs)}</block>"
        + au("page.html?x=1", "https://example.org/au/2", "")
    )
    package = {
        "cmi5.xml": course(body, objectives=OBJECTIVES),
        "index.html": PAGE,
        "page.html": PAGE,
    }
    result = read_package(make_zip(package))
    assert result.accepted, result.report.to_dict()
    structure = result.package.course
    assert (structure.id, structure.title, structure.description) == (
        "https://example.org/course",
        "Geology",
        "Rocks",
    )
    assert structure.objectives[0].title == "Obj"
    block = structure.children[0]
    assert isinstance(block, Cmi5Block) and block.objectives == (
        "https://example.org/obj/1",
    )
    first, second = structure.aus()
    assert (first.move_on, first.mastery_score, first.launch_method) == (
        "Passed",
        0.8,
        "OwnWindow",
    )
    assert (first.launch_parameters, first.entitlement_key) == ("mode=fast", "key-1")
    assert first.activity_type == "http://example.org/type"
    assert (second.move_on, second.mastery_score, second.launch_method) == (
        "NotApplicable",
        None,
        "AnyWindow",
    )
    assert [t.url for t in result.package.launch_targets] == [
        "index.html",
        "page.html?x=1",
    ]
    assert result.report.to_dict()["standard"] == "cmi5"


def test_read_package_cmi5_standalone_absolute_urls_accepted(tmp_path):
    path = tmp_path / "course.xml"
    path.write_text(course(au("https://cdn.example.org/au/index.html")))
    result = read_package(path)
    assert result.accepted, result.report.to_dict()
    assert (
        result.package.launch_targets[0].url == "https://cdn.example.org/au/index.html"
    )


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("index.html", "is relative"),
        ("https://example.org/a b.html", "is not a valid URL"),
        ("https://example.org/au?registration=1", "registration"),
        ("javascript:alert(1)", "is not a valid URL"),
    ],
)
def test_read_package_cmi5_standalone_bad_url_rejected(tmp_path, url, match):
    path = tmp_path / "course.xml"
    path.write_text(course(au(url)))
    result = read_package(path)
    assert not result.accepted
    assert any(match in p.message for p in result.report.errors)


def test_read_package_cmi5_missing_au_file_rejected(make_zip):
    result = read_package(make_zip({"cmi5.xml": course(au("missing.html"))}))
    assert (
        "AU url 'missing.html' names 'missing.html', which is not in the package"
        in [p.message for p in result.report.errors]
    )


def test_read_package_cmi5_duplicate_au_rejected(make_zip):
    result = read_package(
        make_zip({"cmi5.xml": course(au() + au()), "index.html": PAGE})
    )
    assert [p.code for p in result.report.errors] == ["duplicate_identifier"]


def test_read_package_cmi5_relative_course_id_rejected(make_zip):
    result = read_package(
        make_zip({"cmi5.xml": course(au(), course_id="course-1"), "index.html": PAGE})
    )
    assert "course id 'course-1' is not an absolute IRI" in [
        p.message for p in result.report.errors
    ]


def test_read_package_cmi5_schema_violation_always_rejected(make_zip):
    broken = course(au(attrs='moveOn="Whenever"'))
    result = read_package(make_zip({"cmi5.xml": broken, "index.html": PAGE}))
    assert not result.accepted
    error = result.report.errors[0]
    assert error.code == "schema" and "moveOn" in error.message and error.line == 1


def test_read_package_cmi5_unknown_objective_ref_warned(make_zip):
    refs = '<objectives><objective idref="https://example.org/obj/none"/></objectives>'
    result = read_package(
        make_zip({"cmi5.xml": course(au(extra=refs)), "index.html": PAGE})
    )
    assert result.accepted
    assert [p.code for p in result.report.warnings] == ["unknown_objective"]


def test_read_package_cmi5_wrong_root_rejected(make_zip):
    result = read_package(make_zip({"cmi5.xml": "<course/>", "index.html": PAGE}))
    assert "not_cmi5" in [p.code for p in result.report.errors]


def test_read_package_cmi5_in_folder_lenient_warning_strict_error(make_zip):
    files = {"course/cmi5.xml": course(au()), "course/index.html": PAGE}
    lenient = read_package(make_zip(files))
    assert lenient.accepted
    assert "not_at_root" in [p.code for p in lenient.report.warnings]
    strict = read_package(make_zip(files), strict=True)
    assert [p.file for p in strict.report.errors] == ["course/cmi5.xml"]
