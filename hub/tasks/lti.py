"""LTI tasks: score delivery with exponential backoff, the outbox sweeper, roster sync."""

from celery import shared_task
from flask import current_app

from hub.extensions import db
from hub.services import lti_grades, lti_roster

#: Seconds before retry n (n = 0, 1, ...): 10 s, 20 s, 40 s ... capped at 30 min.
BACKOFF_BASE, BACKOFF_MAX = 10, 1800


@shared_task(name="hub.deliver_lti_score", bind=True, max_retries=None)
def deliver_lti_score(self, outbox_id: int) -> str:
    with db.transaction() as session:
        outcome = lti_grades.deliver_score(
            session, tool=current_app.extensions["hub.lti"], outbox_id=outbox_id
        )
    # The failed attempt is committed first; embedded (eager) mode leaves the row to
    # the sweeper instead of retrying inside the request that wrote it.
    if outcome is lti_grades.Delivery.RETRY and not self.request.is_eager:
        delay = min(BACKOFF_MAX, BACKOFF_BASE * 2**self.request.retries)
        raise self.retry(countdown=delay)
    return outcome.value


@shared_task(name="hub.sweep_lti_scores")
def sweep_lti_scores() -> int:
    with db.transaction() as session:
        ids = lti_grades.pending_ids(session)
    for outbox_id in ids:
        deliver_lti_score.delay(outbox_id)
    return len(ids)


@shared_task(name="hub.sync_lti_roster")
def sync_lti_roster(org_id: int, context_pk: int) -> int:
    with db.transaction() as session:
        result = lti_roster.sync_roster(
            session,
            tool=current_app.extensions["hub.lti"],
            org_id=org_id,
            context_pk=context_pk,
        )
    return result.enrolled
