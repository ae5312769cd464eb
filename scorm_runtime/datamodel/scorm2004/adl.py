"""SCORM 2004 ADL namespaces: adl.nav (RTE 4th ed. §4.4) and adl.data (4th ed. §4.3)."""

from ... import vocab as v
from .. import types as t
from .._core import Collection, Element


def nav_request_spec(edition: str) -> dict:
    """adl.nav.request: a vocabulary or ``{target=<id>}choice`` (4th ed.: ``jump``)."""
    verbs = "(?:choice|jump)" if edition == v.SCORM_2004_4TH else "choice"
    target = r"^\{target=[^\x00-\x20\x7f{}]+\}" + verbs + "$"
    return {
        "kind": "either",
        "options": [
            t.vocab(*v.NAV_REQUESTS_2004),
            {"kind": "regex", "re": target},
        ],
    }


def adl_elements(edition: str) -> tuple[Element, ...]:
    """adl.nav.* for every 2004 edition, adl.data.* for the 4th edition."""
    valid = t.vocab(*v.NAV_VALID_VOCAB)
    elements = [
        Element("adl.nav.request", v.RW, nav_request_spec(edition), v.NAV_NONE),
        Element("adl.nav.request_valid.continue", v.RO, valid, "unknown"),
        Element("adl.nav.request_valid.previous", v.RO, valid, "unknown"),
        Element("adl.nav.request_valid.choice.{target}", v.RO, valid, "unknown"),
    ]
    if edition == v.SCORM_2004_4TH:
        elements += [
            Element("adl.nav.request_valid.jump.{target}", v.RO, valid, "unknown"),
            Element("adl.data.n.id", v.RO, t.identifier_2004(4000)),
            Element("adl.data.n.store", v.RW, t.string(64000)),
        ]
    return tuple(elements)


def adl_collections(edition: str) -> tuple[Collection, ...]:
    """adl.data is filled by the LMS from the manifest's adlcp:data (4th ed. §4.3)."""
    if edition != v.SCORM_2004_4TH:
        return ()
    return (Collection("adl.data", "id,store", 10, creatable=False),)
