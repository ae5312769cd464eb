"""SCORM 2004 packages, 2nd to 4th edition (ADL SCORM 2004 4th ed. CAM).

https://adlnet.gov/projects/scorm-2004-4th-edition/ — items carry the ADL CP
extensions (CAM §3), ADL NAV presentation (§5) and the IMS SS /
ADL SEQ sequencing definition (§5, §5); shared sequencing sets live in
``imsss:sequencingCollection`` and are referenced by ``IDRef``.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from importers._classify import ADLCP_NS, ADLNAV_NS, classify, scorm2004_edition
from importers._scorm import MANIFEST, read_scorm
from importers._sequencing import IMSSS_NS, read_sequencing
from importers._xml import attr, child, children, flag, number, text
from importers.base import Importer, ParseContext
from importers.model import (
    CompletionThreshold,
    DataMap,
    Package,
    Sequencing,
    effective_sequencing,
)
from importers.source import PackageSource


def _sequencing(element: etree._Element) -> Sequencing | None:
    node = element.find(f"{{{IMSSS_NS}}}sequencing")
    return read_sequencing(node) if node is not None else None


def _completion_threshold(element: etree._Element) -> CompletionThreshold | None:
    node = element.find(f"{{{ADLCP_NS}}}completionThreshold")
    if node is None:
        return None
    legacy = text(node)
    if legacy:
        # 3rd edition wrote the threshold as text: completion is by measure.
        return CompletionThreshold(True, _float(legacy), 1.0)
    return CompletionThreshold(
        completed_by_measure=flag(node, "completedByMeasure", False),
        min_progress_measure=number(node, "minProgressMeasure", 1.0),
        progress_weight=number(node, "progressWeight", 1.0),
    )


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 1.0


def _data_maps(element: etree._Element) -> tuple[DataMap, ...]:
    data = element.find(f"{{{ADLCP_NS}}}data")
    return tuple(
        DataMap(
            target_id=attr(node, "targetID") or "",
            read_shared_data=flag(node, "readSharedData", True),
            write_shared_data=flag(node, "writeSharedData", False),
        )
        for node in children(data, "map")
    )


def _hide_lms_ui(element: etree._Element) -> tuple[str, ...]:
    presentation = element.find(f"{{{ADLNAV_NS}}}presentation")
    interface = child(presentation, "navigationInterface")
    return tuple(text(node) for node in children(interface, "hideLMSUI"))


def item_fields(element: etree._Element, ctx: ParseContext) -> dict[str, Any]:
    """The ADL CP, ADL NAV and sequencing fields of one ``<item>``."""
    del ctx
    return {
        "time_limit_action": text(element.find(f"{{{ADLCP_NS}}}timeLimitAction"))
        or None,
        "data_from_lms": text(element.find(f"{{{ADLCP_NS}}}dataFromLMS")) or None,
        "completion_threshold": _completion_threshold(element),
        "data_maps": _data_maps(element),
        "hide_lms_ui": _hide_lms_ui(element),
        "sequencing": _sequencing(element),
    }


def organization_fields(element: etree._Element, ctx: ParseContext) -> dict[str, Any]:
    """Organization sequencing and the global-scope flags (CAM §3)."""
    del ctx
    return {
        "sequencing": _sequencing(element),
        "objectives_global_to_system": flag(element, "objectivesGlobalToSystem", True),
        "shared_data_global_to_system": flag(element, "sharedDataGlobalToSystem", True),
    }


def read_collection(ctx: ParseContext, root: etree._Element) -> tuple[Sequencing, ...]:
    """The ``imsss:sequencingCollection`` members, each of which needs an ID."""
    collection = root.find(f"{{{IMSSS_NS}}}sequencingCollection")
    found = []
    members = [] if collection is None else collection.iterchildren(etree.Element)
    for node in members:
        sequencing = read_sequencing(node)
        if not sequencing.id:
            ctx.error(
                "missing_identifier",
                "a sequencing in the sequencingCollection has no ID",
                node,
            )
        found.append(sequencing)
    return tuple(found)


def check_sequencing_refs(
    ctx: ParseContext, root: etree._Element, collection: tuple[Sequencing, ...]
) -> None:
    """Every ``IDRef`` must name a collection member (CAM 4th ed. §5)."""
    known = {sequencing.id for sequencing in collection}
    for node in root.iter(f"{{{IMSSS_NS}}}sequencing"):
        ref = attr(node, "IDRef")
        if ref and ref not in known:
            ctx.error(
                "unknown_sequencing_ref",
                f"sequencing IDRef {ref!r} names no sequencing of the "
                "sequencingCollection",
                node,
            )


def check_objective_refs(
    ctx: ParseContext, root: etree._Element, collection: tuple[Sequencing, ...]
) -> None:
    """A rule's ``referencedObjective`` must name an objective of its activity.

    SCORM 2004 4th ed. SN book: rule conditions evaluate the activity's own
    objectives; an unknown one makes the condition always unknown.
    """
    for node in root.iter(f"{{{IMSSS_NS}}}sequencing"):
        own = read_sequencing(node)
        sequencing = effective_sequencing(own, collection) or own
        known = {objective.objective_id for objective in sequencing.objectives}
        for rule in sequencing.rules:
            for condition in rule.conditions:
                ref = condition.referenced_objective
                if ref and ref not in known:
                    ctx.lenient(
                        "unknown_objective",
                        f"a {rule.kind}-condition rule refers to objective {ref!r}, "
                        "which its activity does not define",
                        node,
                    )


class Scorm2004Importer(Importer):
    """Reads SCORM 2004 content packages (2nd, 3rd and 4th edition)."""

    format_id = "scorm2004"
    label = "SCORM 2004"

    def detect(self, source: PackageSource) -> bool:
        """A manifest using the ADL/IMS SS namespaces or a 2004 schemaversion."""
        return MANIFEST in source.names and classify(source.xml(MANIFEST)) == (
            "scorm2004"
        )

    def parse(self, ctx: ParseContext) -> Package | None:
        """Read the manifest, its sequencing, validate it and build the package."""
        root = ctx.source.xml(MANIFEST)
        edition, inferred = scorm2004_edition(root)
        ctx.report.standard, ctx.report.edition = self.format_id, edition
        if inferred:
            ctx.report.info(
                "edition_inferred",
                f"the manifest has no <schemaversion>; {edition} was inferred from "
                "its namespaces",
                file=ctx.path(MANIFEST),
            )
        collection = read_collection(ctx, root)
        check_sequencing_refs(ctx, root, collection)
        check_objective_refs(ctx, root, collection)
        package, _ = read_scorm(
            ctx,
            standard=self.format_id,
            edition=edition,
            item_fields=item_fields,
            organization_fields=organization_fields,
            collection=collection,
        )
        return package
