"""Secure XML parsing shared by the readers; lxml errors become ours here."""

from __future__ import annotations

import re

from lxml import etree

from importers.errors import PackageImportError, Reason

XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_DECLARATION_ONLY = re.compile(rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*\?>)?\s*$")


def secure_parser() -> etree.XMLParser:
    """A parser that never fetches, never expands entities and loads no DTD."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, file: str) -> etree._Element:
    """Parse ``data`` (any declared encoding, BOM allowed) to its root element.

    Raises:
        PackageImportError: ``malformed_xml`` with the line and column.
    """
    if _DECLARATION_ONLY.match(data):
        raise PackageImportError(
            Reason.MALFORMED_XML,
            f"{file} is empty: it has no root element",
            file=file,
            line=1,
        )
    try:
        root = etree.fromstring(data, secure_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise PackageImportError(
            Reason.MALFORMED_XML,
            f"{file} is not well-formed XML: {exc.msg}",
            file=file,
            line=line,
            column=column,
        ) from exc
    # Entities stay unexpanded (no bombs, no file reads); a reference left in the
    # text would give the reader a hole and trip the schema validator, so say so.
    entity = next(root.iter(etree.Entity), None)
    if entity is not None:
        raise PackageImportError(
            Reason.MALFORMED_XML,
            f"{file} uses the entity {entity.text}, and DTD entities are not "
            "expanded: write its text out instead",
            file=file,
            line=entity.sourceline,
        )
    return root


def local(element: etree._Element) -> str:
    """The local name of an element (namespace dropped)."""
    return etree.QName(element).localname


def text(element: etree._Element | None) -> str:
    """The stripped text of an element, "" when absent."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def children(element: etree._Element | None, name: str) -> list[etree._Element]:
    """Child elements with local name ``name``, whatever their namespace."""
    if element is None:
        return []
    return [node for node in element.iterchildren(etree.Element) if local(node) == name]


def child(element: etree._Element | None, name: str) -> etree._Element | None:
    """The first child element with local name ``name``, or None."""
    found = children(element, name)
    return found[0] if found else None


def attr(element: etree._Element, name: str) -> str | None:
    """An attribute by local name whatever its namespace, stripped, or None.

    Authoring tools disagree on case (``scormtype`` vs ``scormType``) and on
    prefixes, so this matches the local name case-insensitively.
    """
    wanted = name.lower()
    for key, value in element.attrib.items():
        if etree.QName(key).localname.lower() == wanted:
            return value.strip()
    return None


def flag(element: etree._Element | None, name: str, default: bool) -> bool:
    """An xs:boolean attribute (``true``/``false``/``1``/``0``)."""
    if element is None:
        return default
    value = attr(element, name)
    if value is None:
        return default
    return value.lower() in ("true", "1")


def number(element: etree._Element | None, name: str, default: float) -> float:
    """An xs:decimal attribute; an unreadable value keeps the default."""
    value = None if element is None else attr(element, name)
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def integer(element: etree._Element | None, name: str) -> int | None:
    """An xs:integer attribute, or None when absent or unreadable."""
    value = None if element is None else attr(element, name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
