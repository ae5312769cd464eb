"""Semantic checks of an IMS CP manifest beyond its schema (identifiers, files).

Lenient mode keeps real-world slips as warnings; what leaves a package
without anything to launch always rejects.
"""

from __future__ import annotations

from collections import Counter

from lxml import etree

from importers._manifest import (
    ManifestParts,
    elements_named,
    file_part,
    is_external,
    is_unsafe,
)
from importers._xml import attr
from importers.base import ParseContext
from importers.model import LaunchTarget, Organization, Resource

#: Files that describe a package rather than being its content.
_DESCRIPTIVE_SUFFIXES = (".xsd", ".dtd")


def choose_organization(ctx: ParseContext, parts: ManifestParts) -> Organization | None:
    """The organization to deliver: the default one (IMS CP 1.1.4 information model).

    Without a ``default`` attribute the first organization is used.
    """
    if not parts.organizations:
        ctx.error(
            "no_organization",
            "the manifest has no usable <organization>, so nothing can be launched",
        )
        return None
    if parts.default is None:
        ctx.warning(
            "no_default_organization",
            "<organizations> names no default; the first organization is used",
        )
        return parts.organizations[0]
    for org in parts.organizations:
        if org.identifier == parts.default:
            return org
    ctx.error(
        "unknown_default_organization",
        f"<organizations default={parts.default!r}> names no organization of the "
        "manifest",
    )
    return None


def check_identifiers(ctx: ParseContext, root: etree._Element) -> None:
    """Item and organization identifiers must be unique (IMS CP 1.1.4 information model)."""
    nodes = elements_named(root, "item") + elements_named(root, "organization")
    counts = Counter(attr(node, "identifier") for node in nodes)
    for node in nodes:
        identifier = attr(node, "identifier")
        if identifier and counts[identifier] > 1:
            ctx.error(
                "duplicate_identifier",
                f"identifier {identifier!r} is used by more than one item or "
                "organization",
                node,
            )
            counts[identifier] = 0


def is_manifest_only(ctx: ParseContext) -> bool:
    """Whether the package ships no content at all, only its manifest.

    The ADL conformance suite ships such packages and supplies the content
    from its own depot at run time; their missing files are not the author's
    mistake, so they are reported but do not reject in lenient mode.
    """
    return all(
        name == "imsmanifest.xml" or name.lower().endswith(_DESCRIPTIVE_SUFFIXES)
        for name in ctx.source.names
    )


def check_files(
    ctx: ParseContext,
    root: etree._Element,
    resources: dict[str, Resource],
    launched: set[str],
) -> None:
    """Resource hrefs, files and dependencies must exist in the package.

    Args:
        ctx: The parse context.
        root: The manifest element (to locate problems).
        resources: The resources by identifier.
        launched: Identifiers of resources some item of the delivered
            organization launches; their missing href is fatal.
    """
    manifest_only = is_manifest_only(ctx)
    if manifest_only and ctx.source.names:
        ctx.warning(
            "manifest_only",
            "the package holds only its manifest: its content must be supplied "
            "separately before it can be played",
        )
    nodes = {
        attr(node, "identifier"): node for node in elements_named(root, "resource")
    }
    for resource in resources.values():
        node = nodes.get(resource.identifier)
        if resource.href and resource.identifier in launched:
            _check_launch_file(ctx, resource, node, manifest_only)
        for path in resource.files:
            if not _present(ctx, path):
                ctx.lenient(
                    "missing_file",
                    f"resource {resource.identifier!r} lists file {path!r}, which "
                    f"is not in the package{_case_hint(ctx, path)}",
                    node,
                )
        for ref in resource.dependencies:
            if ref not in resources:
                ctx.lenient(
                    "unknown_dependency",
                    f"resource {resource.identifier!r} depends on {ref!r}, which "
                    "is not in the manifest",
                    node,
                )


def _check_launch_file(
    ctx: ParseContext,
    resource: Resource,
    node: etree._Element | None,
    manifest_only: bool,
) -> None:
    href = resource.href or ""
    if is_unsafe(href):
        ctx.error(
            "unsafe_url",
            f"resource {resource.identifier!r} href {href!r} is not a package file "
            "nor an http(s) URL, so it cannot be launched",
            node,
        )
        return
    if _present(ctx, href):
        return
    message = (
        f"resource {resource.identifier!r} href {file_part(href)!r} is not in the "
        f"package{_case_hint(ctx, href)}"
    )
    if manifest_only:
        ctx.lenient("missing_launch_file", message, node)
    else:
        ctx.error("missing_launch_file", message, node)


def _present(ctx: ParseContext, href: str) -> bool:
    return is_external(href) or ctx.source.has(file_part(href))


def _case_hint(ctx: ParseContext, href: str) -> str:
    variant = ctx.source.case_variant(file_part(href))
    return f" (there is {variant!r}, which differs in letter case)" if variant else ""


def launch_targets(org: Organization) -> tuple[LaunchTarget, ...]:
    """The launchable items of an organization, in document order."""
    return tuple(
        LaunchTarget(
            identifier=item.identifier,
            title=item.title,
            url=item.launch_url or "",
            kind=item.scorm_type or "asset",
        )
        for item in org.walk()
        if item.launch_url
    )
