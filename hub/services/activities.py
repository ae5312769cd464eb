"""The activities of a package version as the player sees them: the item tree of the
default organization, launch URLs, and the SCOs that roll up (cached per version)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import ConflictError
from hub.models import PackageVersion
from scorm_runtime import vocab

_EDITIONS = {
    "2nd Edition": vocab.SCORM_2004_2ND,
    "3rd Edition": vocab.SCORM_2004_3RD,
    "4th Edition": vocab.SCORM_2004_4TH,
}


def runtime_version(version: PackageVersion) -> str:
    """The scorm_runtime version of a package version; only SCORM plays here."""
    found = scorm_version(version.standard, version.edition)
    if found is None:
        raise ConflictError(
            f"{version.standard} content does not play in the SCORM player yet"
        )
    return found


def scorm_version(standard: str | None, edition: str | None) -> str | None:
    """The scorm_runtime version of a package's standard and edition (None: not
    SCORM)."""
    if standard == "scorm12":
        return vocab.SCORM_12
    if standard == "scorm2004":
        return _EDITIONS.get(edition or "", vocab.SCORM_2004_4TH)
    return None


@dataclass(frozen=True)
class Activity:
    """An item of the package's default organization, as the player shows it."""

    identifier: str
    title: str
    depth: int
    url: str | None  # launch URL relative to the package root; None for a folder
    scorm_type: str | None
    visible: bool
    item: dict[str, Any]

    @property
    def launchable(self) -> bool:
        return self.url is not None

    @property
    def objective_ids(self) -> list[str]:
        """The SCORM 2004 objective IDs of the item's sequencing, in manifest order."""
        objectives = (self.item.get("sequencing") or {}).get("objectives") or []
        return [o["objective_id"] for o in objectives if o.get("objective_id")]

    @property
    def hidden_controls(self) -> frozenset[str]:
        """The player's controls the item hides (CAM 4th ed. adlnav:hideLMSUI:
        previous, continue, exit, exitAll, abandon, abandonAll, suspendAll)."""
        return frozenset(self.item.get("hide_lms_ui") or ())

    @property
    def data_maps(self) -> list[dict[str, Any]]:
        """The item's SCORM 2004 4th ed. adlcp:map elements (target_id, access)."""
        return self.item.get("data_maps") or []


def activities(version: PackageVersion) -> list[Activity]:
    """The default organization's items in tree order (folders included)."""
    return manifest_activities(version.manifest or {})


def manifest_activities(manifest: dict[str, Any]) -> list[Activity]:
    """:func:`activities` of a package's normalized manifest."""
    urls = {t["identifier"]: t["url"] for t in manifest.get("launch_targets") or []}
    orgs = manifest.get("organizations") or []
    default = manifest.get("default_organization")
    org = next(
        (o for o in orgs if o.get("identifier") == default), orgs[0] if orgs else None
    )
    found: list[Activity] = []

    def walk(items: list[dict[str, Any]], depth: int) -> None:
        for item in items:
            found.append(
                Activity(
                    identifier=item["identifier"],
                    title=item.get("title") or item["identifier"],
                    depth=depth,
                    url=urls.get(item["identifier"]) if item.get("href") else None,
                    scorm_type=item.get("scorm_type"),
                    visible=item.get("isvisible", True),
                    item=item,
                )
            )
            walk(item.get("children") or [], depth + 1)

    walk((org or {}).get("items") or [], 0)
    return found


# (version id, checksum) -> the SCOs that roll up. A package version never changes once
# imported; the checksum keeps a reused id (SQLite, a recreated database) from hitting.
_SCO_CACHE: dict[tuple[int, str], tuple[str, ...]] = {}
_SCO_CACHE_SIZE = 1024


def sco_ids(
    session: Session, *, version_id: int, sha256: str | None = None
) -> tuple[str, ...]:
    """The package version's SCOs, without reading and walking its manifest each time."""
    if sha256 is None:
        sha256 = session.scalar(
            select(PackageVersion.sha256).where(PackageVersion.id == version_id)
        )
    key = (version_id, sha256 or "")
    scos = _SCO_CACHE.get(key)
    if scos is None:
        version = session.get_one(PackageVersion, version_id)
        scos = tuple(
            a.identifier
            for a in activities(version)
            if a.launchable and a.scorm_type != "asset"
        )
        if len(_SCO_CACHE) >= _SCO_CACHE_SIZE:
            _SCO_CACHE.clear()
        _SCO_CACHE[key] = scos
    return scos
