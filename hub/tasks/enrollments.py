"""Enrollment tasks: applying a new rule to every existing user."""

from celery import shared_task

from hub.extensions import db
from hub.services import enrollments


@shared_task(name="hub.apply_enrollment_rule")
def apply_enrollment_rule(rule_id: int) -> int:
    with db.transaction() as session:
        return enrollments.apply_rule(session, rule_id=rule_id)
