"""The validation report handed back with every import: status and problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a problem is: errors reject the package, the rest are advice."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Problem:
    """One finding about a package, located as precisely as we can."""

    severity: Severity
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the problem as a JSON-ready dict."""
        return {
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }


@dataclass
class ValidationReport:
    """What the importer found: the detected standard and every problem.

    The report is filled while a package is read; ``status`` is derived from
    the problems, so a report with an error is always ``rejected``.
    ``outline`` is the delivered tree (see :mod:`importers.outline`).
    """

    standard: str | None = None
    edition: str | None = None
    title: str | None = None
    problems: list[Problem] = field(default_factory=list)
    outline: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        """Record a problem."""
        self.problems.append(Problem(severity, code, message, file, line, column))

    def error(self, code: str, message: str, **where: Any) -> None:
        """Record a problem that rejects the package."""
        self.add(Severity.ERROR, code, message, **where)

    def warning(self, code: str, message: str, **where: Any) -> None:
        """Record a problem the package can live with."""
        self.add(Severity.WARNING, code, message, **where)

    def info(self, code: str, message: str, **where: Any) -> None:
        """Record a neutral observation."""
        self.add(Severity.INFO, code, message, **where)

    def of(self, severity: Severity) -> list[Problem]:
        """Return the problems of one severity, in the order found."""
        return [p for p in self.problems if p.severity is severity]

    @property
    def errors(self) -> list[Problem]:
        """Problems that reject the package."""
        return self.of(Severity.ERROR)

    @property
    def warnings(self) -> list[Problem]:
        """Problems that do not reject the package."""
        return self.of(Severity.WARNING)

    @property
    def status(self) -> str:
        """``"accepted"`` or ``"rejected"``."""
        return "rejected" if self.errors else "accepted"

    @property
    def accepted(self) -> bool:
        """Whether the package imported."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready dict."""
        return {
            "status": self.status,
            "standard": self.standard,
            "edition": self.edition,
            "title": self.title,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "infos": [p.to_dict() for p in self.of(Severity.INFO)],
            "outline": self.outline,
        }
