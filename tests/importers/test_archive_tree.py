"""Extraction creates and checks each folder once, and still refuses symlinked ones."""

from pathlib import Path

import pytest

from importers.archive import _Tree, extract_package
from importers.errors import PackageImportError, Reason

PAGE = b"<html><body>page</body></html>"


def test_tree_symlinked_folder_rejected_nothing_written_outside(tmp_path):
    folder, outside = tmp_path / "pkg", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (folder / "media").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PackageImportError, match="outside the package") as caught:
        _Tree(folder).create("media/clip.mp4")
    assert caught.value.reason is Reason.UNSAFE_PATH
    assert list(outside.iterdir()) == []


def test_tree_dotdot_rejected_before_touching_disk(tmp_path):
    with pytest.raises(PackageImportError, match="outside the package"):
        _Tree(tmp_path / "pkg").create("a/../../escape.html")
    assert not (tmp_path / "escape.html").exists()


def test_extract_resolves_each_folder_once(make_zip, tmp_path, monkeypatch):
    files = {"imsmanifest.xml": "<manifest/>"}
    files |= {f"sco{s}/page{p}.html": PAGE for s in range(3) for p in range(20)}
    package = make_zip(files)
    calls = []
    resolve = Path.resolve

    def counting(self, *args, **kwargs):
        calls.append(self)
        return resolve(self, *args, **kwargs)

    monkeypatch.setattr(Path, "resolve", counting)
    extracted = extract_package(package, tmp_path / "out")
    assert len(extracted.files) == 61
    assert (
        len(calls) <= 4
    )  # the package folder, then each SCO folder once (was 2 per file)
    assert (tmp_path / "out" / "sco2" / "page19.html").read_bytes() == PAGE
