"""IMS Simple Sequencing 1.0 and ADL SEQ reading (SCORM 2004 4th ed. CAM §5).

Turns one ``imsss:sequencing`` element into a :class:`Sequencing` value with
every default of the specification filled in.
"""

from __future__ import annotations

from lxml import etree

from importers._xml import attr, flag, integer, local, number, text
from importers.model import (
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
)

IMSSS_NS = "http://www.imsglobal.org/xsd/imsss"
ADLSEQ_NS = "http://www.adlnet.org/xsd/adlseq_v1p3"
_RULE_KINDS = (
    ("preConditionRule", "pre"),
    ("exitConditionRule", "exit"),
    ("postConditionRule", "post"),
)


def _ss(element: etree._Element | None, name: str) -> etree._Element | None:
    return None if element is None else element.find(f"{{{IMSSS_NS}}}{name}")


def _ss_all(element: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if element is None else element.findall(f"{{{IMSSS_NS}}}{name}")


def _adl(element: etree._Element | None, name: str) -> etree._Element | None:
    return None if element is None else element.find(f"{{{ADLSEQ_NS}}}{name}")


def _value(node: etree._Element | None, name: str, default: str) -> str:
    value = None if node is None else attr(node, name)
    return value or default


def _present(element: etree._Element) -> tuple[str, ...]:
    return tuple(
        f"adlseq:{local(node)}"
        if node.tag.startswith(f"{{{ADLSEQ_NS}}}")
        else local(node)
        for node in element.iterchildren(etree.Element)
    )


def read_sequencing(element: etree._Element) -> Sequencing:
    """Read an ``imsss:sequencing`` element (CAM 4th ed. §5)."""
    return Sequencing(
        id=attr(element, "ID"),
        id_ref=attr(element, "IDRef"),
        present=_present(element),
        control_mode=_control_mode(_ss(element, "controlMode")),
        rules=_rules(_ss(element, "sequencingRules")),
        limit_conditions=_limits(_ss(element, "limitConditions")),
        rollup_rules=_rollup_rules(_ss(element, "rollupRules")),
        objectives=_objectives(element),
        randomization_controls=_randomization(_ss(element, "randomizationControls")),
        delivery_controls=_delivery(_ss(element, "deliveryControls")),
        constrained_choice=_constrained(
            _adl(element, "constrainedChoiceConsiderations")
        ),
        rollup_considerations=_considerations(_adl(element, "rollupConsiderations")),
    )


def _control_mode(node: etree._Element | None) -> ControlMode:
    # CAM 4th ed. §5, defaults from its attribute table.
    return ControlMode(
        choice=flag(node, "choice", True),
        choice_exit=flag(node, "choiceExit", True),
        flow=flag(node, "flow", False),
        forward_only=flag(node, "forwardOnly", False),
        use_current_attempt_objective_info=flag(
            node, "useCurrentAttemptObjectiveInfo", True
        ),
        use_current_attempt_progress_info=flag(
            node, "useCurrentAttemptProgressInfo", True
        ),
    )


def _rules(node: etree._Element | None) -> tuple[SequencingRule, ...]:
    found = []
    for name, kind in _RULE_KINDS:
        for rule in _ss_all(node, name):
            conditions_el = _ss(rule, "ruleConditions")
            action = _ss(rule, "ruleAction")
            found.append(
                SequencingRule(
                    kind=kind,
                    action=_value(action, "action", ""),
                    condition_combination=_value(
                        conditions_el, "conditionCombination", "all"
                    ),
                    conditions=tuple(
                        _rule_condition(c)
                        for c in _ss_all(conditions_el, "ruleCondition")
                    ),
                )
            )
    return tuple(found)


def _rule_condition(node: etree._Element) -> RuleCondition:
    return RuleCondition(
        condition=attr(node, "condition") or "",
        operator=attr(node, "operator") or "noOp",
        referenced_objective=attr(node, "referencedObjective"),
        measure_threshold=number(node, "measureThreshold", 0.0),
    )


def _limits(node: etree._Element | None) -> LimitConditions:
    return LimitConditions(
        attempt_limit=integer(node, "attemptLimit"),
        attempt_absolute_duration_limit=_value(node, "attemptAbsoluteDurationLimit", "")
        or None,
    )


def _rollup_rules(node: etree._Element | None) -> RollupRules:
    rules = []
    for rule in _ss_all(node, "rollupRule"):
        conditions_el = _ss(rule, "rollupConditions")
        action = _ss(rule, "rollupAction")
        rules.append(
            RollupRule(
                action=_value(action, "action", ""),
                child_activity_set=attr(rule, "childActivitySet") or "all",
                minimum_count=integer(rule, "minimumCount") or 0,
                minimum_percent=number(rule, "minimumPercent", 0.0),
                condition_combination=_value(
                    conditions_el, "conditionCombination", "any"
                ),
                conditions=tuple(
                    RollupCondition(
                        condition=attr(c, "condition") or "",
                        operator=attr(c, "operator") or "noOp",
                    )
                    for c in _ss_all(conditions_el, "rollupCondition")
                ),
            )
        )
    return RollupRules(
        rollup_objective_satisfied=flag(node, "rollupObjectiveSatisfied", True),
        rollup_progress_completion=flag(node, "rollupProgressCompletion", True),
        objective_measure_weight=number(node, "objectiveMeasureWeight", 1.0),
        rules=tuple(rules),
    )


def _objectives(sequencing: etree._Element) -> tuple[Objective, ...]:
    container = _ss(sequencing, "objectives")
    adl = _adl(sequencing, "objectives")
    adl_maps = {
        attr(node, "objectiveID"): tuple(
            _map_info(m) for m in node.findall(f"{{{ADLSEQ_NS}}}mapInfo")
        )
        for node in ([] if adl is None else adl.findall(f"{{{ADLSEQ_NS}}}objective"))
    }
    found = []
    for node in _ss_all(container, "primaryObjective") + _ss_all(
        container, "objective"
    ):
        objective_id = attr(node, "objectiveID")
        measure = _ss(node, "minNormalizedMeasure")
        found.append(
            Objective(
                objective_id=objective_id,
                primary=local(node) == "primaryObjective",
                satisfied_by_measure=flag(node, "satisfiedByMeasure", False),
                min_normalized_measure=_decimal(text(measure), 1.0),
                map_info=tuple(_map_info(m) for m in _ss_all(node, "mapInfo")),
                adl_map_info=adl_maps.get(objective_id, ()),
            )
        )
    return tuple(found)


def _decimal(value: str, default: float) -> float:
    try:
        return float(value) if value else default
    except ValueError:
        return default


def _map_info(node: etree._Element) -> MapInfo:
    # imsss:mapInfo (CAM §5) and adlseq:mapInfo (CAM 4th ed. §5)
    # share the target and read/write flags; ADL adds score/completion ones.
    values = {
        name: flag(node, name, default)
        for name, default in (
            ("readSatisfiedStatus", True),
            ("readNormalizedMeasure", True),
            ("writeSatisfiedStatus", False),
            ("writeNormalizedMeasure", False),
            ("readRawScore", True),
            ("readMinScore", True),
            ("readMaxScore", True),
            ("readCompletionStatus", True),
            ("readProgressMeasure", True),
            ("writeRawScore", False),
            ("writeMinScore", False),
            ("writeMaxScore", False),
            ("writeCompletionStatus", False),
            ("writeProgressMeasure", False),
        )
    }
    return MapInfo(
        target_objective_id=attr(node, "targetObjectiveID") or "",
        **{_snake(name): value for name, value in values.items()},
    )


def _snake(name: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in name)


def _randomization(node: etree._Element | None) -> RandomizationControls:
    return RandomizationControls(
        randomization_timing=_value(node, "randomizationTiming", "never"),
        select_count=integer(node, "selectCount"),
        reorder_children=flag(node, "reorderChildren", False),
        selection_timing=_value(node, "selectionTiming", "never"),
    )


def _delivery(node: etree._Element | None) -> DeliveryControls:
    return DeliveryControls(
        tracked=flag(node, "tracked", True),
        completion_set_by_content=flag(node, "completionSetByContent", False),
        objective_set_by_content=flag(node, "objectiveSetByContent", False),
    )


def _constrained(node: etree._Element | None) -> ConstrainedChoice:
    return ConstrainedChoice(
        prevent_activation=flag(node, "preventActivation", False),
        constrain_choice=flag(node, "constrainChoice", False),
    )


def _considerations(node: etree._Element | None) -> RollupConsiderations:
    return RollupConsiderations(
        required_for_satisfied=_value(node, "requiredForSatisfied", "always"),
        required_for_not_satisfied=_value(node, "requiredForNotSatisfied", "always"),
        required_for_completed=_value(node, "requiredForCompleted", "always"),
        required_for_incomplete=_value(node, "requiredForIncomplete", "always"),
        measure_satisfaction_if_active=flag(node, "measureSatisfactionIfActive", True),
    )
