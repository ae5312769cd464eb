"""The demo packages shipped for ``make run`` import cleanly, even in strict mode."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from importers import read_package

DEMO_DIR = Path(__file__).resolve().parents[2] / "hub" / "demo" / "packages"


def _zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


@pytest.mark.parametrize(
    ("name", "standard", "edition", "launchable"),
    [
        ("scorm12-intro", "scorm12", "1.2", 2),
        ("scorm2004-tour", "scorm2004", "4th Edition", 3),
    ],
)
def test_read_package_demo_strict_accepted_without_problems(
    tmp_path, name, standard, edition, launchable
):
    package = _zip_folder(DEMO_DIR / name, tmp_path / f"{name}.zip")
    result = read_package(package, strict=True)
    assert result.report.problems == []
    assert (result.package.standard, result.package.edition) == (standard, edition)
    assert len(result.package.launch_targets) == launchable
    assert all(t.kind == "sco" for t in result.package.launch_targets)


def test_read_package_demo_tour_sequencing_read():
    package = read_package(DEMO_DIR / "scorm2004-tour", strict=True).package
    org = package.organizations[0]
    assert org.sequencing.control_mode.flow
    check = org.items[-1]
    assert check.sequencing.limit_conditions.attempt_limit == 3
    assert check.sequencing.objectives[0].min_normalized_measure == 0.7
    assert check.hide_lms_ui == ("continue",)
    assert [t.url for t in package.launch_targets][:2] == [
        "lesson.html?topic=sun",
        "lesson.html?topic=planets",
    ]
