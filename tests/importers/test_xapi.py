"""xAPI packages described by tincan.xml."""

from __future__ import annotations

from importers import read_package

PAGE = b"<html></html>"


def tincan(activities: str) -> str:
    return (
        '\ufeff<?xml version="1.0" encoding="utf-8"?>'
        f'<tincan xmlns="http://projecttincan.com/tincan.xsd"><activities>{activities}</activities></tincan>'
    )


ACTIVITY = (
    '<activity id="http://example.org/act/course" type="http://adlnet.gov/expapi/activities/course">'
    '<name>Golf</name><description lang="en-US">All about golf</description>'
    '<launch lang="en-us">index.html</launch></activity>'
    '<activity id="http://example.org/act/q1" type="http://adlnet.gov/expapi/activities/cmi.interaction">'
    "<name>Question</name></activity>"
)


def test_read_package_tincan_accepted(make_zip):
    result = read_package(
        make_zip({"tincan.xml": tincan(ACTIVITY), "index.html": PAGE})
    )
    assert result.accepted, result.report.to_dict()
    package = result.package
    assert (package.standard, package.title, package.identifier) == (
        "xapi",
        "Golf",
        "http://example.org/act/course",
    )
    first, second = package.activities
    assert (first.launch, first.launch_lang, first.description) == (
        "index.html",
        "en-us",
        "All about golf",
    )
    assert second.launch is None
    assert [t.kind for t in package.launch_targets] == ["activity"]


def test_read_package_tincan_missing_launch_file_rejected(make_zip):
    result = read_package(make_zip({"tincan.xml": tincan(ACTIVITY)}))
    assert (
        "activity 'http://example.org/act/course' launches 'index.html', "
        "which is not in the package" in [p.message for p in result.report.errors]
    )


def test_read_package_tincan_no_launch_rejected(make_zip):
    result = read_package(
        make_zip({"tincan.xml": tincan('<activity id="http://x.org/a"/>')})
    )
    assert [p.code for p in result.report.errors] == ["nothing_to_launch"]


def test_read_package_tincan_activity_without_id_rejected(make_zip):
    result = read_package(
        make_zip(
            {
                "tincan.xml": tincan(
                    "<activity><launch>index.html</launch></activity>"
                ),
                "index.html": PAGE,
            }
        )
    )
    assert "missing_identifier" in [p.code for p in result.report.errors]


def test_read_package_tincan_wrong_root_rejected(make_zip):
    result = read_package(make_zip({"tincan.xml": "<other/>", "index.html": PAGE}))
    assert [p.code for p in result.report.errors] == ["not_tincan"]


def test_read_package_tincan_unsafe_launch_rejected(make_zip):
    activity = (
        '<activity id="http://x.org/a"><launch>javascript:alert(1)</launch></activity>'
    )
    result = read_package(
        make_zip({"tincan.xml": tincan(activity), "index.html": PAGE})
    )
    assert [p.code for p in result.report.errors] == ["unsafe_url"]
