"""Fixtures that write small packages from Python into ``tmp_path``."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ZipMaker = Callable[..., Path]


@pytest.fixture
def make_zip(tmp_path: Path) -> ZipMaker:
    """Write a zip from ``{name: content}``; returns its path."""
    counter = iter(range(1_000_000))

    def make(files: dict[str, bytes | str], name: str | None = None) -> Path:
        path = tmp_path / (name or f"package{next(counter)}.zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, content in files.items():
                data = content.encode() if isinstance(content, str) else content
                archive.writestr(member, data)
        return path

    return make
