"""XSD validation against the schemas we wrote in ``schemas/`` (loaded once).

Only local files are read: the documents' own ``xsi:schemaLocation`` hints
are ignored, and the schema parser has network access and entities off.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from lxml import etree

from schemas import SCHEMA_DIR

#: Entry-point schema of each document kind, relative to ``SCHEMA_DIR``.
SCHEMA_FILES = {
    "scorm12": "scorm12/scorm12.xsd",
    "scorm2004": "scorm2004_4ed/scorm2004.xsd",
    "imscp": "imscp/imscp.xsd",
    "cmi5": "cmi5/cmi5_v1.xsd",
}
_CLARK = re.compile(r"\{[^}]*\}")
# One compiled schema set per thread: lxml keeps the error log on the schema
# object, so sharing one between threads would mix their reports.
_LOCAL = threading.local()


@dataclass(frozen=True)
class SchemaIssue:
    """One schema violation, with its position in the document."""

    message: str
    line: int | None
    column: int | None


def _compile(kind: str) -> etree.XMLSchema:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    document = etree.parse(str(SCHEMA_DIR / SCHEMA_FILES[kind]), parser)
    return etree.XMLSchema(document)


def load_schema(kind: str) -> etree.XMLSchema:
    """The compiled schema for ``kind`` (a key of :data:`SCHEMA_FILES`).

    Raises:
        KeyError: for an unknown kind.
    """
    schemas = _LOCAL.__dict__.setdefault("schemas", {})
    if kind not in schemas:
        schemas[kind] = _compile(kind)
    return schemas[kind]


def validate(root: etree._Element, kind: str) -> list[SchemaIssue]:
    """Validate a parsed document; an empty list means it is valid.

    Args:
        root: The document's root element.
        kind: Which schema to use (a key of :data:`SCHEMA_FILES`).

    Returns:
        Every violation with a readable message (namespaces dropped).
    """
    schema = load_schema(kind)
    try:
        if schema.validate(root.getroottree()):
            return []
    except etree.XMLSchemaValidateError as exc:  # libxml2 gave up on the document
        return [SchemaIssue(f"the schema check could not run: {exc}", None, None)]
    return [
        SchemaIssue(
            message=_CLARK.sub("", entry.message),
            line=entry.line or None,
            column=entry.column or None,
        )
        for entry in schema.error_log
    ]
