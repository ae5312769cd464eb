"""The importers we ship, keyed by ``format_id``, in detection order."""

from __future__ import annotations

from importers.base import Importer
from importers.cmi5 import Cmi5Importer
from importers.scorm12 import Scorm12Importer
from importers.scorm2004 import Scorm2004Importer
from importers.xapi_package import XapiImporter

IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Add an importer; a later one with the same ``format_id`` replaces it."""
    IMPORTERS[importer.format_id] = importer
    return importer


for _importer in (
    Scorm2004Importer(),
    Scorm12Importer(),
    Cmi5Importer(),
    XapiImporter(),
):
    register(_importer)


def get_importer(format_id: str) -> Importer:
    """The importer registered under ``format_id``.

    Raises:
        KeyError: when no importer has that id.
    """
    return IMPORTERS[format_id]
