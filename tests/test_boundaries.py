"""The dependency direction of DESIGN.md, enforced: pure packages import no framework.

Pattern from openfun/ralph tests/test_dependencies.py: poison ``sys.modules`` for the
frameworks, then import every module of the pure packages in a fresh interpreter.
"""

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "scorm_runtime": [
        "flask",
        "sqlalchemy",
        "celery",
        "requests",
        "hub",
        "lti",
        "importers",
    ],
    "importers": [
        "flask",
        "sqlalchemy",
        "celery",
        "requests",
        "hub",
        "lti",
        "scorm_runtime",
    ],
    "lti": ["sqlalchemy", "celery", "hub", "importers", "scorm_runtime"],
}

SCRIPT = """
import importlib, pkgutil, sys
for name in {forbidden!r}:
    sys.modules[name] = None
package = importlib.import_module({package!r})
skip = set({skip!r})
for info in pkgutil.walk_packages(package.__path__, {package!r} + "."):
    if info.name in skip:
        continue
    importlib.import_module(info.name)
"""


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_without_forbidden_dependencies(package):
    # lti/flask_adapter.py is the one module of lti allowed to import Flask
    # (STYLE.md A); every other lti module must import without it.
    forbidden = FORBIDDEN[package] + (["flask"] if package == "lti" else [])
    skip = ["lti.flask_adapter"] if package == "lti" else []
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT.format(forbidden=forbidden, package=package, skip=skip),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
