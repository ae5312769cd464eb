"""Tell IMS content packages apart: SCORM 1.2, SCORM 2004, CC, QTI or plain CP.

SCORM 1.2 CAM §2.3 and SCORM 2004 4th ed. CAM §3 put the version in
``<metadata><schemaversion>``; packages without it are recognised by the
namespaces they use.
"""

from __future__ import annotations

from lxml import etree

from importers._xml import attr, child, children, local, text

IMSCP_12_NS = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP_12_NS = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSCP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP_NS = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLCP_2004_EARLY_NS = "http://www.adlnet.org/xsd/adlcp_v1p2"
ADLNAV_NS = "http://www.adlnet.org/xsd/adlnav_v1p3"
ADLSEQ_NS = "http://www.adlnet.org/xsd/adlseq_v1p3"
IMSSS_NS = "http://www.imsglobal.org/xsd/imsss"

_SCORM_2004_NS = {ADLCP_NS, ADLCP_2004_EARLY_NS, ADLNAV_NS, ADLSEQ_NS, IMSSS_NS}
_CC_RESOURCE_PREFIXES = (
    "imsdt_",
    "imswl_",
    "imsbasiclti_",
    "imscc_",
    "associatedcontent/",
    "imsqti_xmlv1p2/imscc",
)
#: adlcp/adlseq constructs that first appeared in SCORM 2004 4th edition.
_FOURTH_EDITION_MARKS = {
    (ADLCP_NS, "data"),
    (ADLCP_NS, "sharedDataGlobalToSystem"),
    (ADLSEQ_NS, "objectives"),
}


def namespaces(root: etree._Element) -> set[str]:
    """Every namespace declared or used anywhere in the document."""
    found = {uri for uri in root.nsmap.values() if uri}
    for node in root.iter(etree.Element):
        found.update(uri for uri in node.nsmap.values() if uri)
        found.add(etree.QName(node).namespace or "")
        found.update(etree.QName(key).namespace or "" for key in node.attrib)
    found.discard("")
    return found


def schema_version(root: etree._Element) -> tuple[str, str]:
    """The ``<schema>`` and ``<schemaversion>`` texts of the manifest metadata."""
    metadata = child(root, "metadata")
    return text(child(metadata, "schema")), text(child(metadata, "schemaversion"))


def _resource_types(root: etree._Element) -> list[str]:
    resources = child(root, "resources")
    if resources is None:
        return []
    return [(attr(r, "type") or "").lower() for r in children(resources, "resource")]


def classify(root: etree._Element) -> str:
    """Return ``scorm12``, ``scorm2004``, ``cc``, ``qti``, ``imscp`` or ``unknown``."""
    if local(root) != "manifest":
        return "unknown"
    uris = namespaces(root)
    schema, version = schema_version(root)
    types = _resource_types(root)
    if (
        any("imscc" in uri for uri in uris)
        or "common cartridge" in schema.lower()
        or any(t.startswith(_CC_RESOURCE_PREFIXES) for t in types)
    ):
        return "cc"
    if any(t.startswith("imsqti") for t in types) or "qti" in schema.lower():
        return "qti"
    if version.startswith(("2004", "CAM 1.3", "1.3")) or uris & _SCORM_2004_NS:
        return "scorm2004"
    if version == "1.2" or uris & {IMSCP_12_NS, ADLCP_12_NS}:
        return "scorm12"
    return "imscp"


def scorm2004_edition(root: etree._Element) -> tuple[str, bool]:
    """The SCORM 2004 edition and whether it had to be inferred.

    ``<schemaversion>`` values per CAM: "CAM 1.3" (2nd edition), "2004 3rd
    Edition", "2004 4th Edition". Without one, 4th-edition-only elements or
    the early ``adlcp_v1p2`` namespace decide; otherwise 3rd edition.
    """
    _, version = schema_version(root)
    lowered = version.lower()
    if "4th" in lowered:
        return "4th Edition", False
    if "3rd" in lowered:
        return "3rd Edition", False
    if lowered in ("cam 1.3", "1.3", "2004 2nd edition"):
        return "2nd Edition", False
    marks = {
        (etree.QName(key).namespace, etree.QName(key).localname)
        for node in root.iter(etree.Element)
        for key in [node.tag, *node.attrib]
    }
    if marks & _FOURTH_EDITION_MARKS:
        return "4th Edition", True
    if ADLCP_2004_EARLY_NS in namespaces(root):
        return "2nd Edition", True
    return "3rd Edition", True
