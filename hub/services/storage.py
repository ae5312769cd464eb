"""Content storage behind an interface: local files now, S3-compatible later.

The importer extracts into a folder; storage takes that folder in under a key and
serves files from it. Nothing outside this module knows where bytes live, so an
S3 backend only has to implement ``ContentStorage``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from werkzeug.security import safe_join

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    """A file ready to be sent: a local path (S3 would give a URL instead)."""

    path: Path
    size: int
    mtime: float


class ContentStorage(Protocol):
    """Where uploads and extracted package versions are kept."""

    def save_upload(self, stream: IO[bytes], *, key: str) -> int:
        """Stream an upload to ``key``; returns its size in bytes."""
        ...

    def save_upload_file(self, path: Path, *, key: str) -> int:
        """Take a local file in as the upload ``key``; returns its size in bytes."""
        ...

    def upload_path(self, key: str) -> Path:
        """A local path of the upload, for reading it (a download for remote stores)."""
        ...

    def delete_upload(self, key: str) -> None: ...

    def staging_path(self, key: str) -> Path:
        """A local folder, not yet existing, to extract the version ``key`` into."""
        ...

    def publish(self, key: str, staged: Path) -> None:
        """Make the extracted folder visible as ``key`` (an upload for remote stores)."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete_tree(self, key: str) -> None: ...

    def file(self, key: str, relpath: str) -> StoredFile | None:
        """The stored file at ``relpath`` inside ``key``, or None (also for unsafe paths)."""
        ...


class LocalStorage:
    """Content under one folder: ``uploads/`` for zips, ``packages/`` for versions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "uploads").mkdir(parents=True, exist_ok=True)
        (root / "packages").mkdir(parents=True, exist_ok=True)

    def upload_path(self, key: str) -> Path:
        return self.root / "uploads" / _safe_key(key)

    def save_upload(self, stream: IO[bytes], *, key: str) -> int:
        target = self.upload_path(key)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        size = 0
        with partial.open("wb") as out:
            while chunk := stream.read(CHUNK):
                out.write(chunk)
                size += len(chunk)
        os.replace(partial, target)
        return size

    def save_upload_file(self, path: Path, *, key: str) -> int:
        target = self.upload_path(key)
        try:
            # On the same file system a hard link takes the file in without copying
            # a byte; the import only reads it and deletes its own name afterwards.
            os.link(path, target, follow_symlinks=True)
        except OSError:
            # Another file system, or a file we may not link (fs.protected_hardlinks).
            with path.open("rb") as stream:
                return self.save_upload(stream, key=key)
        return target.stat().st_size

    def delete_upload(self, key: str) -> None:
        self.upload_path(key).unlink(missing_ok=True)

    def _tree(self, key: str) -> Path:
        return self.root / "packages" / _safe_key(key)

    def staging_path(self, key: str) -> Path:
        # The importer extracts beside its destination and renames in one step, so
        # locally the destination is the final folder: it appears whole or not at all.
        return self._tree(key)

    def publish(self, key: str, staged: Path) -> None:
        if staged != self._tree(key):
            raise ValueError(f"{staged} was not staged for {key}")

    def exists(self, key: str) -> bool:
        return self._tree(key).is_dir()

    def delete_tree(self, key: str) -> None:
        shutil.rmtree(self._tree(key), ignore_errors=True)

    def file(self, key: str, relpath: str) -> StoredFile | None:
        base = self._tree(key)
        joined = safe_join(str(base), relpath)
        if joined is None:
            return None
        path = Path(joined)
        # No symlinks are extracted; refuse them anyway rather than follow one out.
        if path.is_symlink() or not path.is_file():
            return None
        stat = path.stat()
        return StoredFile(path=path, size=stat.st_size, mtime=stat.st_mtime)


def _safe_key(key: str) -> str:
    if not key or "/" in key or "\\" in key or key.startswith("."):
        raise ValueError(f"invalid storage key {key!r}")
    return key
