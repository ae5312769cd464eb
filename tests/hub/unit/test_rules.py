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


def test_apply_rule_skips_archived_courses(session, settings):
    from sqlalchemy import select

    from hub.models import Enrollment, EnrollmentRule, RuleOperator
    from hub.services.courses import archive_course
    from hub.services.enrollments import apply_rule
    from tests.factories import make_course, make_org, make_user

    org = make_org(session)
    make_user(session, org, settings=settings, attributes={"team": "a"})
    course = make_course(session, org)
    rule = EnrollmentRule(
        org_id=org.id,
        course_id=course.id,
        attribute="team",
        operator=RuleOperator.EQUALS,
        value="a",
    )
    session.add(rule)
    archive_course(session, org_id=org.id, course_id=course.id)
    assert apply_rule(session, rule_id=rule.id) == 0
    assert session.scalars(select(Enrollment)).all() == []
    assert apply_rule(session, rule_id=999999) == 0
