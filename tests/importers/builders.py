"""Manifest builders for small packages written from Python in the tests."""

from __future__ import annotations

SCORM12_NS = (
    'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"'
)
SCORM2004_NS = (
    'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
    'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" '
    'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"'
)
PAGE = b"<html><body>hello</body></html>"


def scorm12_manifest(
    items: str = '<item identifier="I1" identifierref="R1"><title>One</title></item>',
    resources: str = (
        '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" '
        'href="index.html"><file href="index.html"/></resource>'
    ),
    *,
    org_title: str = "<title>Course</title>",
    default: str = 'default="ORG"',
) -> str:
    """A SCORM 1.2 manifest with one organization ``ORG``."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest identifier="M" version="1" {SCORM12_NS}>\n'
        "<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion>"
        "</metadata>\n"
        f'<organizations {default}><organization identifier="ORG">{org_title}\n'
        f"{items}\n</organization></organizations>\n"
        f"<resources>\n{resources}\n</resources>\n</manifest>\n"
    )


def scorm2004_manifest(
    items: str = '<item identifier="I1" identifierref="R1"><title>One</title></item>',
    resources: str = (
        '<resource identifier="R1" type="webcontent" adlcp:scormType="sco" '
        'href="index.html"><file href="index.html"/></resource>'
    ),
    *,
    version: str = "2004 4th Edition",
    org_extra: str = "",
    tail: str = "",
) -> str:
    """A SCORM 2004 manifest with one organization ``ORG``."""
    metadata = (
        f"<metadata><schema>ADL SCORM</schema><schemaversion>{version}"
        "</schemaversion></metadata>"
        if version
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest identifier="M" version="1" {SCORM2004_NS}>\n{metadata}\n'
        '<organizations default="ORG"><organization identifier="ORG">'
        f"<title>Course</title>\n{items}\n{org_extra}</organization></organizations>\n"
        f"<resources>\n{resources}\n</resources>\n{tail}</manifest>\n"
    )
