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
from typing import Any

from sqlalchemy import and_, bindparam, event, inspect, select, update
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
from hub.services.lti_stores import (
    SqlAccessTokenCache,
    registration_of,
    transaction_memo,
)
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
from lti.stores import CachedToken

log = logging.getLogger(__name__)

#: Scores are published out of 100 (the registration's scaled score × 100).
SCORE_MAXIMUM = 100.0
#: Delivery attempts before a row is marked failed for an admin to re-send.
MAX_ATTEMPTS = 8
#: Outbox rows per delivery task: one token lookup, one HTTP connection, one commit.
BATCH_SIZE = 200
_ROLLUP_FIELDS = ("completion", "success", "score_scaled", "score_raw")
_QUEUED_KEY = "hub.lti_grades.queued"
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
        _queued_in_transaction(session).extend(rows)
    return rows


def _queued_in_transaction(session: Session) -> list[LtiScoreOutbox]:
    """The rows queued in the session's transaction, enqueued together (in batches,
    each row once) when it commits: a re-sync of a whole context is a few tasks."""
    memo = transaction_memo(session, _QUEUED_KEY)
    if "rows" not in memo:
        rows: list[LtiScoreOutbox] = []
        memo["rows"] = rows
        after_commit(session, lambda: enqueue_deliveries(_committed_ids(rows)))
    return memo["rows"]


def _committed_ids(rows: list[LtiScoreOutbox]) -> list[int]:
    # The identity survives expiry (no query); a row of a rolled-back SAVEPOINT has
    # none and is not sent.
    identities = (inspect(row).identity for row in rows)
    return [identity[0] for identity in identities if identity is not None]


def enqueue_deliveries(ids: Iterable[int]) -> None:
    """Enqueue delivery tasks for these outbox rows, ``BATCH_SIZE`` rows a task."""
    from hub.tasks.lti import deliver_lti_scores  # noqa: PLC0415 - tasks import services

    unique = sorted(set(ids))
    for start in range(0, len(unique), BATCH_SIZE):
        deliver_lti_scores.delay(unique[start : start + BATCH_SIZE])


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


class _BatchTokenCache:
    """The database token cache, read once per batch (every score of a platform
    shares the token: Security §4.1, one token until it expires)."""

    def __init__(self, cache: SqlAccessTokenCache) -> None:
        self._cache = cache
        self._seen: dict[str, CachedToken | None] = {}

    def get_token(self, key: str) -> CachedToken | None:
        if key not in self._seen:
            self._seen[key] = self._cache.get_token(key)
        return self._seen[key]

    def set_token(self, key: str, token: CachedToken) -> None:
        self._seen[key] = token
        self._cache.set_token(key, token)


class _Clients:
    """One AGS client per resource link for a batch, over one connector (token
    cache, keep-alive HTTP session) per platform."""

    def __init__(self, session: Session, tool: LtiTool) -> None:
        self._session = session
        self._tool = tool
        self._connectors: dict[int, PlatformServiceConnector] = {}
        self._clients: dict[int, tuple[AgsClient, LtiResourceLink]] = {}

    def connector(self, platform_id: int) -> PlatformServiceConnector:
        if platform_id not in self._connectors:
            platform = self._session.get_one(Platform, platform_id)
            self._connectors[platform_id] = PlatformServiceConnector(
                registration_of(platform),
                keyring=self._tool.keyring(self._session),
                token_cache=_BatchTokenCache(
                    SqlAccessTokenCache(self._session, org_id=platform.org_id)
                ),
                session=self._tool.http,
            )
        return self._connectors[platform_id]

    def client(self, row: LtiScoreOutbox) -> tuple[AgsClient, LtiResourceLink]:
        if row.resource_link_pk not in self._clients:
            session = self._session
            link = session.get_one(LtiResourceLink, row.resource_link_pk)
            context = (
                session.get(LtiContext, link.context_pk) if link.context_pk else None
            )
            endpoint = AgsEndpoint(
                scopes=tuple(context.ags_scopes or ()) if context else (),
                lineitems_url=context.lineitems_url if context else None,
                lineitem_url=link.line_item_url,
            )
            client = AgsClient(self.connector(row.platform_id), endpoint)
            self._clients[row.resource_link_pk] = (client, link)
        return self._clients[row.resource_link_pk]


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


def _pending_rows(session: Session, outbox_ids: Iterable[int]) -> list[LtiScoreOutbox]:
    return list(
        session.scalars(
            select(LtiScoreOutbox)
            .where(
                LtiScoreOutbox.id.in_(list(outbox_ids)),
                LtiScoreOutbox.state == DeliveryState.PENDING,
            )
            .order_by(LtiScoreOutbox.id)
        )
    )


def fetch_tokens(session: Session, *, tool: LtiTool, outbox_ids: list[int]) -> None:
    """Make sure the platforms of these rows have a cached access token.

    Run in a transaction of its own before ``prepare_deliveries``: the platform row is
    locked while its token is looked up and, if missing or expired, requested and
    stored, so concurrent workers wait for that one token instead of each asking the
    platform for their own.
    """
    rows = _pending_rows(session, outbox_ids)
    clients = _Clients(session, tool)
    done: set[tuple[int, tuple[str, ...]]] = set()
    for row in rows:
        client, _ = clients.client(row)
        key = (row.platform_id, client.scopes)
        if key in done or not client.scopes:
            continue
        done.add(key)
        session.scalar(
            select(Platform.id).where(Platform.id == row.platform_id).with_for_update()
        )
        try:
            clients.connector(row.platform_id).get_access_token(client.scopes)
        except (ServiceError, KeyStoreError) as exc:
            # Each row's delivery will meet the error again and record it.
            log.warning("no access token for platform %s: %s", row.platform_id, exc)


class Deliveries:
    """A batch of outbox rows on its way to the platforms, in three steps:
    ``prepare_deliveries`` reads the rows and everything sending needs (in a
    transaction), ``send`` posts the scores (no database), ``record_deliveries``
    writes the outcomes (in a transaction). No transaction stays open while a
    platform is called (only a token the platform rejects makes one: the new token
    is stored).

    Rows no longer pending are skipped. The rows of one platform share one connector:
    one token lookup and one keep-alive connection. A row is only marked delivered if
    it still holds the score that was sent: a newer score written meanwhile stays
    pending for its own delivery, and a failure is recorded the same way. A retryable
    failure (no answer, 408, 429, 5xx) keeps the row pending until ``MAX_ATTEMPTS``,
    and the platform's other rows of the batch are not tried (``RETRY``, no attempt
    counted): a platform that is down or hangs costs the batch one call, not one
    timeout per score. Any other failure marks the row failed at once.
    """

    def __init__(self, outbox_ids: Iterable[int]) -> None:
        self.outcomes = dict.fromkeys(outbox_ids, Delivery.SKIPPED)
        self._ready: list[tuple[LtiScoreOutbox, AgsClient, str, Score]] = []
        self.delivered: list[dict[str, Any]] = []
        self.failed: list[dict[str, Any]] = []
        self._unavailable: set[int] = set()

    def ready(self, row: LtiScoreOutbox, client: AgsClient, line_item_url: str) -> None:
        """Queue ``row``'s score for ``send``."""
        self._ready.append((row, client, line_item_url, _score(row)))

    def send(self) -> None:
        """Post every prepared score (AGS §3.4); idempotent on the platform's side."""
        for row, client, line_item_url, score in self._ready:
            if self.waiting(row):
                continue
            try:
                client.publish_score(line_item_url, score)
            except (ServiceError, KeyStoreError) as exc:
                self.fail(row, exc)
            else:
                self.outcomes[row.id] = Delivery.DELIVERED
                self.delivered.append(_sent(row))
        self._ready = []

    def waiting(self, row: LtiScoreOutbox) -> bool:
        """Whether ``row`` waits for the batch's retry: its platform did not answer,
        or answered 408, 429 or a 5xx, earlier in this batch (rather than each score
        waiting out the timeouts; an attempt not made is not counted)."""
        if row.platform_id in self._unavailable:
            self.outcomes[row.id] = Delivery.RETRY
            return True
        return False

    def fail(self, row: LtiScoreOutbox, exc: ServiceError | KeyStoreError) -> None:
        """Count a failed attempt of ``row`` (written by ``record_deliveries``)."""
        self.outcomes[row.id], failure = _failed(row, exc)
        self.failed.append(_sent(row) | failure)
        if isinstance(exc, ServiceError) and exc.retryable:
            self._unavailable.add(row.platform_id)


def _sent(row: LtiScoreOutbox) -> dict[str, Any]:
    return {"row_id": row.id, "stamp": row.score_timestamp}


def prepare_deliveries(
    session: Session, *, tool: LtiTool, outbox_ids: Iterable[int]
) -> Deliveries:
    """Read the pending rows of ``outbox_ids`` with their clients, access tokens and
    line item URLs (found or created on the platform when a link has none: AGS
    §3.2), so that ``Deliveries.send`` needs no database."""
    batch = Deliveries(outbox_ids)
    clients = _Clients(session, tool)
    for row in _pending_rows(session, batch.outcomes):
        if batch.waiting(row):
            continue
        try:
            client, link = clients.client(row)
            if client.scopes:  # read once per platform and batch, then in memory
                clients.connector(row.platform_id).get_access_token(client.scopes)
            line_item_url = _line_item_url(session, client, link)
        except (ServiceError, KeyStoreError) as exc:
            batch.fail(row, exc)
            continue
        batch.ready(row, client, line_item_url)
    session.flush()  # a line item URL found for a link
    return batch


def record_deliveries(session: Session, batch: Deliveries) -> dict[int, Delivery]:
    """Write the batch's outcomes, each only over the score it sent (the rows are
    not locked while the platforms are called); returns them by row id."""
    if batch.delivered:
        session.execute(_MARK_DELIVERED.values(delivered_at=utcnow()), batch.delivered)
    if batch.failed:
        session.execute(_MARK_FAILED, batch.failed)
    if batch.delivered or batch.failed:
        session.expire_all()  # the rows' states changed under the ORM
    return batch.outcomes


_SENT = and_(
    LtiScoreOutbox.id == bindparam("row_id"),
    LtiScoreOutbox.score_timestamp == bindparam("stamp"),
)
_MARK_DELIVERED = (
    update(LtiScoreOutbox.__table__)
    .where(_SENT)
    .values(state=DeliveryState.DELIVERED, last_error="")
    .execution_options(synchronize_session=False)
)
_MARK_FAILED = (
    update(LtiScoreOutbox.__table__)
    .where(_SENT)
    .values(
        state=bindparam("new_state"),
        attempts=bindparam("new_attempts"),
        last_error=bindparam("error"),
    )
    .execution_options(synchronize_session=False)
)


def _score(row: LtiScoreOutbox) -> Score:
    return Score(
        user_id=row.subject,
        activity_progress=row.activity_progress,
        grading_progress=row.grading_progress,
        timestamp=row.score_timestamp,
        score_given=row.score_given,
        score_maximum=row.score_maximum,
    )


def _failed(row: LtiScoreOutbox, exc: Exception) -> tuple[Delivery, dict[str, Any]]:
    """The outcome of a failed attempt, and the row's new attempt count, error and
    state (for ``_MARK_FAILED``; the row itself is left as it was read)."""
    attempts = row.attempts + 1
    status = getattr(exc, "status", None)
    body = getattr(exc, "body", "")
    retryable = isinstance(exc, ServiceError) and exc.retryable
    log.warning(
        "score %s for %s not delivered (attempt %s, status %s): %s",
        row.id,
        row.subject,
        attempts,
        status,
        exc,
    )
    outcome = (
        Delivery.RETRY if retryable and attempts < MAX_ATTEMPTS else Delivery.FAILED
    )
    state = DeliveryState.FAILED if outcome is Delivery.FAILED else row.state
    return outcome, {
        "new_state": state,
        "new_attempts": attempts,
        "error": f"{exc} {body}".strip()[:2000],
    }


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
        after_commit(session, lambda: enqueue_deliveries([delivery_id]))
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
