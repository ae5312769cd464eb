"""LTI tasks: score delivery with exponential backoff, the outbox sweeper, roster sync."""

from celery import shared_task
from flask import current_app

from hub.extensions import db
from hub.services import lti_grades, lti_roster
from hub.services.lti_grades import Delivery

#: Seconds before retry n (n = 0, 1, ...): 10 s, 20 s, 40 s ... capped at 30 min.
BACKOFF_BASE, BACKOFF_MAX = 10, 1800


@shared_task(name="hub.deliver_lti_scores", bind=True, max_retries=None)
def deliver_lti_scores(self, outbox_ids: list[int]) -> dict[str, str]:
    outcomes = _deliver(self, outbox_ids, retry_args=lambda ids: [ids])
    return {str(i): o.value for i, o in outcomes.items()}


@shared_task(name="hub.deliver_lti_score", bind=True, max_retries=None)
def deliver_lti_score(self, outbox_id: int) -> str:
    """One row: messages queued before batches existed."""
    return _deliver(self, [outbox_id], retry_args=lambda ids: ids)[outbox_id].value


def _deliver(task, outbox_ids: list[int], *, retry_args) -> dict[int, Delivery]:
    tool = current_app.extensions["hub.lti"]
    with db.transaction() as session:  # short: the token, under the platform's lock
        lti_grades.fetch_tokens(session, tool=tool, outbox_ids=outbox_ids)
    with db.transaction() as session:
        batch = lti_grades.prepare_deliveries(session, tool=tool, outbox_ids=outbox_ids)
    batch.send()  # no transaction open while the platforms are called
    with db.transaction() as session:
        outcomes = lti_grades.record_deliveries(session, batch)
    retry = [i for i, o in outcomes.items() if o is Delivery.RETRY]
    # The failed attempts are committed first; embedded (eager) mode leaves the rows
    # to the sweeper instead of retrying inside the request that wrote them.
    if retry and not task.request.is_eager:
        delay = min(BACKOFF_MAX, BACKOFF_BASE * 2**task.request.retries)
        raise task.retry(args=retry_args(retry), countdown=delay)
    return outcomes


@shared_task(name="hub.sweep_lti_scores")
def sweep_lti_scores() -> int:
    with db.transaction() as session:
        ids = lti_grades.pending_ids(session)
    lti_grades.enqueue_deliveries(ids)
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
