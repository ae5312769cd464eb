"""Package readers and validation for SCORM 1.2, SCORM 2004, cmi5 and xAPI packages.

A pure library (standard library, lxml, xmlschema): plain data in, plain data
out. The hub calls :func:`read_package` to validate an upload and
:func:`extract_package` to unpack it safely.
"""

from importers.archive import ExtractedPackage, ExtractionLimits, extract_package
from importers.base import Importer, ParseContext
from importers.errors import PackageImportError, Reason
from importers.model import (
    Cmi5Au,
    Cmi5Block,
    Cmi5Course,
    Item,
    LaunchTarget,
    Organization,
    Package,
    Resource,
    Sequencing,
    XapiActivity,
    effective_sequencing,
)
from importers.outline import OutlineNode, outline
from importers.reader import ImportResult, read_package
from importers.registry import IMPORTERS, get_importer, register
from importers.report import Problem, Severity, ValidationReport

__all__ = [
    "IMPORTERS",
    "Cmi5Au",
    "Cmi5Block",
    "Cmi5Course",
    "ExtractedPackage",
    "ExtractionLimits",
    "ImportResult",
    "Importer",
    "Item",
    "LaunchTarget",
    "Organization",
    "OutlineNode",
    "Package",
    "PackageImportError",
    "ParseContext",
    "Problem",
    "Reason",
    "Resource",
    "Sequencing",
    "Severity",
    "ValidationReport",
    "XapiActivity",
    "effective_sequencing",
    "extract_package",
    "get_importer",
    "outline",
    "read_package",
    "register",
]
