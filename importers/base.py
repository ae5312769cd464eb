"""The importer interface: every format detects itself and parses to a Package."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from lxml import etree

from importers.model import Package
from importers.report import Severity, ValidationReport
from importers.source import PackageSource


@dataclass
class ParseContext:
    """What a reader needs while parsing: the files, the report and the mode.

    Attributes:
        source: The package files.
        report: Collects problems; the reader also sets standard and edition.
        strict: When true, schema errors and missing files reject.
        file: The document being read, used to locate problems.
    """

    source: PackageSource
    report: ValidationReport
    strict: bool = False
    file: str = "imsmanifest.xml"

    def problem(
        self,
        severity: Severity,
        code: str,
        message: str,
        element: etree._Element | None = None,
        *,
        file: str | None = None,
    ) -> None:
        """Record a problem located at ``element`` (its line) in ``file``."""
        line = element.sourceline if element is not None else None
        self.report.add(severity, code, message, file=self.path(file), line=line)

    def path(self, file: str | None = None) -> str:
        """Where ``file`` (default: the current document) sits in the upload."""
        return self.source.root + (file or self.file)

    def error(self, code: str, message: str, element: etree._Element | None = None):
        """Record a problem that rejects the package."""
        self.problem(Severity.ERROR, code, message, element)

    def warning(self, code: str, message: str, element: etree._Element | None = None):
        """Record a problem the package can live with."""
        self.problem(Severity.WARNING, code, message, element)

    def lenient(
        self, code: str, message: str, element: etree._Element | None = None
    ) -> None:
        """Record a problem that rejects only in strict mode."""
        severity = Severity.ERROR if self.strict else Severity.WARNING
        self.problem(severity, code, message, element)


class Importer(ABC):
    """A reader for one package format, registered by ``format_id``."""

    format_id: ClassVar[str]
    label: ClassVar[str]

    @abstractmethod
    def detect(self, source: PackageSource) -> bool:
        """Whether ``source`` is a package of this format."""

    @abstractmethod
    def parse(self, ctx: ParseContext) -> Package | None:
        """Read the package, recording problems in ``ctx.report``.

        Returns:
            The normalized package, or None when nothing usable could be read.
        """
