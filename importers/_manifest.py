"""IMS Content Packaging 1.1.4 reading shared by SCORM 1.2 and SCORM 2004.

Organizations, the item tree, resources with xml:base resolution (IMS CP
1.1.4 information model, SCORM 2004 4th ed. CAM §3) and the identifiers between them.
Each SCORM flavour adds its own item fields through :data:`ExtraFields`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from lxml import etree

from importers._xml import XML_NS, attr, child, children, flag, local, text
from importers.base import ParseContext
from importers.model import Item, Organization, Resource

WEB_SCHEMES = ("http", "https")
ExtraFields = Callable[[etree._Element, ParseContext], dict[str, Any]]
_ANCHOR = "http://package.invalid/"


def xml_base(element: etree._Element) -> str:
    """The xml:base written on ``element`` itself ("" when none)."""
    return (element.get(f"{{{XML_NS}}}base") or "").strip()


def join_base(base: str, href: str) -> str:
    """Resolve ``href`` against a package-relative ``base`` (RFC 3986 §5.2).

    Absolute URLs are kept; relative results are package paths without a
    leading slash, ``..`` resolved, query and fragment kept. Backslashes
    become slashes, as browsers treat them in http(s) URLs (WHATWG URL).
    """
    if scheme_of(href):
        return href
    base, href = base.replace("\\", "/"), href.replace("\\", "/")
    joined = urljoin(urljoin(_ANCHOR, base), href)
    if not joined.startswith(_ANCHOR):
        return joined
    return joined[len(_ANCHOR) :]


def scheme_of(href: str) -> str:
    """The URL scheme of an href, lower-cased ("" for a relative reference)."""
    try:
        return urlsplit(href).scheme.lower()
    except ValueError:
        return ""


def is_external(href: str) -> bool:
    """Whether an href is a web URL outside the package (http or https)."""
    return scheme_of(href) in WEB_SCHEMES


def is_unsafe(href: str) -> bool:
    """Whether an href uses a scheme a learner must never be sent to.

    Only package files and http(s) URLs are launched: ``javascript:``,
    ``data:``, ``file:`` or a Windows drive letter would run code in, or leak
    from, the player page.
    """
    return scheme_of(href) not in ("", *WEB_SCHEMES)


def file_part(href: str) -> str:
    """The path of an href, without query or fragment, URL-decoded."""
    return unquote(urlsplit(href).path)


@dataclass
class ManifestParts:
    """What the shared reader found; the SCORM readers build a Package from it."""

    identifier: str
    version: str | None
    default: str | None
    organizations: tuple[Organization, ...]
    resources: dict[str, Resource]


def read_manifest(
    ctx: ParseContext,
    root: etree._Element,
    item_fields: ExtraFields,
    organization_fields: ExtraFields,
) -> ManifestParts:
    """Read organizations and resources of an IMS CP manifest.

    Args:
        ctx: The parse context (problems go to its report).
        root: The ``<manifest>`` element.
        item_fields: Adds flavour-specific fields for each ``<item>``.
        organization_fields: Adds flavour-specific fields per organization.
    """
    base = xml_base(root)
    resources = _read_resources(ctx, child(root, "resources"), base)
    organizations_el = child(root, "organizations")
    organizations: list[Organization] = []
    default = None
    if organizations_el is not None:
        default = attr(organizations_el, "default")
        for element in children(organizations_el, "organization"):
            org = _read_organization(
                ctx, element, resources, item_fields, organization_fields
            )
            if org is not None:
                organizations.append(org)
    return ManifestParts(
        identifier=attr(root, "identifier") or "",
        version=attr(root, "version"),
        default=default,
        organizations=tuple(organizations),
        resources=resources,
    )


def _read_resources(
    ctx: ParseContext, element: etree._Element | None, manifest_base: str
) -> dict[str, Resource]:
    found: dict[str, Resource] = {}
    if element is None:
        ctx.error("no_resources", "the manifest has no <resources> element")
        return found
    base = join_base(manifest_base, xml_base(element))
    for node in children(element, "resource"):
        resource = _read_resource(ctx, node, base)
        if resource is None:
            continue
        if resource.identifier in found:
            ctx.error(
                "duplicate_identifier",
                f"resource identifier {resource.identifier!r} is used twice",
                node,
            )
            continue
        found[resource.identifier] = resource
    return found


def _read_resource(
    ctx: ParseContext, node: etree._Element, base: str
) -> Resource | None:
    identifier = attr(node, "identifier")
    if not identifier:
        ctx.error("missing_identifier", "a <resource> has no identifier", node)
        return None
    own_base = join_base(base, xml_base(node))
    href = attr(node, "href")
    files = tuple(
        join_base(own_base, file_href)
        for file_el in children(node, "file")
        if (file_href := attr(file_el, "href"))
    )
    dependencies = tuple(
        ref
        for dep in children(node, "dependency")
        if (ref := attr(dep, "identifierref"))
    )
    scorm_type = attr(node, "scormtype")
    resolved = join_base(own_base, href) if href else None
    return Resource(
        identifier=identifier,
        type=attr(node, "type") or "",
        scorm_type=scorm_type.lower() if scorm_type else None,
        href=_repair_case(ctx, identifier, resolved, node) if resolved else None,
        base=own_base or None,
        files=files,
        dependencies=dependencies,
    )


def _repair_case(
    ctx: ParseContext, identifier: str, href: str, node: etree._Element
) -> str:
    """Point an href at the stored file when only the letter case differs.

    Packages authored on Windows often get the case of a launch file wrong;
    served from a case-sensitive store they would not play. Lenient mode
    launches the stored file instead and says so; strict mode leaves the
    href alone, and the launch-file check rejects it.
    """
    path = file_part(href)
    if ctx.strict or scheme_of(href) or ctx.source.has(path):
        return href
    variant = ctx.source.case_variant(path)
    if variant is None:
        return href
    ctx.warning(
        "case_mismatch",
        f"resource {identifier!r} href {path!r} differs in letter case from the "
        f"file {variant!r} of the package; {variant!r} is launched",
        node,
    )
    return urlunsplit(urlsplit(href)._replace(path=quote(variant)))


def _read_organization(
    ctx: ParseContext,
    element: etree._Element,
    resources: dict[str, Resource],
    item_fields: ExtraFields,
    organization_fields: ExtraFields,
) -> Organization | None:
    identifier = attr(element, "identifier")
    if not identifier:
        ctx.error("missing_identifier", "an <organization> has no identifier", element)
        return None
    title_el = child(element, "title")
    if title_el is None or not text(title_el):
        # SCORM 1.2 CAM §2.3 / 2004 4th ed. CAM §3: title is 1 and only 1.
        ctx.error(
            "missing_title", f"organization {identifier!r} has no <title>", element
        )
    items = tuple(
        _read_item(ctx, node, resources, item_fields)
        for node in children(element, "item")
    )
    return Organization(
        identifier=identifier,
        title=text(title_el) or identifier,
        items=items,
        **organization_fields(element, ctx),
    )


def _read_item(
    ctx: ParseContext,
    element: etree._Element,
    resources: dict[str, Resource],
    item_fields: ExtraFields,
) -> Item:
    identifier = attr(element, "identifier") or ""
    if not identifier:
        ctx.error("missing_identifier", "an <item> has no identifier", element)
    title = text(child(element, "title"))
    if not title:
        ctx.lenient("missing_title", f"item {identifier!r} has no <title>", element)
    ref = attr(element, "identifierref")
    resource = resources.get(ref) if ref else None
    if ref and resource is None:
        ctx.error(
            "unknown_identifierref",
            f"item {identifier!r} refers to resource {ref!r}, which is not in "
            "the manifest",
            element,
        )
    elif resource is not None and resource.href is None:
        ctx.error(
            "missing_href",
            f"item {identifier!r} launches resource {ref!r}, which has no href",
            element,
        )
    nested = tuple(
        _read_item(ctx, node, resources, item_fields)
        for node in children(element, "item")
    )
    return Item(
        identifier=identifier,
        title=title or identifier,
        identifierref=ref,
        isvisible=flag(element, "isvisible", True),
        parameters=attr(element, "parameters"),
        href=resource.href if resource else None,
        scorm_type=resource.scorm_type if resource else None,
        children=nested,
        **item_fields(element, ctx),
    )


def elements_named(root: etree._Element, name: str) -> list[etree._Element]:
    """Every element below ``root`` with local name ``name``, with line numbers."""
    return [node for node in root.iter(etree.Element) if local(node) == name]
