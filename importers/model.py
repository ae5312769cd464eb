"""The normalized package model: frozen dataclasses, JSON-ready via ``to_dict``.

One shape for every standard: SCORM organizations and resources, cmi5 course
structures and xAPI (tincan.xml) activities hang off :class:`Package`.
Sequencing defaults are the IMS SS 1.0 defaults (SCORM 2004 4th ed. SN book
and CAM §5), so a consumer never has to know whether a value was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


class _Serializable:
    def to_dict(self) -> dict[str, Any]:
        """Return this value and everything below it as JSON-ready data."""
        return _plain(self)


# --- IMS Simple Sequencing 1.0 / ADL SEQ (SCORM 2004 CAM §5) -----------------


@dataclass(frozen=True)
class ControlMode(_Serializable):
    """imsss:controlMode (CAM 4th ed. §5.1.2)."""

    choice: bool = True
    choice_exit: bool = True
    flow: bool = False
    forward_only: bool = False
    use_current_attempt_objective_info: bool = True
    use_current_attempt_progress_info: bool = True


@dataclass(frozen=True)
class RuleCondition(_Serializable):
    """imsss:ruleCondition (CAM 4th ed. §5.1.3.2.1)."""

    condition: str
    operator: str = "noOp"
    referenced_objective: str | None = None
    measure_threshold: float = 0.0


@dataclass(frozen=True)
class SequencingRule(_Serializable):
    """A pre-, exit- or post-condition rule (CAM 4th ed. §5.1.3)."""

    kind: str
    action: str
    condition_combination: str = "all"
    conditions: tuple[RuleCondition, ...] = ()


@dataclass(frozen=True)
class LimitConditions(_Serializable):
    """imsss:limitConditions (CAM 4th ed. §5.1.4)."""

    attempt_limit: int | None = None
    attempt_absolute_duration_limit: str | None = None


@dataclass(frozen=True)
class RollupCondition(_Serializable):
    """imsss:rollupCondition (CAM 4th ed. §5.1.6.1.1)."""

    condition: str
    operator: str = "noOp"


@dataclass(frozen=True)
class RollupRule(_Serializable):
    """imsss:rollupRule (CAM 4th ed. §5.1.6.1)."""

    action: str
    child_activity_set: str = "all"
    minimum_count: int = 0
    minimum_percent: float = 0.0
    condition_combination: str = "any"
    conditions: tuple[RollupCondition, ...] = ()


@dataclass(frozen=True)
class RollupRules(_Serializable):
    """imsss:rollupRules (CAM 4th ed. §5.1.6)."""

    rollup_objective_satisfied: bool = True
    rollup_progress_completion: bool = True
    objective_measure_weight: float = 1.0
    rules: tuple[RollupRule, ...] = ()


@dataclass(frozen=True)
class MapInfo(_Serializable):
    """imsss:mapInfo and, with the extra flags, adlseq:mapInfo (CAM §5.1.7.2)."""

    target_objective_id: str
    read_satisfied_status: bool = True
    read_normalized_measure: bool = True
    write_satisfied_status: bool = False
    write_normalized_measure: bool = False
    read_raw_score: bool = True
    read_min_score: bool = True
    read_max_score: bool = True
    read_completion_status: bool = True
    read_progress_measure: bool = True
    write_raw_score: bool = False
    write_min_score: bool = False
    write_max_score: bool = False
    write_completion_status: bool = False
    write_progress_measure: bool = False


@dataclass(frozen=True)
class Objective(_Serializable):
    """A primary or secondary imsss:objective (CAM 4th ed. §5.1.7)."""

    objective_id: str | None
    primary: bool = False
    satisfied_by_measure: bool = False
    min_normalized_measure: float = 1.0
    map_info: tuple[MapInfo, ...] = ()
    adl_map_info: tuple[MapInfo, ...] = ()


@dataclass(frozen=True)
class RandomizationControls(_Serializable):
    """imsss:randomizationControls (CAM 4th ed. §5.1.8)."""

    randomization_timing: str = "never"
    select_count: int | None = None
    reorder_children: bool = False
    selection_timing: str = "never"


@dataclass(frozen=True)
class DeliveryControls(_Serializable):
    """imsss:deliveryControls (CAM 4th ed. §5.1.9)."""

    tracked: bool = True
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False


@dataclass(frozen=True)
class ConstrainedChoice(_Serializable):
    """adlseq:constrainedChoiceConsiderations (CAM 4th ed. §5.2.1)."""

    prevent_activation: bool = False
    constrain_choice: bool = False


@dataclass(frozen=True)
class RollupConsiderations(_Serializable):
    """adlseq:rollupConsiderations (CAM 4th ed. §5.2.2)."""

    required_for_satisfied: str = "always"
    required_for_not_satisfied: str = "always"
    required_for_completed: str = "always"
    required_for_incomplete: str = "always"
    measure_satisfaction_if_active: bool = True


@dataclass(frozen=True)
class Sequencing(_Serializable):
    """One imsss:sequencing element, on an item or in the collection.

    ``id_ref`` names a sequencingCollection member; per CAM 4th ed. §5.1.1 the
    values written here override those of the referenced set. ``present``
    lists the child elements actually written, so that merge is possible.
    """

    id: str | None = None
    id_ref: str | None = None
    present: tuple[str, ...] = ()
    control_mode: ControlMode = field(default_factory=ControlMode)
    rules: tuple[SequencingRule, ...] = ()
    limit_conditions: LimitConditions = field(default_factory=LimitConditions)
    rollup_rules: RollupRules = field(default_factory=RollupRules)
    objectives: tuple[Objective, ...] = ()
    randomization_controls: RandomizationControls = field(
        default_factory=RandomizationControls
    )
    delivery_controls: DeliveryControls = field(default_factory=DeliveryControls)
    constrained_choice: ConstrainedChoice = field(default_factory=ConstrainedChoice)
    rollup_considerations: RollupConsiderations = field(
        default_factory=RollupConsiderations
    )


# --- IMS Content Packaging / SCORM -------------------------------------------


@dataclass(frozen=True)
class CompletionThreshold(_Serializable):
    """adlcp:completionThreshold (CAM 4th ed. §3.4.1.21)."""

    completed_by_measure: bool = False
    min_progress_measure: float = 1.0
    progress_weight: float = 1.0


@dataclass(frozen=True)
class DataMap(_Serializable):
    """adlcp:map inside adlcp:data, a shared data bucket (CAM 4th ed. §3.4.1.24)."""

    target_id: str
    read_shared_data: bool = True
    write_shared_data: bool = False


@dataclass(frozen=True)
class Item(_Serializable):
    """An organization item: an activity, launchable when it has ``href``.

    ``href`` is the launch path inside the package with xml:base applied and
    ``parameters`` still separate; ``launch_url`` joins them (CAM 4th ed.
    §3.4.1.12, "parameters").
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
    """Append item parameters to an href (SCORM 2004 CAM §3.4.1.12 rules)."""
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
class Organization(_Serializable):
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
class Resource(_Serializable):
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
class Cmi5Objective(_Serializable):
    """A course-level objective (cmi5 §13.1.2)."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Cmi5Au(_Serializable):
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
class Cmi5Block(_Serializable):
    """A block grouping AUs and blocks (cmi5 §13.1.3)."""

    id: str
    title: str
    description: str = ""
    objectives: tuple[str, ...] = ()
    children: tuple[Cmi5Au | Cmi5Block, ...] = ()


@dataclass(frozen=True)
class Cmi5Course(_Serializable):
    """The cmi5 course structure (cmi5 §13.1.1)."""

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
class XapiActivity(_Serializable):
    """A tincan.xml activity; ``launch`` is set on launchable ones."""

    id: str
    type: str | None = None
    name: str = ""
    description: str = ""
    launch: str | None = None
    launch_lang: str | None = None


# --- The package --------------------------------------------------------------


@dataclass(frozen=True)
class LaunchTarget(_Serializable):
    """Something a learner can open: a SCO/asset item, an AU or an activity."""

    identifier: str
    title: str
    url: str
    kind: str


@dataclass(frozen=True)
class Package(_Serializable):
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
