"""Safe reading and extraction of package zips (paths, sizes, bombs, junk).

Every member name is checked before anything is read or written: no ``..``,
no absolute or drive-letter paths (also in their backslash forms), no
symlinks or device files, no encrypted entries; counts, sizes and compression
ratios are capped by :class:`ExtractionLimits`. Extraction streams one entry at
a time into a temporary folder beside the destination and renames it into
place, so a crash never leaves half a package visible (DESIGN.md, security).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from importers.errors import PackageImportError, Reason

#: Files whose presence at a folder's top marks the content root of a package.
ROOT_MARKERS = ("imsmanifest.xml", "cmi5.xml", "tincan.xml")

_UTF8_FLAG = 0x800  # APPNOTE 4.4.4 bit 11: names are UTF-8
_ENCRYPTED_FLAG = 0x1  # APPNOTE 4.4.4 bit 0
_UNIX = 3  # APPNOTE 4.4.2 "version made by" host system: UNIX
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 1024 * 1024
_JUNK_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_MAX_PART_BYTES = 255  # NAME_MAX of common filesystems
_MAX_PATH_BYTES = 1024

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExtractionLimits:
    """Caps applied to every archive before and while it is read.

    Attributes:
        max_entries: Most members (files and folders) an archive may hold.
        max_total_size: Most uncompressed bytes of all members together.
        max_entry_size: Most uncompressed bytes of any single member.
        max_ratio: Highest uncompressed/compressed ratio of one member ...
        ratio_floor: ... once it is larger than this many bytes (tiny files
            compress absurdly well and are harmless).
        max_xml_size: Most bytes read into memory for one XML document.
    """

    max_entries: int = 20_000
    max_total_size: int = 4 * 1024**3
    max_entry_size: int = 2 * 1024**3
    max_ratio: int = 200
    ratio_floor: int = 1024**2
    max_xml_size: int = 32 * 1024**2


DEFAULT_LIMITS = ExtractionLimits()


def safe_member_name(name: str) -> str:
    """Return ``name`` as a clean relative POSIX path, or raise.

    Args:
        name: A member name as stored in the archive (already decoded).

    Returns:
        The name with backslashes turned into slashes and ``.``/empty parts
        dropped; a trailing slash (folder entries) is dropped too.

    Raises:
        PackageImportError: ``unsafe_path`` for traversal, absolute paths,
            drive letters, control characters or NUL bytes.
    """
    if any(ord(ch) < 32 for ch in name):
        raise _unsafe(name, "contains control characters")
    posix = name.replace("\\", "/")
    if posix.startswith("/") or _DRIVE.match(posix):
        raise _unsafe(name, "is an absolute path")
    parts = posix.split("/")
    if ".." in parts:
        raise _unsafe(name, "climbs out of the package with '..'")
    too_long = any(len(part.encode()) > _MAX_PART_BYTES for part in parts)
    if too_long or len(posix.encode()) > _MAX_PATH_BYTES:
        raise _unsafe(name, "has a name too long for a file system")
    return "/".join(part for part in parts if part not in ("", "."))


def _unsafe(name: str, why: str) -> PackageImportError:
    return PackageImportError(
        Reason.UNSAFE_PATH, f"zip entry {name!r} {why}", file=name
    )


def decode_member_name(info: zipfile.ZipInfo) -> str:
    """Decode a member name, repairing UTF-8 names stored without the flag.

    ``zipfile`` decodes names lacking the UTF-8 flag as cp437. Many tools
    write UTF-8 anyway, so the cp437 text is turned back into its bytes and
    read as UTF-8 when that is valid; otherwise cp437 stands (APPNOTE
    appendix D).
    """
    if info.flag_bits & _UTF8_FLAG:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return info.orig_filename


def is_junk(name: str) -> bool:
    """Whether a member is operating-system litter (``__MACOSX``, ``._x``)."""
    parts = name.split("/")
    return (
        parts[0] == "__MACOSX" or parts[-1].startswith("._") or parts[-1] in _JUNK_NAMES
    )


def content_root(names: set[str] | frozenset[str]) -> str:
    """Return the folder prefix ("" or ``"top/"``) holding the package.

    A package zipped with its enclosing folder has every member under one
    top-level folder; when a manifest sits directly in it, that folder is the
    root and is stripped.
    """
    if any(marker in names for marker in ROOT_MARKERS):
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1:
        return ""
    prefix = f"{tops.pop()}/"
    if any(f"{prefix}{marker}" in names for marker in ROOT_MARKERS):
        return prefix
    return ""


def _file_type(info: zipfile.ZipInfo) -> int:
    if info.create_system != _UNIX:
        return 0
    return stat.S_IFMT(info.external_attr >> 16)


@dataclass(frozen=True)
class ArchiveEntry:
    """One member that passed the checks: its clean path and zip record."""

    path: str
    info: zipfile.ZipInfo

    @property
    def size(self) -> int:
        """Declared uncompressed size in bytes."""
        return self.info.file_size


def _check_entry(info: zipfile.ZipInfo, path: str, limits: ExtractionLimits) -> None:
    kind = _file_type(info)
    if kind == stat.S_IFLNK:
        raise PackageImportError(
            Reason.SPECIAL_FILE, f"zip entry {path!r} is a symbolic link", file=path
        )
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise PackageImportError(
            Reason.SPECIAL_FILE, f"zip entry {path!r} is not a regular file", file=path
        )
    if info.flag_bits & _ENCRYPTED_FLAG:
        raise PackageImportError(
            Reason.ENCRYPTED_ENTRY, f"zip entry {path!r} is encrypted", file=path
        )
    if info.file_size > limits.max_entry_size:
        raise PackageImportError(
            Reason.TOO_LARGE,
            f"zip entry {path!r} is {info.file_size} bytes uncompressed, more "
            f"than the limit of {limits.max_entry_size}",
            file=path,
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > limits.ratio_floor and ratio > limits.max_ratio:
        raise PackageImportError(
            Reason.COMPRESSION_RATIO,
            f"zip entry {path!r} expands {ratio:.0f} times (limit "
            f"{limits.max_ratio}): refusing a possible zip bomb",
            file=path,
        )


def scan_archive(
    archive: zipfile.ZipFile, limits: ExtractionLimits = DEFAULT_LIMITS
) -> dict[str, ArchiveEntry]:
    """Check every member of an open zip and index the files by clean path.

    Folder entries and junk are checked but left out of the index.

    Raises:
        PackageImportError: on the first unsafe member or exceeded limit.
    """
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise PackageImportError(
            Reason.TOO_MANY_ENTRIES,
            f"the zip holds {len(infos)} entries, more than the limit of "
            f"{limits.max_entries}",
        )
    entries: dict[str, ArchiveEntry] = {}
    total = 0
    for info in infos:
        path = safe_member_name(decode_member_name(info))
        _check_entry(info, path, limits)
        total += info.file_size
        if total > limits.max_total_size:
            raise PackageImportError(
                Reason.TOO_LARGE,
                f"the zip expands to more than {limits.max_total_size} bytes",
            )
        if info.is_dir() or not path or is_junk(path):
            continue
        if path in entries:
            raise PackageImportError(
                Reason.DUPLICATE_ENTRY,
                f"zip entry {path!r} appears more than once",
                file=path,
            )
        entries[path] = ArchiveEntry(path, info)
    return entries


@contextmanager
def open_zip(source: str | os.PathLike[str] | BinaryIO) -> Iterator[zipfile.ZipFile]:
    """Open a zip for reading, translating "not a zip" into our error."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise PackageImportError(
            Reason.NOT_A_ZIP, f"the upload is not a readable zip file ({exc})"
        ) from exc
    with archive:
        yield archive


def copy_entry(
    archive: zipfile.ZipFile,
    entry: ArchiveEntry,
    out: IO[bytes],
    on_chunk: Callable[[int], None] | None = None,
) -> int:
    """Stream one member into ``out``, never trusting its declared size.

    Returns:
        The number of bytes written.

    Raises:
        PackageImportError: ``corrupt_entry`` when the data fails to inflate,
            fails its CRC or is longer than declared.
    """
    written = 0
    try:
        with archive.open(entry.info) as member:
            while chunk := member.read(_CHUNK):
                written += len(chunk)
                if written > entry.size:
                    raise PackageImportError(
                        Reason.CORRUPT_ENTRY,
                        f"zip entry {entry.path!r} is longer than it declares",
                        file=entry.path,
                    )
                out.write(chunk)
                if on_chunk is not None:
                    on_chunk(len(chunk))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise PackageImportError(
            Reason.CORRUPT_ENTRY,
            f"zip entry {entry.path!r} cannot be read ({exc})",
            file=entry.path,
        ) from exc
    return written


class _Tree:
    """Creates the files of one extraction, making and checking each folder once.

    Checking every file's resolved path costs a ``realpath`` walk (an ``lstat``
    per path part) per entry; folders are far fewer than files, so each folder
    is checked and created the first time an entry needs it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.real = folder.resolve()
        self.ready: set[Path] = {folder}

    def create(self, relative: str) -> IO[bytes]:
        """Open a new file at ``relative`` for writing; refuse to replace anything."""
        parts = relative.split("/")
        if ".." in parts:  # already refused by safe_member_name; never trusted
            raise _unsafe(relative, "resolves outside the package folder")
        target = self.folder.joinpath(*parts)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            self._prepare(target.parent, relative)
            descriptor = os.open(target, flags, 0o644)
        except (FileExistsError, NotADirectoryError, IsADirectoryError) as exc:
            raise PackageImportError(
                Reason.DUPLICATE_ENTRY,
                f"zip entry {relative!r} collides with another entry (same name, or "
                "a file where a folder is needed)",
                file=relative,
            ) from exc
        return os.fdopen(descriptor, "wb")

    def _prepare(self, parent: Path, relative: str) -> None:
        if parent in self.ready:
            return
        # Defence in depth: the name was already checked by safe_member_name. The
        # file itself is opened with O_EXCL | O_NOFOLLOW, so only a folder on
        # the way could lead elsewhere.
        if not parent.resolve().is_relative_to(self.real):
            raise _unsafe(relative, "resolves outside the package folder")
        parent.mkdir(parents=True, exist_ok=True)
        self.ready.add(parent)


def _write_file(folder: Path, relative: str) -> IO[bytes]:
    """Open the new file ``relative`` under ``folder`` (one-off :class:`_Tree`)."""
    return _Tree(folder).create(relative)


@dataclass(frozen=True)
class ExtractedPackage:
    """Where a package landed and what was written."""

    path: Path
    files: tuple[str, ...]
    total_size: int


def extract_package(
    zip_source: str | os.PathLike[str] | BinaryIO,
    dest_dir: str | os.PathLike[str],
    *,
    limits: ExtractionLimits | None = None,
    progress: Progress | None = None,
) -> ExtractedPackage:
    """Safely extract a package zip into ``dest_dir`` (which must not exist).

    Members are streamed one at a time into a temporary folder created beside
    ``dest_dir``; on success that folder is renamed to ``dest_dir`` in one
    step, on any failure it is removed. ``__MACOSX`` and AppleDouble litter is
    skipped, and a single top-level folder holding the manifest is stripped.

    Args:
        zip_source: A path to the zip or a seekable binary file object.
        dest_dir: The folder to create; its parent must exist.
        limits: Caps on entries, sizes and ratios (defaults otherwise).
        progress: Called as ``progress(done_bytes, total_bytes)``.

    Returns:
        The final path, the relative paths written and their total size.

    Raises:
        PackageImportError: for unsafe or corrupt zips and exceeded limits,
            or ``destination_exists`` when ``dest_dir`` exists.
    """
    limits = limits or DEFAULT_LIMITS
    dest = Path(dest_dir)
    if dest.exists():
        raise PackageImportError(
            Reason.DESTINATION_EXISTS, f"destination {dest} already exists"
        )
    with open_zip(zip_source) as archive:
        entries = scan_archive(archive, limits)
        prefix = content_root(frozenset(entries))
        total = sum(entry.size for entry in entries.values())
        temp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            written = _extract_all(
                archive,
                entries=entries,
                prefix=prefix,
                folder=temp,
                total=total,
                progress=progress,
            )
            os.rename(temp, dest)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    return ExtractedPackage(dest, tuple(sorted(written)), total)


def _extract_all(
    archive: zipfile.ZipFile,
    *,
    entries: dict[str, ArchiveEntry],
    prefix: str,
    folder: Path,
    total: int,
    progress: Progress | None,
) -> list[str]:
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    tree = _Tree(folder)
    written = []
    for entry in entries.values():
        relative = entry.path.removeprefix(prefix)
        with tree.create(relative) as out:
            copy_entry(archive, entry, out, advance)
        written.append(relative)
    if progress is not None:
        progress(total, total)
    return written
