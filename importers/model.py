"""The normalized package model: frozen dataclasses, JSON-ready via ``to_dict``.

One shape for every standard: SCORM organizations and resources, cmi5 course
structures and xAPI (tincan.xml) activities hang off :class:`Package`. The
sequencing dataclasses live in :mod:`importers.sequencing_model` and are
re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from importers._serial import Serializable
from importers.sequencing_model import (
    ConstrainedChoice,
    ControlMode,
    DeliveryControls,
    LimitConditions,
    MapInfo,
    Objective,
    RandomizationControls,
    RollupCondition,
    RollupConsiderations,
    RollupRule,
    RollupRules,
    RuleCondition,
    Sequencing,
    SequencingRule,
    effective_sequencing,
)

__all__ = [
    "Cmi5Au",
    "Cmi5Block",
    "Cmi5Course",
    "Cmi5Objective",
    "CompletionThreshold",
    "ConstrainedChoice",
    "ControlMode",
    "DataMap",
    "DeliveryControls",
    "Item",
    "LaunchTarget",
    "LimitConditions",
    "MapInfo",
    "Objective",
    "Organization",
    "Package",
    "RandomizationControls",
    "Resource",
    "RollupCondition",
    "RollupConsiderations",
    "RollupRule",
    "RollupRules",
    "RuleCondition",
    "Sequencing",
    "SequencingRule",
    "XapiActivity",
    "effective_sequencing",
    "join_parameters",
]


# --- IMS Content Packaging / SCORM -------------------------------------------


@dataclass(frozen=True)
class CompletionThreshold(Serializable):
    """adlcp:completionThreshold (CAM 4th ed. §3)."""

    completed_by_measure: bool = False
    min_progress_measure: float = 1.0
    progress_weight: float = 1.0


@dataclass(frozen=True)
class DataMap(Serializable):
    """adlcp:map inside adlcp:data, a shared data bucket (CAM 4th ed. §3)."""

    target_id: str
    read_shared_data: bool = True
    write_shared_data: bool = False


@dataclass(frozen=True)
class Item(Serializable):
    """An organization item: an activity, launchable when it has ``href``.

    ``href`` is the launch path inside the package with xml:base applied and
    ``parameters`` still separate; ``launch_url`` joins them (CAM 4th ed.
    §3, "parameters").
    """

    identifier: str
    title: str
    identifierref: str | None = None
    isvisible: bool = True
    parameters: str | None = None
    href: str | None = None
    scorm_type: str | None = None
    children: tuple[Item, ...] = ()
    prerequisites: str | None = None
    mastery_score: float | None = None
    max_time_allowed: str | None = None
    time_limit_action: str | None = None
    data_from_lms: str | None = None
    completion_threshold: CompletionThreshold | None = None
    data_maps: tuple[DataMap, ...] = ()
    hide_lms_ui: tuple[str, ...] = ()
    sequencing: Sequencing | None = None

    @property
    def launch_url(self) -> str | None:
        """The package-relative URL to open, parameters included."""
        if self.href is None:
            return None
        return join_parameters(self.href, self.parameters)

    def walk(self) -> list[Item]:
        """This item and all its descendants, in document order."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


def join_parameters(href: str, parameters: str | None) -> str:
    """Append item parameters to an href (SCORM 2004 CAM §3 rules)."""
    if not parameters:
        return href
    params = parameters
    while params[:1] in ("?", "&"):
        params = params[1:]
    if params.startswith("#"):
        return href if "#" in href else f"{href}{params}"
    separator = "&" if "?" in href else "?"
    return f"{href}{separator}{params}" if params else href


@dataclass(frozen=True)
class Organization(Serializable):
    """An organization: a titled tree of items with optional sequencing."""

    identifier: str
    title: str
    items: tuple[Item, ...] = ()
    sequencing: Sequencing | None = None
    objectives_global_to_system: bool = True
    shared_data_global_to_system: bool = True

    def walk(self) -> list[Item]:
        """Every item of the organization, in document order."""
        found: list[Item] = []
        for item in self.items:
            found.extend(item.walk())
        return found


@dataclass(frozen=True)
class Resource(Serializable):
    """A manifest resource; paths have xml:base applied and are URL-decoded."""

    identifier: str
    type: str
    scorm_type: str | None = None
    href: str | None = None
    base: str | None = None
    files: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()


# --- cmi5 (course structure, cmi5 spec §13) and xAPI tincan.xml ---------------


@dataclass(frozen=True)
class Cmi5Objective(Serializable):
    """A course-level objective (cmi5 §13.1.3)."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Cmi5Au(Serializable):
    """An assignable unit (cmi5 §13.1.4)."""

    id: str
    title: str
    url: str
    description: str = ""
    launch_method: str = "AnyWindow"
    move_on: str = "NotApplicable"
    mastery_score: float | None = None
    activity_type: str | None = None
    launch_parameters: str | None = None
    entitlement_key: str | None = None
    objectives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cmi5Block(Serializable):
    """A block grouping AUs and blocks (cmi5 §13.1.2)."""

    id: str
    title: str
    description: str = ""
    objectives: tuple[str, ...] = ()
    children: tuple[Cmi5Au | Cmi5Block, ...] = ()


@dataclass(frozen=True)
class Cmi5Course(Serializable):
    """The cmi5 course structure (cmi5 §13.1.1 course metadata and its children)."""

    id: str
    title: str
    description: str = ""
    objectives: tuple[Cmi5Objective, ...] = ()
    children: tuple[Cmi5Au | Cmi5Block, ...] = ()

    def aus(self) -> list[Cmi5Au]:
        """Every AU of the course, in document order."""
        found: list[Cmi5Au] = []
        pending: list[Cmi5Au | Cmi5Block] = list(reversed(self.children))
        while pending:
            node = pending.pop()
            if isinstance(node, Cmi5Au):
                found.append(node)
            else:
                pending.extend(reversed(node.children))
        return found


@dataclass(frozen=True)
class XapiActivity(Serializable):
    """A tincan.xml activity; ``launch`` is set on launchable ones."""

    id: str
    type: str | None = None
    name: str = ""
    description: str = ""
    launch: str | None = None
    launch_lang: str | None = None


# --- The package --------------------------------------------------------------


@dataclass(frozen=True)
class LaunchTarget(Serializable):
    """Something a learner can open: a SCO/asset item, an AU or an activity."""

    identifier: str
    title: str
    url: str
    kind: str


@dataclass(frozen=True)
class Package(Serializable):
    """A normalized package of any supported standard.

    ``standard`` is one of ``scorm12``, ``scorm2004``, ``cmi5``, ``xapi``;
    ``root`` is the folder inside the zip that held the manifest ("" at the
    top); ``launch_targets`` lists the launchable units in delivery order.
    """

    standard: str
    edition: str | None
    identifier: str
    title: str
    root: str = ""
    version: str | None = None
    default_organization: str | None = None
    organizations: tuple[Organization, ...] = ()
    resources: tuple[Resource, ...] = ()
    sequencing_collection: tuple[Sequencing, ...] = ()
    course: Cmi5Course | None = None
    activities: tuple[XapiActivity, ...] = ()
    launch_targets: tuple[LaunchTarget, ...] = ()
