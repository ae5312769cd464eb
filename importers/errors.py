"""Errors raised by the package importers, each with a machine-readable reason."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a package (or one of its files) was rejected."""

    NOT_A_ZIP = "not_a_zip"
    UNSAFE_PATH = "unsafe_path"
    SPECIAL_FILE = "special_file"
    ENCRYPTED_ENTRY = "encrypted_entry"
    DUPLICATE_ENTRY = "duplicate_entry"
    TOO_MANY_ENTRIES = "too_many_entries"
    TOO_LARGE = "too_large"
    COMPRESSION_RATIO = "compression_ratio"
    CORRUPT_ENTRY = "corrupt_entry"
    DESTINATION_EXISTS = "destination_exists"
    MALFORMED_XML = "malformed_xml"
    NO_MANIFEST = "no_manifest"
    MISSING_FILE = "missing_file"
    UNSUPPORTED_FORMAT = "unsupported_format"


class PackageImportError(Exception):
    """A package cannot be read, extracted or imported.

    Attributes:
        reason: The machine-readable :class:`Reason`.
        message: A plain-language explanation for the author of the package.
        file: The package member concerned, if any.
        line: The 1-based line in ``file``, if known.
        column: The 1-based column in ``file``, if known.
    """

    def __init__(
        self,
        reason: Reason,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        """Create the error; see the class docstring for the arguments."""
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.file = file
        self.line = line
        self.column = column
