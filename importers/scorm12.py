"""SCORM 1.2 packages (SCORM 1.2 CAM, ADL 2001; IMS CP 1.1.2 with adlcp 1.2).

https://adlnet.gov/projects/scorm-1-2/ — the adlcp item extensions
(prerequisites, maxtimeallowed, timelimitaction, datafromlms, masteryscore)
are read onto each item for the runtime.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from importers._classify import classify
from importers._manifest import elements_named
from importers._scorm import MANIFEST, read_scorm
from importers._xml import attr, child, text
from importers.base import Importer, ParseContext
from importers.model import Organization, Package
from importers.source import PackageSource

#: CMITimespan, HHHH:MM:SS.SS (SCORM 1.2 RTE data types).
_TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")
#: Operands of an aicc_script expression: identifiers, statuses and counts.
_SCRIPT_TOKEN = re.compile(r"[^&|~=<>(){},*\s\"]+")
_SCRIPT_WORDS = frozenset(
    {"passed", "completed", "browsed", "failed", "incomplete", "not", "attempted"}
    | set("pcbfin")
)


def _optional(element: etree._Element, name: str) -> str | None:
    return text(child(element, name)) or None


def _mastery_score(element: etree._Element, ctx: ParseContext) -> float | None:
    raw = _optional(element, "masteryscore")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        # SCORM 1.2 CAM §2.3: adlcp:masteryscore is a decimal from 0 to 100.
        ctx.lenient(
            "invalid_value",
            f"adlcp:masteryscore {raw!r} is not a number from 0 to 100; ignored",
            element,
        )
        return None
    return value


def _timespan(element: etree._Element, ctx: ParseContext) -> str | None:
    raw = _optional(element, "maxtimeallowed")
    if raw is not None and not _TIMESPAN.match(raw):
        ctx.lenient(
            "invalid_value",
            f"adlcp:maxtimeallowed {raw!r} is not a time span HHHH:MM:SS.SS",
            element,
        )
    return raw


def check_prerequisites(
    ctx: ParseContext, root: etree._Element, org: Organization | None
) -> None:
    """Prerequisites may only name items of the organization (CAM §2.3).

    The aicc_script expression combines item identifiers with ``&``, ``|``,
    ``~``, comparisons to a status and ``n*{...}`` sets.
    """
    if org is None:
        return
    known = {item.identifier for item in org.walk()}
    nodes = {attr(node, "identifier"): node for node in elements_named(root, "item")}
    for item in org.walk():
        tokens = _SCRIPT_TOKEN.findall(item.prerequisites or "")
        for token in tokens:
            if token in known or token.lower() in _SCRIPT_WORDS or token.isdigit():
                continue
            ctx.lenient(
                "unknown_prerequisite",
                f"item {item.identifier!r} has a prerequisite on {token!r}, which "
                "is not an item of the organization",
                nodes.get(item.identifier),
            )


def item_fields(element: etree._Element, ctx: ParseContext) -> dict[str, Any]:
    """The SCORM 1.2 adlcp fields of one ``<item>`` (CAM §2.3)."""
    return {
        "prerequisites": _optional(element, "prerequisites"),
        "mastery_score": _mastery_score(element, ctx),
        "max_time_allowed": _timespan(element, ctx),
        "time_limit_action": _optional(element, "timelimitaction"),
        "data_from_lms": _optional(element, "datafromlms"),
    }


def organization_fields(element: etree._Element, ctx: ParseContext) -> dict[str, Any]:
    """SCORM 1.2 adds nothing to ``<organization>``."""
    del element, ctx
    return {}


class Scorm12Importer(Importer):
    """Reads SCORM 1.2 content packages."""

    format_id = "scorm12"
    label = "SCORM 1.2"

    def detect(self, source: PackageSource) -> bool:
        """A manifest in the SCORM 1.2 namespaces or with schemaversion 1.2."""
        return MANIFEST in source.names and classify(source.xml(MANIFEST)) == "scorm12"

    def parse(self, ctx: ParseContext) -> Package | None:
        """Read the manifest, validate it and build the package."""
        ctx.report.standard, ctx.report.edition = self.format_id, "1.2"
        package, org = read_scorm(
            ctx,
            standard=self.format_id,
            edition="1.2",
            item_fields=item_fields,
            organization_fields=organization_fields,
        )
        check_prerequisites(ctx, ctx.source.xml(MANIFEST), org)
        return package
