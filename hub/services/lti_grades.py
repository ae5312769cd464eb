"""Grade passback over AGS 2.0 (https://www.imsglobal.org/spec/lti-ags/v2p0/) through
an outbox: a score row is written in the same transaction as the registration's
rollup, and delivered after commit with retries; a platform outage loses nothing.

The hook is a ``before_flush`` listener (``install``): whenever a registration's
rolled-up completion, success or score changes, every resource link that delivers its
course to that learner gets its outbox row replaced by the newest score.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from hub.db import after_commit, utcnow
from hub.errors import NotFoundError
from hub.models import (
    Course,
    DeliveryState,
    LtiContext,
    LtiIdentity,
    LtiMembership,
    LtiResourceLink,
    LtiScoreOutbox,
    MembershipStatus,
    Platform,
    Registration,
)
from hub.services.lti_stores import SqlAccessTokenCache, registration_of
from hub.services.lti_tool import LtiTool
from lti import (
    AgsClient,
    AgsEndpoint,
    LineItem,
    PlatformServiceConnector,
    Score,
    ServiceError,
)
from lti.errors import KeyStoreError

log = logging.getLogger(__name__)

#: Scores are published out of 100 (the registration's scaled score × 100).
SCORE_MAXIMUM = 100.0
#: Delivery attempts before a row is marked failed for an admin to re-send.
MAX_ATTEMPTS = 8
_ROLLUP_FIELDS = ("completion", "success", "score_scaled", "score_raw")
_FINISHED = {"completed", "passed", "failed"}


class Delivery(enum.Enum):
    """What one delivery attempt did."""

    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


# -- writing the outbox ---------------------------------------------------------------


def score_fields(registration: Registration) -> dict[str, Any]:
    """The AGS score of a registration (AGS §3.4.7 activityProgress, gradingProgress)."""
    scaled = registration.score_scaled
    if scaled is None and registration.score_raw is not None:
        scaled = registration.score_raw / 100.0
    given = None if scaled is None else round(max(0.0, min(scaled, 1.0)) * 100, 4)
    finished = registration.completion in _FINISHED or registration.success in _FINISHED
    if finished:
        activity = "Completed"
    elif registration.completion == "not attempted":
        activity = "Initialized"
    else:
        activity = "InProgress"
    return {
        "score_given": given,
        "score_maximum": SCORE_MAXIMUM if given is not None else None,
        "activity_progress": activity,
        "grading_progress": "FullyGraded" if finished else "Pending",
    }


def _targets(
    session: Session, registration: Registration
) -> Iterable[tuple[LtiResourceLink, LtiIdentity]]:
    """Resource links of the course in contexts the learner is an active member of."""
    query = (
        select(LtiResourceLink, LtiIdentity)
        .join(LtiIdentity, LtiIdentity.platform_id == LtiResourceLink.platform_id)
        .join(
            LtiMembership,
            (LtiMembership.context_pk == LtiResourceLink.context_pk)
            & (LtiMembership.user_id == LtiIdentity.user_id),
        )
        .where(
            LtiResourceLink.org_id == registration.org_id,
            LtiResourceLink.course_id == registration.course_id,
            LtiIdentity.user_id == registration.user_id,
            LtiMembership.status == MembershipStatus.ACTIVE,
        )
    )
    return [(link, identity) for link, identity in session.execute(query)]


def queue_score(
    session: Session, *, registration: Registration
) -> list[LtiScoreOutbox]:
    """Replace the outbox rows of ``registration`` with its current score.

    Safe inside a flush (the rows join it). Returns the rows; each is enqueued for
    delivery once the transaction commits.
    """
    fields = score_fields(registration)
    stamp = utcnow()
    rows: list[LtiScoreOutbox] = []
    with session.no_autoflush:
        for link, identity in _targets(session, registration):
            row = session.scalar(
                select(LtiScoreOutbox)
                .where(
                    LtiScoreOutbox.resource_link_pk == link.id,
                    LtiScoreOutbox.user_id == registration.user_id,
                )
                # A worker may have changed the row since this session loaded it.
                .execution_options(populate_existing=True)
            )
            if row is None:
                row = LtiScoreOutbox(
                    org_id=link.org_id,
                    platform_id=link.platform_id,
                    resource_link_pk=link.id,
                    user_id=registration.user_id,
                )
                session.add(row)
            # Newest wins: the pending score is replaced, never queued twice.
            for name, value in fields.items():
                setattr(row, name, value)
            row.subject = identity.subject
            row.score_timestamp = stamp
            row.state, row.attempts, row.last_error = DeliveryState.PENDING, 0, ""
            rows.append(row)
    if rows:
        queued = tuple(rows)
        after_commit(session, lambda: _enqueue(row.id for row in queued))
    return rows


def _enqueue(ids: Iterable[int]) -> None:
    from hub.tasks.lti import deliver_lti_score  # noqa: PLC0415 - tasks import services

    for outbox_id in ids:
        deliver_lti_score.delay(outbox_id)


def _rollup_changed(registration: Registration) -> bool:
    state = inspect(registration)
    return any(state.attrs[name].history.has_changes() for name in _ROLLUP_FIELDS)


def _on_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty):
        if isinstance(obj, Registration) and _rollup_changed(obj):
            queue_score(session, registration=obj)


def install() -> None:
    """Listen for rollup changes on every session (once per process)."""
    if not event.contains(Session, "before_flush", _on_flush):
        event.listen(Session, "before_flush", _on_flush)


# -- delivering -----------------------------------------------------------------------


def _client(
    session: Session, tool: LtiTool, row: LtiScoreOutbox
) -> tuple[AgsClient, LtiResourceLink]:
    platform = session.get_one(Platform, row.platform_id)
    link = session.get_one(LtiResourceLink, row.resource_link_pk)
    context = session.get(LtiContext, link.context_pk) if link.context_pk else None
    connector = PlatformServiceConnector(
        registration_of(platform),
        keyring=tool.keyring(session),
        token_cache=SqlAccessTokenCache(session, org_id=platform.org_id),
        session=tool.http,
    )
    endpoint = AgsEndpoint(
        scopes=tuple(context.ags_scopes or ()) if context else (),
        lineitems_url=context.lineitems_url if context else None,
        lineitem_url=link.line_item_url,
    )
    return AgsClient(connector, endpoint), link


def _line_item_url(session: Session, client: AgsClient, link: LtiResourceLink) -> str:
    if link.line_item_url:
        return link.line_item_url
    # AGS §3.2.4/§3.2.5: no line item came with the launch; find the link's own
    # column by resourceLinkId, or create it.
    course = session.get(Course, link.course_id) if link.course_id else None
    item = client.find_or_create_line_item(
        LineItem(
            label=(link.title or (course.title if course else "Interop Hub"))[:200],
            score_maximum=SCORE_MAXIMUM,
            resource_link_id=link.resource_link_id,
        )
    )
    if not item.id:
        raise ServiceError("the platform returned a line item without an id")
    link.line_item_url = item.id
    return item.id


def deliver_score(session: Session, *, tool: LtiTool, outbox_id: int) -> Delivery:
    """Publish one outbox row's score (AGS §3.4); idempotent.

    A row already delivered is skipped. The row is only marked delivered if it still
    holds the score that was sent: a newer score written meanwhile stays pending for
    its own delivery. A retryable failure (no answer, 408, 429, 5xx) keeps the row
    pending until ``MAX_ATTEMPTS``; any other failure marks it failed at once.
    """
    row = session.get(LtiScoreOutbox, outbox_id)
    if row is None or row.state is not DeliveryState.PENDING:
        return Delivery.SKIPPED
    sent_stamp: datetime = row.score_timestamp
    try:
        client, link = _client(session, tool, row)
        client.publish_score(
            _line_item_url(session, client, link),
            Score(
                user_id=row.subject,
                activity_progress=row.activity_progress,
                grading_progress=row.grading_progress,
                timestamp=sent_stamp,
                score_given=row.score_given,
                score_maximum=row.score_maximum,
            ),
        )
    except (ServiceError, KeyStoreError) as exc:
        return _failed(row, exc)
    session.execute(
        update(LtiScoreOutbox)
        .where(
            LtiScoreOutbox.id == row.id,
            LtiScoreOutbox.score_timestamp == sent_stamp,
        )
        .values(state=DeliveryState.DELIVERED, delivered_at=utcnow(), last_error="")
        .execution_options(synchronize_session="fetch")
    )
    session.flush()
    return Delivery.DELIVERED


def _failed(row: LtiScoreOutbox, exc: Exception) -> Delivery:
    row.attempts += 1
    status = getattr(exc, "status", None)
    body = getattr(exc, "body", "")
    row.last_error = f"{exc} {body}".strip()[:2000]
    retryable = isinstance(exc, ServiceError) and exc.retryable
    log.warning(
        "score %s for %s not delivered (attempt %s, status %s): %s",
        row.id,
        row.subject,
        row.attempts,
        status,
        exc,
    )
    if retryable and row.attempts < MAX_ATTEMPTS:
        return Delivery.RETRY
    row.state = DeliveryState.FAILED
    return Delivery.FAILED


def pending_ids(session: Session, *, limit: int = 1000) -> list[int]:
    """Pending rows, oldest first, for the sweeper to re-enqueue."""
    return list(
        session.scalars(
            select(LtiScoreOutbox.id)
            .where(LtiScoreOutbox.state == DeliveryState.PENDING)
            .order_by(LtiScoreOutbox.updated_at)
            .limit(limit)
        )
    )


def list_deliveries(session: Session, *, org_id: int) -> list[LtiScoreOutbox]:
    """The organization's pending and failed deliveries, newest first."""
    return list(
        session.scalars(
            select(LtiScoreOutbox)
            .where(
                LtiScoreOutbox.org_id == org_id,
                LtiScoreOutbox.state != DeliveryState.DELIVERED,
            )
            .order_by(LtiScoreOutbox.updated_at.desc())
            .limit(500)
        )
    )


def resend(session: Session, *, org_id: int, delivery_id: int) -> LtiScoreOutbox:
    """Put a failed or pending delivery back in the queue (after commit)."""
    row = session.scalar(
        select(LtiScoreOutbox).where(
            LtiScoreOutbox.id == delivery_id, LtiScoreOutbox.org_id == org_id
        )
    )
    if row is None:
        raise NotFoundError(f"no score delivery {delivery_id}")
    if row.state is not DeliveryState.DELIVERED:
        row.state, row.attempts = DeliveryState.PENDING, 0
        session.flush()
        after_commit(session, lambda: _enqueue([row.id]))
    return row


def resync_context(session: Session, *, org_id: int, context_pk: int) -> int:
    """Queue every current grade of a context's learners again; returns the count."""
    context = session.scalar(
        select(LtiContext).where(
            LtiContext.id == context_pk, LtiContext.org_id == org_id
        )
    )
    if context is None:
        raise NotFoundError(f"no LTI context {context_pk}")
    registrations = session.scalars(
        select(Registration)
        .join(LtiMembership, LtiMembership.user_id == Registration.user_id)
        .where(
            LtiMembership.context_pk == context.id,
            LtiMembership.status == MembershipStatus.ACTIVE,
            Registration.org_id == org_id,
            Registration.course_id == context.course_id,
        )
    ).all()
    queued = sum(len(queue_score(session, registration=r)) for r in registrations)
    session.flush()
    return queued
