"""Recognise formats we do not import yet (Common Cartridge, AICC, QTI, plain CP).

They are rejected with a message that names the format, instead of a vague
"no manifest found".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from importers._classify import classify
from importers._xml import local
from importers.errors import PackageImportError
from importers.source import PackageSource

#: AICC CMI001 course files: course description, AUs, structure, descriptors.
_AICC_SUFFIXES = frozenset({".crs", ".au", ".des", ".cst"})
_QTI_ROOTS = frozenset({"questestinterop", "assessmentItem", "assessmentTest"})
_QTI_SNIFF_LIMIT = 20
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Unsupported:
    """A recognised but unsupported format: its id and the message to show."""

    format_id: str
    message: str


_MESSAGES = {
    "cc": "this is an IMS Common Cartridge; Common Cartridge import is not "
    "supported yet. Export the course as SCORM, cmi5 or xAPI instead",
    "qti": "this is an IMS QTI assessment package; QTI import is not supported yet",
    "imscp": "this is a plain IMS Content Package without SCORM; plain content "
    "packages are not supported, only SCORM, cmi5 and xAPI packages",
    "aicc": "this is an AICC (CMI001) course; AICC import is not supported yet. "
    "Export the course as SCORM or cmi5 instead",
}


def unsupported(format_id: str) -> Unsupported:
    """The :class:`Unsupported` verdict for one format id."""
    return Unsupported(format_id, _MESSAGES[format_id])


def recognise(source: PackageSource) -> Unsupported | None:
    """Name the unsupported format of ``source``, or None if unknown."""
    if "imsmanifest.xml" in source.names:
        kind = classify(source.xml("imsmanifest.xml"))
        if kind in _MESSAGES:
            return unsupported(kind)
    suffixes = {PurePosixPath(name).suffix.lower() for name in source.names}
    if suffixes & _AICC_SUFFIXES:
        return unsupported("aicc")
    if _has_qti_document(source):
        return unsupported("qti")
    return None


def _has_qti_document(source: PackageSource) -> bool:
    candidates = sorted(n for n in source.names if n.lower().endswith((".xml", ".dat")))
    for name in candidates[:_QTI_SNIFF_LIMIT]:
        try:
            root = source.xml(name)
        except PackageImportError as exc:
            logger.warning("not sniffing %s for QTI: %s", name, exc.message)
            continue
        if local(root) in _QTI_ROOTS:
            return True
    return False
