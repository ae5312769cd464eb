"""SCORM 2004 reading: editions, ADL extensions and the sequencing definition."""

from __future__ import annotations

import pytest

from importers import read_package
from tests.importers.builders import PAGE, scorm2004_manifest

FULL_SEQUENCING = """
<imsss:sequencing>
  <imsss:controlMode choice="false" choiceExit="false" flow="true" forwardOnly="true"
      useCurrentAttemptObjectiveInfo="false" useCurrentAttemptProgressInfo="false"/>
  <imsss:sequencingRules>
    <imsss:preConditionRule>
      <imsss:ruleConditions conditionCombination="any">
        <imsss:ruleCondition referencedObjective="obj1" condition="satisfied"/>
        <imsss:ruleCondition operator="not" condition="attempted"/>
      </imsss:ruleConditions>
      <imsss:ruleAction action="skip"/>
    </imsss:preConditionRule>
    <imsss:exitConditionRule>
      <imsss:ruleConditions><imsss:ruleCondition condition="completed"/></imsss:ruleConditions>
      <imsss:ruleAction action="exit"/>
    </imsss:exitConditionRule>
    <imsss:postConditionRule>
      <imsss:ruleConditions>
        <imsss:ruleCondition condition="objectiveMeasureLessThan" measureThreshold="0.5"/>
      </imsss:ruleConditions>
      <imsss:ruleAction action="retry"/>
    </imsss:postConditionRule>
  </imsss:sequencingRules>
  <imsss:limitConditions attemptLimit="3" attemptAbsoluteDurationLimit="PT1H"/>
  <imsss:rollupRules rollupObjectiveSatisfied="false" objectiveMeasureWeight="0.5">
    <imsss:rollupRule childActivitySet="atLeastCount" minimumCount="2">
      <imsss:rollupConditions conditionCombination="all">
        <imsss:rollupCondition condition="completed"/>
        <imsss:rollupCondition operator="not" condition="attempted"/>
      </imsss:rollupConditions>
      <imsss:rollupAction action="satisfied"/>
    </imsss:rollupRule>
  </imsss:rollupRules>
  <imsss:objectives>
    <imsss:primaryObjective objectiveID="obj1" satisfiedByMeasure="true">
      <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
      <imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/>
    </imsss:primaryObjective>
    <imsss:objective objectiveID="obj2"/>
  </imsss:objectives>
  <imsss:randomizationControls randomizationTiming="once" selectCount="1"
      reorderChildren="true" selectionTiming="onEachNewAttempt"/>
  <imsss:deliveryControls tracked="false" completionSetByContent="true"
      objectiveSetByContent="true"/>
  <adlseq:constrainedChoiceConsiderations preventActivation="true" constrainChoice="true"/>
  <adlseq:rollupConsiderations requiredForSatisfied="ifAttempted"
      measureSatisfactionIfActive="false"/>
  <adlseq:objectives>
    <adlseq:objective objectiveID="obj1">
      <adlseq:mapInfo targetObjectiveID="g1" writeRawScore="true" readMaxScore="false"/>
    </adlseq:objective>
  </adlseq:objectives>
</imsss:sequencing>
"""


def _read(make_zip, manifest, **kwargs):
    return read_package(
        make_zip({"imsmanifest.xml": manifest, "index.html": PAGE}), **kwargs
    )


@pytest.mark.parametrize(
    ("version", "edition"),
    [
        ("2004 4th Edition", "4th Edition"),
        ("2004 3rd Edition", "3rd Edition"),
        ("CAM 1.3", "2nd Edition"),
    ],
)
def test_read_package_scorm2004_edition_from_schemaversion(make_zip, version, edition):
    result = _read(make_zip, scorm2004_manifest(version=version), strict=True)
    assert result.accepted, result.report.to_dict()
    assert (result.report.standard, result.report.edition) == ("scorm2004", edition)


@pytest.mark.parametrize(
    ("manifest", "edition"),
    [
        (scorm2004_manifest(version=""), "3rd Edition"),
        (
            scorm2004_manifest(
                '<item identifier="I1" identifierref="R1"><title>One</title>'
                '<adlcp:data><adlcp:map targetID="t1"/></adlcp:data></item>',
                version="",
            ),
            "4th Edition",
        ),
        (
            scorm2004_manifest(version="").replace("adlcp_v1p3", "adlcp_v1p2"),
            "2nd Edition",
        ),
    ],
)
def test_read_package_scorm2004_edition_inferred(make_zip, manifest, edition):
    result = _read(make_zip, manifest)
    assert result.report.edition == edition
    assert [p.code for p in result.report.problems if p.code == "edition_inferred"]


def test_read_package_scorm2004_full_sequencing_read(make_zip):
    items = f'<item identifier="I1" identifierref="R1"><title>One</title>{FULL_SEQUENCING}</item>'
    result = _read(make_zip, scorm2004_manifest(items), strict=True)
    assert result.accepted, result.report.to_dict()
    seq = result.package.organizations[0].items[0].sequencing
    assert seq.control_mode.flow and seq.control_mode.forward_only
    assert not seq.control_mode.choice and not seq.control_mode.choice_exit
    assert [(r.kind, r.action) for r in seq.rules] == [
        ("pre", "skip"),
        ("exit", "exit"),
        ("post", "retry"),
    ]
    pre = seq.rules[0]
    assert pre.condition_combination == "any"
    assert [(c.condition, c.operator) for c in pre.conditions] == [
        ("satisfied", "noOp"),
        ("attempted", "not"),
    ]
    assert pre.conditions[0].referenced_objective == "obj1"
    assert seq.rules[2].conditions[0].measure_threshold == 0.5
    assert (
        seq.limit_conditions.attempt_limit,
        seq.limit_conditions.attempt_absolute_duration_limit,
    ) == (3, "PT1H")
    rollup = seq.rollup_rules
    assert not rollup.rollup_objective_satisfied and rollup.rollup_progress_completion
    assert rollup.objective_measure_weight == 0.5
    rule = rollup.rules[0]
    assert (rule.child_activity_set, rule.minimum_count, rule.action) == (
        "atLeastCount",
        2,
        "satisfied",
    )
    assert rule.condition_combination == "all"
    primary, secondary = seq.objectives
    assert primary.primary and primary.satisfied_by_measure
    assert primary.min_normalized_measure == 0.8
    assert primary.map_info[0].target_objective_id == "g1"
    assert primary.map_info[0].write_satisfied_status
    assert primary.adl_map_info[0].write_raw_score
    assert not primary.adl_map_info[0].read_max_score
    assert (secondary.objective_id, secondary.primary) == ("obj2", False)
    random = seq.randomization_controls
    assert (random.randomization_timing, random.select_count) == ("once", 1)
    assert random.reorder_children and random.selection_timing == "onEachNewAttempt"
    assert not seq.delivery_controls.tracked
    assert seq.delivery_controls.completion_set_by_content
    assert (
        seq.constrained_choice.prevent_activation
        and seq.constrained_choice.constrain_choice
    )
    assert seq.rollup_considerations.required_for_satisfied == "ifAttempted"
    assert not seq.rollup_considerations.measure_satisfaction_if_active
    assert "adlseq:objectives" in seq.present and "controlMode" in seq.present


def test_read_package_scorm2004_sequencing_defaults(make_zip):
    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title>'
        "<imsss:sequencing><imsss:rollupRules><imsss:rollupRule>"
        '<imsss:rollupConditions><imsss:rollupCondition condition="completed"/>'
        '</imsss:rollupConditions><imsss:rollupAction action="completed"/>'
        "</imsss:rollupRule></imsss:rollupRules></imsss:sequencing></item>"
    )
    seq = (
        _read(make_zip, scorm2004_manifest(items))
        .package.organizations[0]
        .items[0]
        .sequencing
    )
    assert seq.control_mode.choice and not seq.control_mode.flow
    assert seq.limit_conditions.attempt_limit is None
    assert seq.rollup_rules.rules[0].child_activity_set == "all"
    assert seq.rollup_rules.rules[0].condition_combination == "any"
    assert seq.delivery_controls.tracked
    assert seq.rollup_considerations.required_for_completed == "always"


def test_read_package_sequencing_collection_idref_resolved(make_zip):
    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title>'
        '<imsss:sequencing IDRef="common"/></item>'
    )
    tail = (
        "<imsss:sequencingCollection>"
        '<imsss:sequencing ID="common"><imsss:controlMode flow="true"/></imsss:sequencing>'
        "</imsss:sequencingCollection>"
    )
    result = _read(make_zip, scorm2004_manifest(items, tail=tail), strict=True)
    assert result.accepted, result.report.to_dict()
    assert result.package.sequencing_collection[0].id == "common"
    assert result.package.sequencing_collection[0].control_mode.flow
    assert result.package.organizations[0].items[0].sequencing.id_ref == "common"


def test_read_package_sequencing_unknown_idref_rejected(make_zip):
    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title>'
        '<imsss:sequencing IDRef="ghost"/></item>'
    )
    result = _read(make_zip, scorm2004_manifest(items))
    messages = [p.message for p in result.report.errors]
    assert (
        "sequencing IDRef 'ghost' names no sequencing of the sequencingCollection"
        in messages
    )


def test_read_package_sequencing_collection_member_without_id_rejected(make_zip):
    tail = (
        "<imsss:sequencingCollection><imsss:sequencing/></imsss:sequencingCollection>"
    )
    result = _read(make_zip, scorm2004_manifest(tail=tail))
    assert "missing_identifier" in [p.code for p in result.report.errors]


def test_read_package_scorm2004_adl_item_fields_read(make_zip):
    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title>'
        "<adlcp:timeLimitAction>continue,no message</adlcp:timeLimitAction>"
        "<adlcp:dataFromLMS>launch data</adlcp:dataFromLMS>"
        '<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.6" '
        'progressWeight="0.5"/>'
        "<adlnav:presentation><adlnav:navigationInterface>"
        "<adlnav:hideLMSUI>continue</adlnav:hideLMSUI><adlnav:hideLMSUI>previous</adlnav:hideLMSUI>"
        "</adlnav:navigationInterface></adlnav:presentation>"
        '<adlcp:data><adlcp:map targetID="bucket" writeSharedData="true"/></adlcp:data>'
        "</item>"
    )
    org_extra = '<imsss:sequencing><imsss:controlMode flow="true"/></imsss:sequencing>'
    manifest = scorm2004_manifest(items, org_extra=org_extra).replace(
        '<organization identifier="ORG">',
        '<organization identifier="ORG" adlseq:objectivesGlobalToSystem="false" '
        'adlcp:sharedDataGlobalToSystem="false">',
    )
    result = _read(make_zip, manifest, strict=True)
    assert result.accepted, result.report.to_dict()
    org = result.package.organizations[0]
    item = org.items[0]
    assert item.time_limit_action == "continue,no message"
    assert item.data_from_lms == "launch data"
    threshold = item.completion_threshold
    assert (
        threshold.completed_by_measure,
        threshold.min_progress_measure,
        threshold.progress_weight,
    ) == (True, 0.6, 0.5)
    assert item.hide_lms_ui == ("continue", "previous")
    assert item.data_maps[0].target_id == "bucket"
    assert item.data_maps[0].read_shared_data and item.data_maps[0].write_shared_data
    assert org.sequencing.control_mode.flow
    assert not org.objectives_global_to_system and not org.shared_data_global_to_system


@pytest.mark.parametrize(("value", "expected"), [("0.7", 0.7), ("lots", 1.0)])
def test_read_package_third_edition_threshold_text_read(make_zip, value, expected):
    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title>'
        f"<adlcp:completionThreshold>{value}</adlcp:completionThreshold></item>"
    )
    result = _read(make_zip, scorm2004_manifest(items, version="2004 3rd Edition"))
    threshold = result.package.organizations[0].items[0].completion_threshold
    assert threshold.completed_by_measure
    assert threshold.min_progress_measure == expected


def test_read_package_xml_base_resolved(make_zip):
    resources = (
        '<resource identifier="R1" type="webcontent" adlcp:scormType="sco" '
        'href="page.html" xml:base="lessons/one/">'
        '<file href="page.html"/><file href="../shared/style.css"/></resource>'
    )
    manifest = scorm2004_manifest(resources=resources).replace(
        "<resources>", '<resources xml:base="content/">'
    )
    files = {
        "imsmanifest.xml": manifest,
        "content/lessons/one/page.html": PAGE,
        "content/lessons/shared/style.css": b"body{}",
    }
    result = read_package(make_zip(files), strict=True)
    assert result.accepted, result.report.to_dict()
    resource = result.package.resources[0]
    assert resource.href == "content/lessons/one/page.html"
    assert resource.files == (
        "content/lessons/one/page.html",
        "content/lessons/shared/style.css",
    )
    assert resource.base == "content/lessons/one/"


def test_read_package_external_href_not_checked(make_zip):
    resources = (
        '<resource identifier="R1" type="webcontent" adlcp:scormType="asset" '
        'href="https://example.org/video"/>'
    )
    result = read_package(
        make_zip({"imsmanifest.xml": scorm2004_manifest(resources=resources)})
    )
    assert result.accepted
    assert result.package.launch_targets[0].url == "https://example.org/video"


def test_read_package_scorm2004_schema_enum_violation_strict_rejected(make_zip):
    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title>'
        '<imsss:sequencing><imsss:deliveryControls tracked="sometimes"/></imsss:sequencing></item>'
    )
    result = _read(make_zip, scorm2004_manifest(items), strict=True)
    assert not result.accepted
    assert result.report.errors[0].code == "schema"
    assert "tracked" in result.report.errors[0].message


def test_effective_sequencing_item_overrides_collection(make_zip):
    from importers import effective_sequencing

    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title>'
        '<imsss:sequencing IDRef="common"><imsss:controlMode choice="false"/>'
        "</imsss:sequencing></item>"
        '<item identifier="I2" identifierref="R1"><title>Two</title>'
        '<imsss:sequencing IDRef="common"/></item>'
        '<item identifier="I3" identifierref="R1"><title>Three</title></item>'
    )
    tail = (
        '<imsss:sequencingCollection><imsss:sequencing ID="common">'
        '<imsss:controlMode flow="true"/><imsss:limitConditions attemptLimit="2"/>'
        "</imsss:sequencing></imsss:sequencingCollection>"
    )
    package = _read(make_zip, scorm2004_manifest(items, tail=tail), strict=True).package
    first, second, third = package.organizations[0].items
    collection = package.sequencing_collection
    merged = effective_sequencing(first.sequencing, collection)
    assert not merged.control_mode.choice and not merged.control_mode.flow
    assert merged.limit_conditions.attempt_limit == 2
    assert merged.id_ref == "common"
    inherited = effective_sequencing(second.sequencing, collection)
    assert inherited.control_mode.flow and inherited.limit_conditions.attempt_limit == 2
    assert effective_sequencing(third.sequencing, collection) is None
    assert effective_sequencing(first.sequencing, ()) is first.sequencing


def test_read_package_unknown_referenced_objective_lenient(make_zip):
    items = (
        '<item identifier="I1" identifierref="R1"><title>One</title><imsss:sequencing>'
        "<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>"
        '<imsss:ruleCondition referencedObjective="nowhere" condition="satisfied"/>'
        '</imsss:ruleConditions><imsss:ruleAction action="skip"/>'
        "</imsss:preConditionRule></imsss:sequencingRules>"
        '<imsss:objectives><imsss:primaryObjective objectiveID="here"/></imsss:objectives>'
        "</imsss:sequencing></item>"
    )
    manifest = scorm2004_manifest(items)
    lenient = _read(make_zip, manifest)
    assert lenient.accepted
    assert "objective 'nowhere'" in lenient.report.warnings[0].message
    assert not _read(make_zip, manifest, strict=True).accepted
