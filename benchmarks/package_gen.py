"""A large, valid SCORM 1.2 package written into a deflate zip, for the import benchmark.

The package looks like an authoring tool's output: SCOs made of HTML pages with their
media (random bytes: poorly compressible, like JPEG, MP3 or MP4 files) and a shared
asset resource of JavaScript and CSS (compressible text). Every file is listed in
``imsmanifest.xml`` (SCORM 1.2 CAM, IMS CP 1.1.2 binding). Nothing is held whole in
memory: media are streamed into the zip in 1 MiB pieces.
"""

from __future__ import annotations

import random
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

KIB = 1024
MIB = 1024 * KIB
_PIECE = MIB
_DATE = (2026, 1, 1, 12, 0, 0)
_SYLLABLES = (
    "ka ro mi ta le no su vi an der ing ex pro con tor ment al ic ble sta"
    " lu pe ra chi om ul ve ness tion ly"
).split()
_MAGIC = {
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "png": b"\x89PNG\r\n\x1a\n",
    "mp3": b"ID3\x04\x00\x00",
    "mp4": b"\x00\x00\x00\x18ftypmp42",
}
SCORM12_NS = (
    'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"'
)
_SCOS_PER_MODULE = 10
_PAGES_PER_SCO = 4
_TEXT_SHARE = 0.2  # at most this part of the bytes is text; media take the rest


@dataclass(frozen=True)
class PlannedFile:
    """One file of the package: where it goes, what it holds, how big it is."""

    path: str
    kind: str  # "html", "js", "css" or a media extension of _MAGIC
    size: int


@dataclass
class Sco:
    """A SCO resource: its launch page first, then its other pages and media."""

    identifier: str
    files: list[PlannedFile] = field(default_factory=list)


@dataclass(frozen=True)
class PackagePlan:
    """Every file of the package (manifest aside) and how they are grouped."""

    scos: list[Sco]
    shared: list[PlannedFile]

    @property
    def files(self) -> list[PlannedFile]:
        return [f for sco in self.scos for f in sco.files] + self.shared


@dataclass(frozen=True)
class GeneratedPackage:
    """What was written: the zip and the numbers to check an import against."""

    zip_path: Path
    file_count: int  # manifest included
    uncompressed: int


def plan_package(total_bytes: int, file_count: int, rng: random.Random) -> PackagePlan:
    """Split ``total_bytes`` over ``file_count - 1`` files (the manifest is the last).

    About 40% of the files are HTML pages, 10% JavaScript/CSS and 50% media; text
    takes at most a fifth of the bytes, media (sized on a heavy-tailed curve, a few
    videos and many pictures) take the rest.
    """
    count = file_count - 1
    n_html = max(1, count * 40 // 100)
    n_code = max(1, count * 10 // 100)
    n_media = count - n_html - n_code
    if n_media < 1:
        raise ValueError("--files must be at least 4")
    html_sizes = [rng.randint(4 * KIB, 24 * KIB) for _ in range(n_html)]
    code_sizes = [rng.randint(8 * KIB, 64 * KIB) for _ in range(n_code)]
    text = sum(html_sizes) + sum(code_sizes)
    scale = min(1.0, _TEXT_SHARE * total_bytes / text)
    html_sizes = [max(256, int(s * scale)) for s in html_sizes]
    code_sizes = [max(256, int(s * scale)) for s in code_sizes]
    budget = max(n_media * 512, total_bytes - sum(html_sizes) - sum(code_sizes))
    weights = [min(rng.paretovariate(1.3), 60.0) for _ in range(n_media)]
    media_sizes = [max(512, int(budget * w / sum(weights))) for w in weights]

    scos = [Sco(f"sco-{k + 1:04d}") for k in range(max(1, n_html // _PAGES_PER_SCO))]
    for i, size in enumerate(html_sizes):
        sco_no = i % len(scos)
        page = i // len(scos) + 1
        path = f"sco{sco_no + 1:04d}/page{page:02d}.html"
        scos[sco_no].files.append(PlannedFile(path, "html", size))
    for i, size in enumerate(media_sizes):
        sco_no = i % len(scos)
        ext = _media_kind(size, rng)
        path = f"sco{sco_no + 1:04d}/media/asset{i // len(scos) + 1:03d}.{ext}"
        scos[sco_no].files.append(PlannedFile(path, ext, size))
    shared = []
    for i, size in enumerate(code_sizes):
        kind = "js" if i % 2 == 0 else "css"
        folder = "js/lib" if kind == "js" else "css/theme"
        shared.append(
            PlannedFile(f"shared/{folder}{i // 2 + 1:03d}.{kind}", kind, size)
        )
    return PackagePlan(scos, shared)


def _media_kind(size: int, rng: random.Random) -> str:
    if size > 4 * MIB:
        return "mp4"
    if size > MIB:
        return "mp3"
    return rng.choice(("jpg", "jpg", "jpg", "png"))


def manifest_xml(plan: PackagePlan) -> bytes:
    """The SCORM 1.2 manifest: modules of lessons, one SCO each, all files listed."""
    items = []
    for first in range(0, len(plan.scos), _SCOS_PER_MODULE):
        module = first // _SCOS_PER_MODULE + 1
        items.append(
            f'<item identifier="module-{module:04d}"><title>Module {module}</title>'
        )
        for sco in plan.scos[first : first + _SCOS_PER_MODULE]:
            number = sco.identifier.removeprefix("sco-")
            items.append(
                f'  <item identifier="item-{number}" identifierref="{sco.identifier}">'
                f"<title>Lesson {int(number)}</title></item>"
            )
        items.append("</item>")
    resources = [_resource(sco) for sco in plan.scos]
    resources.append(
        '<resource identifier="shared" type="webcontent" adlcp:scormtype="asset">\n'
        + "".join(f"  <file href={quoteattr(f.path)}/>\n" for f in plan.shared)
        + "</resource>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest identifier="bench.large" version="1.0" {SCORM12_NS}>\n'
        "<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion>"
        "</metadata>\n"
        '<organizations default="course"><organization identifier="course">\n'
        f"<title>{escape('Benchmark course & media')}</title>\n"
        + "\n".join(items)
        + "\n</organization></organizations>\n<resources>\n"
        + "\n".join(resources)
        + "\n</resources>\n</manifest>\n"
    ).encode()


def _resource(sco: Sco) -> str:
    launch = sco.files[0].path
    files = "".join(f"  <file href={quoteattr(f.path)}/>\n" for f in sco.files)
    return (
        f'<resource identifier="{sco.identifier}" type="webcontent" '
        f'adlcp:scormtype="sco" href={quoteattr(launch)}>\n{files}'
        '  <dependency identifierref="shared"/>\n</resource>'
    )


class _Text:
    """Compressible text made of pseudo-words (deflate shrinks it about 3-4 times)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = [
            "".join(rng.choices(_SYLLABLES, k=rng.randint(1, 3))) for _ in range(3000)
        ]

    def words_of(self, count: int) -> list[str]:
        return self.rng.choices(self.words, k=count)

    def html(self, size: int, title: str) -> bytes:
        head = (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{title}</title>"
            '<link rel="stylesheet" href="../shared/css/theme001.css">'
            '<script src="../shared/js/lib001.js"></script></head>\n<body>\n'
        )
        tail = "\n</body></html>\n"
        body = []
        length = len(head) + len(tail)
        while length < size:
            line = f"<p>{' '.join(self.words_of(self.rng.randint(12, 40)))}.</p>\n"
            body.append(line)
            length += len(line)
        return _fit(head + "".join(body), tail, size)

    def js(self, size: int) -> bytes:
        parts, length = [], 0
        while length < size:
            a, b, c = self.words_of(3)
            number = self.rng.randint(0, 999)
            line = (
                f"function {a}_{b}(state, value) {{\n"
                f"  if (state.{c} > {number}) {{ return state.{a} + value; }}\n"
                f"  return LMSGetValue('cmi.core.lesson_location') || '{b}';\n}}\n"
            )
            parts.append(line)
            length += len(line)
        return _fit("".join(parts), "\n", size)

    def css(self, size: int) -> bytes:
        parts, length = [], 0
        while length < size:
            a, b = self.words_of(2)
            colour = self.rng.randint(0, 0xFFFFFF)
            line = (
                f".{a}-{b} {{ margin: {self.rng.randint(0, 24)}px; "
                f"color: #{colour:06x}; font-weight: {self.rng.choice((400, 700))}; }}\n"
            )
            parts.append(line)
            length += len(line)
        return _fit("".join(parts), "\n", size)


def _fit(text: str, tail: str, size: int) -> bytes:
    data = text.encode()
    return data[: max(0, size - len(tail))] + tail.encode()


def write_package(
    zip_path: Path, *, size_mb: float, files: int, seed: int
) -> GeneratedPackage:
    """Write the package zip (deflate, default level) and return what it holds."""
    rng = random.Random(seed)
    plan = plan_package(int(size_mb * MIB), files, rng)
    text = _Text(rng)
    total = 0
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        manifest = manifest_xml(plan)
        archive.writestr(_info("imsmanifest.xml"), manifest)
        total += len(manifest)
        for planned in plan.files:
            total += _write_member(archive, planned, text, rng)
    return GeneratedPackage(zip_path, len(plan.files) + 1, total)


def _info(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _write_member(
    archive: zipfile.ZipFile, planned: PlannedFile, text: _Text, rng: random.Random
) -> int:
    if planned.kind in ("html", "js", "css"):
        if planned.kind == "html":
            data = text.html(planned.size, planned.path)
        elif planned.kind == "js":
            data = text.js(planned.size)
        else:
            data = text.css(planned.size)
        archive.writestr(_info(planned.path), data)
        return len(data)
    magic = _MAGIC[planned.kind]
    info = _info(planned.path)
    info.file_size = planned.size  # lets zipfile pick zip64 only for huge members
    with archive.open(info, "w") as out:
        out.write(magic)
        left = planned.size - len(magic)
        while left > 0:
            piece = min(_PIECE, left)
            out.write(rng.randbytes(piece))
            left -= piece
    return max(planned.size, len(magic))
