"""``read_package``: open any upload, detect its standard, read and validate it."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from importers._xml import local, parse_xml
from importers.archive import (
    DEFAULT_LIMITS,
    ROOT_MARKERS,
    ExtractionLimits,
    open_zip,
)
from importers.base import ParseContext
from importers.errors import PackageImportError, Reason
from importers.model import Package
from importers.outline import outline
from importers.registry import IMPORTERS
from importers.report import ValidationReport
from importers.source import (
    DirectorySource,
    MemorySource,
    PackageSource,
    ZipSource,
    read_limited,
)
from importers.unsupported import recognise

Source = str | os.PathLike[str] | BinaryIO

#: Root element of a lone XML upload -> the name it takes inside a package.
_STANDALONE_NAMES = {
    "courseStructure": "cmi5.xml",
    "manifest": "imsmanifest.xml",
    "tincan": "tincan.xml",
}


@dataclass(frozen=True)
class ImportResult:
    """The outcome of :func:`read_package`.

    Attributes:
        package: The normalized package, None when it was rejected.
        report: The validation report (always present).
    """

    package: Package | None
    report: ValidationReport

    @property
    def accepted(self) -> bool:
        """Whether the package imported."""
        return self.package is not None

    def to_dict(self) -> dict[str, Any]:
        """The report and the package as JSON-ready data."""
        return {
            "report": self.report.to_dict(),
            "package": self.package.to_dict() if self.package else None,
        }


def read_package(
    source: Source, *, strict: bool = False, limits: ExtractionLimits | None = None
) -> ImportResult:
    """Read and validate a package without extracting it.

    Args:
        source: A path to a zip, to an unpacked folder or to a lone cmi5.xml,
            or a binary file object of a zip (or of such an XML document).
        strict: Reject on any schema violation or missing file, instead of
            reporting it as a warning.
        limits: Caps on entries, sizes and ratios (defaults otherwise).

    Returns:
        The package (None when rejected) and the report. Problems with the
        upload are reported, never raised.

    Raises:
        OSError: when ``source`` names a path that cannot be opened at all
            (a caller's mistake, not a problem of the package).
    """
    report = ValidationReport()
    try:
        with _open_source(source, limits or DEFAULT_LIMITS) as files:
            package = _read(files, report, strict)
        if package is not None:
            report.outline = [node.to_dict() for node in outline(package)]
    except PackageImportError as exc:
        report.error(
            str(exc.reason),
            exc.message,
            file=exc.file,
            line=exc.line,
            column=exc.column,
        )
        package = None
    return ImportResult(package if report.accepted else None, report)


def _read(
    files: PackageSource, report: ValidationReport, strict: bool
) -> Package | None:
    if files.root:
        report.info(
            "nested_root",
            f"the package sits in the folder {files.root!r}, used as its root",
        )
    for importer in IMPORTERS.values():
        if importer.detect(files):
            return importer.parse(ParseContext(files, report, strict))
    verdict = recognise(files)
    if verdict is not None:
        report.standard = verdict.format_id
        report.error(str(Reason.UNSUPPORTED_FORMAT), verdict.message)
        return None
    if "imsmanifest.xml" in files.names:
        report.error(
            str(Reason.NO_MANIFEST),
            "imsmanifest.xml does not hold an IMS content packaging <manifest>",
            file=files.root + "imsmanifest.xml",
        )
        return None
    report.error(
        str(Reason.NO_MANIFEST),
        "no imsmanifest.xml, cmi5.xml or tincan.xml at the top of the package "
        "(nor in a single top-level folder): this is not a SCORM, cmi5 or xAPI "
        f"package{_hint(files)}",
    )
    return None


def _hint(files: PackageSource) -> str:
    """What the author probably did wrong when no manifest is at the root."""
    deeper = sorted(
        name for name in files.names if name.rsplit("/", 1)[-1] in ROOT_MARKERS
    )
    if deeper:
        return f"; {deeper[0]!r} should be at the top of the zip"
    inner = sorted(name for name in files.names if name.lower().endswith(".zip"))
    return f"; it contains {inner[0]!r}: was the package zipped twice?" if inner else ""


@contextmanager
def _open_source(source: Source, limits: ExtractionLimits) -> Iterator[PackageSource]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_dir():
            yield DirectorySource(path, limits)
            return
        if zipfile.is_zipfile(path):
            with open_zip(path) as archive:
                yield ZipSource(archive, limits)
            return
        with path.open("rb") as stream:
            yield _standalone(read_limited(stream, limits.max_xml_size, path.name))
        return
    start = source.tell()
    is_zip = zipfile.is_zipfile(source)
    source.seek(start)
    if is_zip:
        with open_zip(source) as archive:
            yield ZipSource(archive, limits)
        return
    yield _standalone(read_limited(source, limits.max_xml_size, "upload"))


def _standalone(data: bytes) -> PackageSource:
    """A lone XML upload (cmi5 §14.2 allows the course structure alone)."""
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise PackageImportError(
            Reason.NOT_A_ZIP,
            "the upload is not a zip file, nor a cmi5 course structure XML",
        )
    root = parse_xml(data, "upload")
    name = _STANDALONE_NAMES.get(local(root), "document.xml")
    return MemorySource({name: data}, standalone=True)
