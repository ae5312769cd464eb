"""Safe zip reading and extraction: every attack of the malicious-zip suite."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path
from string import ascii_letters

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importers import ExtractionLimits, PackageImportError, extract_package
from importers.archive import (
    content_root,
    decode_member_name,
    is_junk,
    safe_member_name,
    scan_archive,
)
from importers.errors import Reason
from tests.importers.builders import PAGE, scorm12_manifest


def _zip_with(tmp_path: Path, *infos: tuple[zipfile.ZipInfo, bytes]) -> Path:
    path = tmp_path / "crafted.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in infos:
            archive.writestr(info, data)
    return path


def _unix_info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("../evil.html", "climbs out"),
        ("a/../../evil.html", "climbs out"),
        ("..\\..\\evil.html", "climbs out"),
        ("/etc/passwd", "absolute"),
        ("\\windows\\evil.html", "absolute"),
        ("C:\\evil.html", "absolute"),
        ("c:/evil.html", "absolute"),
        ("evil\x00.html", "control characters"),
    ],
)
def test_safe_member_name_unsafe_raises(name, match):
    with pytest.raises(PackageImportError, match=match) as caught:
        safe_member_name(name)
    assert caught.value.reason is Reason.UNSAFE_PATH


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("index.html", "index.html"),
        ("./a//b/./c.html", "a/b/c.html"),
        ("folder\\page.html", "folder/page.html"),
        ("folder/", "folder"),
    ],
)
def test_safe_member_name_benign_normalizes(name, expected):
    assert safe_member_name(name) == expected


@pytest.mark.parametrize(
    "name",
    ["__MACOSX/._index.html", "__MACOSX/x", "a/._b.html", "a/.DS_Store", "Thumbs.db"],
)
def test_is_junk_os_litter_true(name):
    assert is_junk(name)


def test_is_junk_content_false():
    assert not is_junk("content/index.html")


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ({"imsmanifest.xml", "a.html"}, ""),
        ({"pkg/imsmanifest.xml", "pkg/a.html"}, "pkg/"),
        ({"pkg/cmi5.xml"}, "pkg/"),
        ({"pkg/a/imsmanifest.xml"}, ""),
        ({"one/imsmanifest.xml", "two/a.html"}, ""),
    ],
)
def test_content_root_single_folder_stripped(names, expected):
    assert content_root(frozenset(names)) == expected


def test_extract_traversal_entry_rejected_nothing_written(tmp_path):
    bad = _zip_with(
        tmp_path,
        (zipfile.ZipInfo("imsmanifest.xml"), b"<manifest/>"),
        (zipfile.ZipInfo("../../outside.html"), PAGE),
    )
    dest = tmp_path / "out" / "pkg"
    dest.parent.mkdir()
    with pytest.raises(PackageImportError, match="climbs out") as caught:
        extract_package(bad, dest)
    assert caught.value.reason is Reason.UNSAFE_PATH
    assert list(dest.parent.iterdir()) == []
    assert not (tmp_path / "outside.html").exists()


@pytest.mark.parametrize(
    ("mode", "match"),
    [
        (stat.S_IFLNK | 0o777, "symbolic link"),
        (stat.S_IFIFO | 0o644, "not a regular file"),
        (stat.S_IFCHR | 0o644, "not a regular file"),
    ],
)
def test_extract_special_entry_rejected(tmp_path, mode, match):
    bad = _zip_with(tmp_path, (_unix_info("link.html", mode), b"/etc/passwd"))
    with pytest.raises(PackageImportError, match=match) as caught:
        extract_package(bad, tmp_path / "pkg")
    assert caught.value.reason is Reason.SPECIAL_FILE
    assert not (tmp_path / "pkg").exists()


def test_scan_regular_unix_file_accepted(tmp_path):
    good = _zip_with(tmp_path, (_unix_info("a.html", stat.S_IFREG | 0o644), PAGE))
    with zipfile.ZipFile(good) as archive:
        assert list(scan_archive(archive)) == ["a.html"]


def test_scan_encrypted_entry_rejected(tmp_path):
    bad = _zip_with(tmp_path, (zipfile.ZipInfo("secret.html"), PAGE))
    raw = bytearray(bad.read_bytes())
    # APPNOTE 4.3.7 / 4.3.12: general purpose flags at +6 (local) and +8 (central).
    raw[raw.index(b"PK\x03\x04") + 6] |= 0x1
    raw[raw.index(b"PK\x01\x02") + 8] |= 0x1
    bad.write_bytes(bytes(raw))
    with zipfile.ZipFile(bad) as archive, pytest.raises(PackageImportError) as caught:
        scan_archive(archive)
    assert caught.value.reason is Reason.ENCRYPTED_ENTRY


def test_extract_too_many_entries_rejected(make_zip, tmp_path):
    package = make_zip({f"f{i}.html": PAGE for i in range(5)})
    with pytest.raises(PackageImportError, match="5 entries") as caught:
        extract_package(
            package, tmp_path / "pkg", limits=ExtractionLimits(max_entries=4)
        )
    assert caught.value.reason is Reason.TOO_MANY_ENTRIES


def test_extract_total_size_over_limit_rejected(make_zip, tmp_path):
    package = make_zip({"a.html": b"a" * 600, "b.html": b"b" * 600})
    limits = ExtractionLimits(max_total_size=1000)
    with pytest.raises(PackageImportError, match="more than 1000 bytes") as caught:
        extract_package(package, tmp_path / "pkg", limits=limits)
    assert caught.value.reason is Reason.TOO_LARGE


def test_extract_entry_size_over_limit_rejected(make_zip, tmp_path):
    package = make_zip({"a.html": b"a" * 600})
    limits = ExtractionLimits(max_entry_size=500)
    with pytest.raises(PackageImportError, match="600 bytes uncompressed"):
        extract_package(package, tmp_path / "pkg", limits=limits)


def test_extract_zip_bomb_ratio_rejected(make_zip, tmp_path):
    bomb = make_zip({"bomb.html": b"\0" * (8 * 1024**2)})
    with pytest.raises(PackageImportError, match="zip bomb") as caught:
        extract_package(bomb, tmp_path / "pkg")
    assert caught.value.reason is Reason.COMPRESSION_RATIO
    assert not (tmp_path / "pkg").exists()


def test_extract_small_compressible_entry_accepted(make_zip, tmp_path):
    package = make_zip({"imsmanifest.xml": "x", "blank.html": b" " * 500_000})
    result = extract_package(package, tmp_path / "pkg")
    assert (result.path / "blank.html").stat().st_size == 500_000


def test_extract_duplicate_entry_rejected(tmp_path):
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.html", PAGE)
        archive.writestr("./a.html", PAGE)
    with pytest.raises(PackageImportError, match="more than once") as caught:
        extract_package(path, tmp_path / "pkg")
    assert caught.value.reason is Reason.DUPLICATE_ENTRY


def test_extract_corrupt_entry_cleans_up(tmp_path):
    path = tmp_path / "corrupt.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("imsmanifest.xml", scorm12_manifest())
        archive.writestr("index.html", b"MARKER-PAYLOAD" * 10)
    raw = path.read_bytes().replace(b"MARKER-PAYLOAD", b"MARKER-PAYLOAX", 1)
    path.write_bytes(raw)
    with pytest.raises(PackageImportError, match="cannot be read") as caught:
        extract_package(path, tmp_path / "out")
    assert caught.value.reason is Reason.CORRUPT_ENTRY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.zip"]


def test_extract_destination_exists_rejected(make_zip, tmp_path):
    package = make_zip({"imsmanifest.xml": "x"})
    (tmp_path / "pkg").mkdir()
    with pytest.raises(PackageImportError, match="already exists") as caught:
        extract_package(package, tmp_path / "pkg")
    assert caught.value.reason is Reason.DESTINATION_EXISTS


def test_extract_not_a_zip_rejected(tmp_path):
    text = tmp_path / "notes.zip"
    text.write_text("# not a zip\n")
    with pytest.raises(PackageImportError, match="not a readable zip") as caught:
        extract_package(text, tmp_path / "pkg")
    assert caught.value.reason is Reason.NOT_A_ZIP


def test_extract_nested_folder_stripped_junk_skipped(make_zip, tmp_path):
    package = make_zip(
        {
            "course/imsmanifest.xml": scorm12_manifest(),
            "course/index.html": PAGE,
            "course/.DS_Store": b"junk",
            "__MACOSX/course/._index.html": b"junk",
        }
    )
    seen = []
    result = extract_package(
        package, tmp_path / "pkg", progress=lambda d, t: seen.append((d, t))
    )
    assert result.files == ("imsmanifest.xml", "index.html")
    assert sorted(p.name for p in result.path.iterdir()) == [
        "imsmanifest.xml",
        "index.html",
    ]
    assert seen[-1] == (result.total_size, result.total_size)
    assert all(done <= total for done, total in seen)


def test_extract_file_object_streams(make_zip, tmp_path):
    package = make_zip({"imsmanifest.xml": scorm12_manifest(), "index.html": PAGE})
    with package.open("rb") as stream:
        result = extract_package(stream, tmp_path / "pkg")
    assert (result.path / "index.html").read_bytes() == PAGE


def _utf8_without_flag(tmp_path: Path, name: str) -> Path:
    """A zip whose member name is UTF-8 bytes but lacks the UTF-8 flag."""
    raw = name.encode("utf-8")
    placeholder = b"X" * len(raw)
    path = tmp_path / "legacy.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(placeholder.decode(), PAGE)
    path.write_bytes(path.read_bytes().replace(placeholder, raw))
    return path


def test_decode_member_name_utf8_without_flag_repaired(tmp_path):
    path = _utf8_without_flag(tmp_path, "英国.html")
    with zipfile.ZipFile(path) as archive:
        info = archive.infolist()[0]
        assert not info.flag_bits & 0x800
        assert decode_member_name(info) == "英国.html"


def test_decode_member_name_cp437_kept(tmp_path):
    path = tmp_path / "cp437.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("cafXX.txt", PAGE)
    path.write_bytes(path.read_bytes().replace(b"cafXX", b"caf\x82!"))
    with zipfile.ZipFile(path) as archive:
        assert decode_member_name(archive.infolist()[0]) == "café!.txt"


def test_extract_non_utf8_name_written_decoded(tmp_path):
    path = _utf8_without_flag(tmp_path, "données.html")
    result = extract_package(path, tmp_path / "pkg")
    assert result.files == ("données.html",)


def test_extract_bytesio_source(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/b.html", PAGE)
    buffer.seek(0)
    result = extract_package(buffer, tmp_path / "pkg")
    assert (result.path / "a" / "b.html").read_bytes() == PAGE


@pytest.mark.parametrize(
    "name", ["a" * 256 + ".html", "/".join(["folder"] * 200) + "/a.html"]
)
def test_safe_member_name_too_long_raises(name):
    with pytest.raises(PackageImportError, match="too long"):
        safe_member_name(name)


@pytest.mark.parametrize(
    "names",
    [("page", "page/index.html"), ("page/index.html", "page")],
)
def test_extract_file_folder_clash_rejected(make_zip, tmp_path, names):
    package = make_zip(dict.fromkeys(names, PAGE))
    with pytest.raises(PackageImportError, match="collides") as caught:
        extract_package(package, tmp_path / "pkg")
    assert caught.value.reason is Reason.DUPLICATE_ENTRY
    assert not (tmp_path / "pkg").exists()


@given(st.text(alphabet=st.sampled_from("ab./\\:C\x00 é"), max_size=40))
def test_safe_member_name_never_escapes(name):
    try:
        clean = safe_member_name(name)
    except PackageImportError as exc:
        assert exc.reason is Reason.UNSAFE_PATH
        return
    parts = clean.split("/")
    assert ".." not in parts and "" not in parts[:-1] or clean == ""
    assert not clean.startswith("/") and "\\" not in clean
    assert not (len(clean) > 1 and clean[1] == ":" and clean[0] in ascii_letters)
