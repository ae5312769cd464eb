"""The outline in the report: the delivered tree of every standard."""

from __future__ import annotations

from importers import Package, read_package
from importers.outline import outline
from tests.importers.builders import PAGE, scorm12_manifest

CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
TEXT = '<langstring lang="en">{}</langstring>'


def _node(identifier: str, tag: str, inner: str = "") -> str:
    title = TEXT.format(identifier.rsplit("/", 1)[-1])
    return (
        f'<{tag} id="{identifier}"><title>{title}</title>'
        f"<description>{title}</description>{inner}</{tag}>"
    )


def test_report_outline_scorm_folders_scos_assets(make_zip):
    items = (
        '<item identifier="P"><title>Part</title>'
        '<item identifier="C1" identifierref="R1"><title>Lesson</title></item>'
        '<item identifier="C2" identifierref="R2"><title>Handout</title></item></item>'
    )
    resources = (
        '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="a.html"/>'
        '<resource identifier="R2" type="webcontent" adlcp:scormtype="asset" href="b.pdf"/>'
    )
    files = {
        "imsmanifest.xml": scorm12_manifest(items, resources),
        "a.html": PAGE,
        "b.pdf": b"%",
    }
    report = read_package(make_zip(files)).report.to_dict()
    (part,) = report["outline"]
    assert (part["identifier"], part["kind"], part["url"]) == ("P", "folder", None)
    assert [(c["title"], c["kind"], c["url"]) for c in part["children"]] == [
        ("Lesson", "sco", "a.html"),
        ("Handout", "asset", "b.pdf"),
    ]


def test_report_outline_cmi5_blocks_and_aus(make_zip):
    au = _node("https://e.org/au/1", "au", "<url>index.html</url>")
    structure = (
        f'<courseStructure xmlns="{CMI5_NS}">{_node("https://e.org/c", "course")}'
        f"{_node('https://e.org/block/1', 'block', au)}</courseStructure>"
    )
    report = read_package(make_zip({"cmi5.xml": structure, "index.html": PAGE})).report
    (block,) = report.outline
    assert (block["kind"], block["title"]) == ("block", "1")
    assert block["children"][0]["kind"] == "au"
    assert block["children"][0]["url"] == "index.html"


def test_report_outline_xapi_activities(make_zip):
    tincan = (
        '<tincan xmlns="http://projecttincan.com/tincan.xsd"><activities>'
        '<activity id="http://e.org/a"><name>Golf</name><launch>index.html</launch></activity>'
        '<activity id="http://e.org/q"/></activities></tincan>'
    )
    report = read_package(make_zip({"tincan.xml": tincan, "index.html": PAGE})).report
    assert [(n["title"], n["kind"], n["url"]) for n in report.outline] == [
        ("Golf", "activity", "index.html"),
        ("http://e.org/q", "activity", None),
    ]


def test_outline_without_delivered_organization_empty():
    package = Package(standard="scorm12", edition="1.2", identifier="m", title="t")
    assert outline(package) == ()


def test_report_outline_rejected_package_empty(make_zip):
    report = read_package(make_zip({"test.htm": ""})).report
    assert report.to_dict()["outline"] == []
