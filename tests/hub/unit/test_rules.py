"""Enrollment rule matching: every operator, case-insensitively."""

import pytest

from hub.models import EnrollmentRule, RuleOperator


@pytest.mark.parametrize(
    ("operator", "value", "attributes", "expected"),
    [
        (RuleOperator.EQUALS, "Sales", {"department": "sales"}, True),
        (RuleOperator.EQUALS, "Sales", {"department": "Sales EMEA"}, False),
        (RuleOperator.EQUALS, "Sales", {}, False),
        (RuleOperator.NOT_EQUALS, "Sales", {"department": "HR"}, True),
        (RuleOperator.NOT_EQUALS, "Sales", {"department": " SALES "}, False),
        (RuleOperator.NOT_EQUALS, "Sales", {}, True),
        (RuleOperator.IN, "Sales, HR", {"department": "hr"}, True),
        (RuleOperator.IN, "Sales, HR", {"department": "Ops"}, False),
        (RuleOperator.CONTAINS, "sales", {"department": "Inside Sales"}, True),
        (RuleOperator.CONTAINS, "sales", {"department": "Support"}, False),
        (RuleOperator.STARTS_WITH, "eu-", {"department": "EU-West"}, True),
        (RuleOperator.STARTS_WITH, "eu-", {"department": "US-East"}, False),
    ],
)
def test_rule_matches_operator(operator, value, attributes, expected):
    from hub.services.enrollments import rule_matches

    rule = EnrollmentRule(attribute="department", operator=operator, value=value)
    assert rule_matches(rule, attributes) is expected
