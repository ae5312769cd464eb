"""SCORM 1.2 packages (SCORM 1.2 CAM, ADL 2001; IMS CP 1.1.2 with adlcp 1.2).

https://adlnet.gov/projects/scorm-1-2/ — the adlcp item extensions
(prerequisites, maxtimeallowed, timelimitaction, datafromlms, masteryscore)
are read onto each item for the runtime.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from importers._classify import classify
from importers._scorm import MANIFEST, read_scorm
from importers._xml import child, text
from importers.base import Importer, ParseContext
from importers.model import Package
from importers.source import PackageSource


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


def item_fields(element: etree._Element, ctx: ParseContext) -> dict[str, Any]:
    """The SCORM 1.2 adlcp fields of one ``<item>`` (CAM §2.3)."""
    return {
        "prerequisites": _optional(element, "prerequisites"),
        "mastery_score": _mastery_score(element, ctx),
        "max_time_allowed": _optional(element, "maxtimeallowed"),
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
        package, _, _ = read_scorm(
            ctx,
            standard=self.format_id,
            edition="1.2",
            item_fields=item_fields,
            organization_fields=organization_fields,
        )
        return package
