"""LocalStorage taking a local file in as an upload: a hard link, or a copy."""

import errno
import os

from hub.services import storage as storage_module
from hub.services.storage import LocalStorage


def test_save_upload_file_same_filesystem_links_without_copying(tmp_path):
    storage = LocalStorage(tmp_path / "content")
    source = tmp_path / "package.zip"
    source.write_bytes(b"PK" + b"x" * 1000)
    size = storage.save_upload_file(source, key="job.zip")
    upload = storage.upload_path("job.zip")
    assert size == 1002
    assert upload.stat().st_ino == source.stat().st_ino
    storage.delete_upload("job.zip")
    assert not upload.exists()
    assert source.read_bytes() == b"PK" + b"x" * 1000


def test_save_upload_file_unlinkable_copies(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(storage_module.os, "link", refuse)
    storage = LocalStorage(tmp_path / "content")
    source = tmp_path / "package.zip"
    source.write_bytes(os.urandom(3 * storage_module.CHUNK + 5))
    size = storage.save_upload_file(source, key="job.zip")
    upload = storage.upload_path("job.zip")
    assert size == source.stat().st_size
    assert upload.stat().st_ino != source.stat().st_ino
    assert upload.read_bytes() == source.read_bytes()
    assert [p.name for p in upload.parent.iterdir()] == ["job.zip"]  # no .part left
