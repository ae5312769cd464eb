"""Locate the shared real-world package corpus (``../shared/corpus``) for tests.

The corpus is not in the repository: it sits beside the checkout. Tests that read it
are skipped with a clear reason when it is absent. ``HUB_CORPUS_DIR`` overrides the
location.
"""

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = Path(
    os.environ.get("HUB_CORPUS_DIR", REPO_ROOT.parent / "shared" / "corpus")
)

requires_corpus = pytest.mark.skipif(
    not (CORPUS_DIR / "MANIFEST.tsv").is_file(),
    reason=f"shared corpus not found at {CORPUS_DIR} (set HUB_CORPUS_DIR)",
)


@dataclass(frozen=True)
class CorpusEntry:
    """One row of the corpus MANIFEST.tsv."""

    file: str
    standard: str
    edition: str
    notes: str

    @property
    def path(self) -> Path:
        return CORPUS_DIR / self.file

    @property
    def intentionally_invalid(self) -> bool:
        return "INTENTIONALLY INVALID" in self.notes


def corpus_entries(prefix: str = "") -> list[CorpusEntry]:
    """Rows of MANIFEST.tsv whose file path starts with ``prefix`` (empty if absent)."""
    manifest = CORPUS_DIR / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return [
            CorpusEntry(
                file=row["file"],
                standard=row["standard"],
                edition=row["edition/version"],
                notes=row["notes"] or "",
            )
            for row in rows
            if row["file"].startswith(prefix)
        ]
