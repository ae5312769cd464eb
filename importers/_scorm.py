"""The reading flow shared by SCORM 1.2 and SCORM 2004: schema, tree, checks."""

from __future__ import annotations

from lxml import etree

from importers._cp_checks import (
    check_files,
    check_identifiers,
    choose_organization,
    launch_targets,
)
from importers._manifest import ExtraFields, elements_named, read_manifest
from importers._xml import attr
from importers.base import ParseContext
from importers.model import Organization, Package, Sequencing
from importers.report import Severity
from importers.xsd import validate

MANIFEST = "imsmanifest.xml"


def report_schema(ctx: ParseContext, root: etree._Element, kind: str) -> None:
    """Validate against our XSD; violations reject only in strict mode."""
    severity = Severity.ERROR if ctx.strict else Severity.WARNING
    for issue in validate(root, kind):
        ctx.report.add(
            severity,
            "schema",
            issue.message,
            file=ctx.path(),
            line=issue.line,
            column=issue.column,
        )


def check_scorm_types(ctx: ParseContext, root: etree._Element) -> None:
    """Every resource should say whether it is a SCO or an asset.

    SCORM 1.2 CAM §2.3 (adlcp:scormtype) and SCORM 2004 4th ed. CAM
    §3 (adlcp:scormType) make the attribute mandatory; without it the
    resource is treated as an asset, which is what most LMSs do.
    """
    for node in elements_named(root, "resource"):
        if attr(node, "scormtype") is None:
            ctx.lenient(
                "missing_scorm_type",
                f"resource {attr(node, 'identifier')!r} has no adlcp:scormType; "
                "it is treated as an asset",
                node,
            )


def read_scorm(
    ctx: ParseContext,
    *,
    standard: str,
    edition: str,
    item_fields: ExtraFields,
    organization_fields: ExtraFields,
    collection: tuple[Sequencing, ...] = (),
) -> tuple[Package, Organization | None]:
    """Read a SCORM manifest into a Package and run the shared checks.

    Returns:
        The package and the delivered organization (None when no
        organization can be delivered).
    """
    root = ctx.source.xml(MANIFEST)
    report_schema(ctx, root, standard)
    parts = read_manifest(ctx, root, item_fields, organization_fields)
    check_identifiers(ctx, root)
    check_scorm_types(ctx, root)
    org = choose_organization(ctx, parts)
    launched = (
        {i.identifierref for i in org.walk() if i.identifierref} if org else set()
    )
    check_files(ctx, root, parts.resources, launched)
    targets = launch_targets(org) if org else ()
    if org is not None and not targets:
        ctx.error(
            "nothing_to_launch",
            f"organization {org.identifier!r} has no item that launches a resource",
        )
    title = org.title if org else parts.identifier
    ctx.report.title = title
    package = Package(
        standard=standard,
        edition=edition,
        identifier=parts.identifier,
        title=title,
        root=ctx.source.root,
        version=parts.version,
        default_organization=org.identifier if org else None,
        organizations=parts.organizations,
        resources=tuple(parts.resources.values()),
        sequencing_collection=collection,
        launch_targets=targets,
    )
    return package, org
