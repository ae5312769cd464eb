"""The sequencing part of the model: IMS SS 1.0 and ADL SEQ (SCORM 2004 CAM §5).

Defaults are those of the specification, so a consumer never has to know
whether a value was written in the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from importers._serial import Serializable


@dataclass(frozen=True)
class ControlMode(Serializable):
    """imsss:controlMode (CAM 4th ed. §5)."""

    choice: bool = True
    choice_exit: bool = True
    flow: bool = False
    forward_only: bool = False
    use_current_attempt_objective_info: bool = True
    use_current_attempt_progress_info: bool = True


@dataclass(frozen=True)
class RuleCondition(Serializable):
    """imsss:ruleCondition (CAM 4th ed. §5)."""

    condition: str
    operator: str = "noOp"
    referenced_objective: str | None = None
    measure_threshold: float = 0.0


@dataclass(frozen=True)
class SequencingRule(Serializable):
    """A pre-, exit- or post-condition rule (CAM 4th ed. §5)."""

    kind: str
    action: str
    condition_combination: str = "all"
    conditions: tuple[RuleCondition, ...] = ()


@dataclass(frozen=True)
class LimitConditions(Serializable):
    """imsss:limitConditions (CAM 4th ed. §5)."""

    attempt_limit: int | None = None
    attempt_absolute_duration_limit: str | None = None


@dataclass(frozen=True)
class RollupCondition(Serializable):
    """imsss:rollupCondition (CAM 4th ed. §5)."""

    condition: str
    operator: str = "noOp"


@dataclass(frozen=True)
class RollupRule(Serializable):
    """imsss:rollupRule (CAM 4th ed. §5)."""

    action: str
    child_activity_set: str = "all"
    minimum_count: int = 0
    minimum_percent: float = 0.0
    condition_combination: str = "any"
    conditions: tuple[RollupCondition, ...] = ()


@dataclass(frozen=True)
class RollupRules(Serializable):
    """imsss:rollupRules (CAM 4th ed. §5)."""

    rollup_objective_satisfied: bool = True
    rollup_progress_completion: bool = True
    objective_measure_weight: float = 1.0
    rules: tuple[RollupRule, ...] = ()


@dataclass(frozen=True)
class MapInfo(Serializable):
    """imsss:mapInfo and, with the extra flags, adlseq:mapInfo (CAM §5)."""

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
class Objective(Serializable):
    """A primary or secondary imsss:objective (CAM 4th ed. §5)."""

    objective_id: str | None
    primary: bool = False
    satisfied_by_measure: bool = False
    min_normalized_measure: float = 1.0
    map_info: tuple[MapInfo, ...] = ()
    adl_map_info: tuple[MapInfo, ...] = ()


@dataclass(frozen=True)
class RandomizationControls(Serializable):
    """imsss:randomizationControls (CAM 4th ed. §5)."""

    randomization_timing: str = "never"
    select_count: int | None = None
    reorder_children: bool = False
    selection_timing: str = "never"


@dataclass(frozen=True)
class DeliveryControls(Serializable):
    """imsss:deliveryControls (CAM 4th ed. §5)."""

    tracked: bool = True
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False


@dataclass(frozen=True)
class ConstrainedChoice(Serializable):
    """adlseq:constrainedChoiceConsiderations (CAM 4th ed. §5)."""

    prevent_activation: bool = False
    constrain_choice: bool = False


@dataclass(frozen=True)
class RollupConsiderations(Serializable):
    """adlseq:rollupConsiderations (CAM 4th ed. §5)."""

    required_for_satisfied: str = "always"
    required_for_not_satisfied: str = "always"
    required_for_completed: str = "always"
    required_for_incomplete: str = "always"
    measure_satisfaction_if_active: bool = True


@dataclass(frozen=True)
class Sequencing(Serializable):
    """One imsss:sequencing element, on an item or in the collection.

    ``id_ref`` names a sequencingCollection member; per CAM 4th ed. §5 the
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


#: imsss:sequencing child element -> the Sequencing fields it sets.
_FIELDS_BY_ELEMENT = {
    "controlMode": ("control_mode",),
    "sequencingRules": ("rules",),
    "limitConditions": ("limit_conditions",),
    "rollupRules": ("rollup_rules",),
    "objectives": ("objectives",),
    "adlseq:objectives": ("objectives",),
    "randomizationControls": ("randomization_controls",),
    "deliveryControls": ("delivery_controls",),
    "adlseq:constrainedChoiceConsiderations": ("constrained_choice",),
    "adlseq:rollupConsiderations": ("rollup_considerations",),
}


def effective_sequencing(
    own: Sequencing | None, collection: tuple[Sequencing, ...]
) -> Sequencing | None:
    """The sequencing an activity actually has, its IDRef resolved.

    CAM 4th ed. §5: an item's ``imsss:sequencing`` may reference a member of
    ``imsss:sequencingCollection`` by ``IDRef``; what the item writes itself
    overrides the referenced set, element by element.

    Args:
        own: The item's (or organization's) sequencing, if any.
        collection: The package's sequencing collection.

    Returns:
        The merged sequencing, ``own`` unchanged when it references nothing
        known, or None when there is no sequencing at all.
    """
    if own is None or own.id_ref is None:
        return own
    base = next((s for s in collection if s.id == own.id_ref), None)
    if base is None:
        return own
    overrides = {
        name: getattr(own, name)
        for element in own.present
        for name in _FIELDS_BY_ELEMENT.get(element, ())
    }
    present = tuple(dict.fromkeys(base.present + own.present))
    return replace(base, id=None, id_ref=own.id_ref, present=present, **overrides)
