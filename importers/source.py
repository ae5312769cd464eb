"""Uniform read access to a package given as a zip, a folder or one XML file."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

from lxml import etree

from importers._xml import parse_xml
from importers.archive import (
    DEFAULT_LIMITS,
    ArchiveEntry,
    ExtractionLimits,
    content_root,
    copy_entry,
    is_junk,
    scan_archive,
)
from importers.errors import PackageImportError, Reason


class _Buffer:
    """A bytes sink that refuses to grow past a cap."""

    def __init__(self, name: str, cap: int) -> None:
        self.name, self.cap, self.parts, self.size = name, cap, [], 0

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        if self.size > self.cap:
            raise PackageImportError(
                Reason.TOO_LARGE,
                f"{self.name} is larger than {self.cap} bytes",
                file=self.name,
            )
        self.parts.append(chunk)
        return len(chunk)


class PackageSource:
    """The files of a package, relative to its content root.

    Attributes:
        names: Every file path (POSIX, relative to the root), junk excluded.
        root: The stripped prefix ("" or ``"folder/"``).
        standalone: True when the package is a lone XML document.
    """

    def __init__(
        self, names: frozenset[str], root: str = "", *, standalone: bool = False
    ) -> None:
        """Index the names; subclasses provide :meth:`read_bytes`."""
        self.names = names
        self.root = root
        self.standalone = standalone
        self._lowered = {name.lower(): name for name in names}
        self._documents: dict[str, etree._Element] = {}

    def read_bytes(self, name: str) -> bytes:
        """Return the content of one file (``name`` relative to the root)."""
        raise PackageImportError(
            Reason.MISSING_FILE, f"{name} is not in the package", file=name
        )

    def has(self, path: str) -> bool:
        """Whether ``path`` (URL-encoded or not) names a file of the package."""
        return self.resolve(path) is not None

    def resolve(self, path: str) -> str | None:
        """The stored name for ``path``, as written or URL-decoded (``%20``)."""
        for candidate in (path, unquote(path)):
            if candidate in self.names:
                return candidate
        return None

    def case_variant(self, path: str) -> str | None:
        """A stored name equal to ``path`` but for letter case, if any."""
        return self._lowered.get(unquote(path).lower())

    def xml(self, name: str) -> etree._Element:
        """Parse (once) and return the root element of an XML file."""
        if name not in self._documents:
            data = self.read_bytes(name)
            self._documents[name] = parse_xml(data, self.root + name)
        return self._documents[name]


class ZipSource(PackageSource):
    """A package read straight from an open zip, without extracting it."""

    def __init__(
        self, archive: zipfile.ZipFile, limits: ExtractionLimits = DEFAULT_LIMITS
    ) -> None:
        """Check every member (see :func:`scan_archive`) and index the files."""
        entries = scan_archive(archive, limits)
        root = content_root(frozenset(entries))
        self._archive = archive
        self._limits = limits
        self._entries: dict[str, ArchiveEntry] = {
            path.removeprefix(root): entry for path, entry in entries.items()
        }
        super().__init__(frozenset(self._entries), root)

    def read_bytes(self, name: str) -> bytes:
        """Read one member, at most ``limits.max_xml_size`` bytes."""
        entry = self._entries.get(name)
        if entry is None:
            return super().read_bytes(name)
        sink = _Buffer(name, self._limits.max_xml_size)
        copy_entry(self._archive, entry, sink)
        return b"".join(sink.parts)


class DirectorySource(PackageSource):
    """A package already unpacked in a folder; symlinks are not followed."""

    def __init__(self, folder: Path, limits: ExtractionLimits = DEFAULT_LIMITS) -> None:
        """Walk the folder and index its regular files."""
        names = set()
        for current, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not (Path(current) / d).is_symlink()]
            for file in files:
                path = Path(current) / file
                relative = path.relative_to(folder).as_posix()
                if path.is_file() and not path.is_symlink() and not is_junk(relative):
                    names.add(relative)
        root = content_root(frozenset(names))
        self._folder = folder / root if root else folder
        self._limits = limits
        super().__init__(frozenset(n.removeprefix(root) for n in names), root)

    def read_bytes(self, name: str) -> bytes:
        """Read one file, at most ``limits.max_xml_size`` bytes."""
        if name not in self.names:
            return super().read_bytes(name)
        path = self._folder.joinpath(*name.split("/"))
        if path.stat().st_size > self._limits.max_xml_size:
            raise PackageImportError(
                Reason.TOO_LARGE, f"{name} is too large to read", file=name
            )
        return path.read_bytes()


class MemorySource(PackageSource):
    """A package made of in-memory documents, such as a lone cmi5.xml."""

    def __init__(self, files: dict[str, bytes], *, standalone: bool = False) -> None:
        """Keep the given files."""
        self._files = files
        super().__init__(frozenset(files), "", standalone=standalone)

    def read_bytes(self, name: str) -> bytes:
        """Return one of the kept files."""
        if name not in self._files:
            return super().read_bytes(name)
        return self._files[name]


def read_limited(stream: BinaryIO, cap: int, name: str) -> bytes:
    """Read a whole stream that must not exceed ``cap`` bytes."""
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise PackageImportError(
            Reason.TOO_LARGE, f"{name} is larger than {cap} bytes", file=name
        )
    return data
