"""Roster sync over NRPS 2.0 (https://www.imsglobal.org/spec/lti-nrps/v2p0/): members
of a context become enrolled learners or instructors of its course; members who left
become inactive, never deleted; an empty or failed page changes nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db import after_commit, utcnow
from hub.errors import ConflictError, NotFoundError
from hub.models import (
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    LtiContext,
    LtiIdentity,
    LtiMembership,
    MembershipStatus,
    Platform,
)
from hub.services import enrollments
from hub.services.lti_launch import course_role, upsert_user
from hub.services.lti_stores import SqlAccessTokenCache, registration_of
from hub.services.lti_tool import LtiTool
from lti import (
    HubRole,
    Member,
    NrpsClient,
    PlatformServiceConnector,
    ServiceError,
    map_roles,
    membership_changes,
)
from lti.errors import KeyStoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncResult:
    """What one sync did; ``error`` set means nothing was changed."""

    enrolled: int = 0
    deactivated: int = 0
    error: str = ""


def get_context(session: Session, *, org_id: int, context_pk: int) -> LtiContext:
    context = session.scalar(
        select(LtiContext).where(
            LtiContext.id == context_pk, LtiContext.org_id == org_id
        )
    )
    if context is None:
        raise NotFoundError(f"no LTI context {context_pk}")
    return context


def list_contexts(session: Session, *, org_id: int) -> list[LtiContext]:
    return list(
        session.scalars(
            select(LtiContext)
            .where(LtiContext.org_id == org_id)
            .order_by(LtiContext.title)
        )
    )


def _known_members(session: Session, context: LtiContext) -> dict[str, int]:
    """Platform user id -> hub user id of the context's active members."""
    rows = session.execute(
        select(LtiIdentity.subject, LtiIdentity.user_id)
        .join(LtiMembership, LtiMembership.user_id == LtiIdentity.user_id)
        .where(
            LtiMembership.context_pk == context.id,
            LtiMembership.status == MembershipStatus.ACTIVE,
            LtiIdentity.platform_id == context.platform_id,
        )
    )
    return dict(rows.all())


def _names(member: Member) -> tuple[str, str]:
    given, family = member.given_name or "", member.family_name or ""
    if not (given or family) and member.name:
        given, _, family = member.name.partition(" ")
    return given[:100], family[:100]


def _enroll_member(
    session: Session, platform: Platform, context: LtiContext, member: Member
) -> None:
    role = map_roles(member.roles) or HubRole.LEARNER
    user = upsert_user(
        session,
        platform=platform,
        subject=member.user_id,
        role=role,
        email=member.email,
        names=_names(member),
    )
    assert context.course_id is not None
    enrollment, _ = enrollments.enroll(
        session,
        org_id=platform.org_id,
        user_id=user.id,
        course_id=context.course_id,
        role=course_role(role),
        source=EnrollmentSource.LTI,
    )
    membership = session.scalar(
        select(LtiMembership).where(
            LtiMembership.context_pk == context.id, LtiMembership.user_id == user.id
        )
    )
    if membership is None:
        membership = LtiMembership(
            org_id=context.org_id, context_pk=context.id, user_id=user.id
        )
        session.add(membership)
    membership.role, membership.status = enrollment.role.value, MembershipStatus.ACTIVE


def _deactivate(session: Session, context: LtiContext, user_id: int) -> None:
    for membership in session.scalars(
        select(LtiMembership).where(
            LtiMembership.context_pk == context.id, LtiMembership.user_id == user_id
        )
    ):
        membership.status = MembershipStatus.INACTIVE
    enrollment = session.scalar(
        select(Enrollment).where(
            Enrollment.user_id == user_id, Enrollment.course_id == context.course_id
        )
    )
    if enrollment is not None:
        # Inactive, never deleted: the learner's registrations and grades stay.
        enrollment.status = EnrollmentStatus.INACTIVE


def sync_roster(
    session: Session,
    *,
    tool: LtiTool,
    org_id: int,
    context_pk: int,
    differences: bool = False,
) -> SyncResult:
    """Fetch the whole roster (every page) and apply it to the context's course.

    With ``differences`` and a differences URL kept from the last sync (NRPS §2.4),
    only the changes since then are fetched: members it lists as inactive or deleted
    leave, and nobody else does.

    Raises:
        NotFoundError: No such context in the organization.
        ConflictError: The context has no course or offered no NRPS endpoint.
    """
    context = get_context(session, org_id=org_id, context_pk=context_pk)
    if context.course_id is None or not context.nrps_url:
        raise ConflictError(
            "This context has no course yet or its platform offers no roster service."
        )
    platform = session.get_one(Platform, context.platform_id)
    connector = PlatformServiceConnector(
        registration_of(platform),
        keyring=tool.keyring(session),
        token_cache=SqlAccessTokenCache(session, org_id=platform.org_id),
        session=tool.http,
    )
    client = NrpsClient(connector)
    try:
        if differences and context.nrps_differences_url:
            roster = client.fetch_differences(context.nrps_differences_url)
        else:
            roster = client.fetch_roster(context.nrps_url)
    except (ServiceError, KeyStoreError) as exc:
        # NRPS §2.3: a failed or empty page is no roster; nobody is unenrolled.
        context.last_sync_error = str(exc)[:2000]
        log.warning("roster sync of context %s failed: %s", context.id, exc)
        return SyncResult(error=context.last_sync_error)
    known = _known_members(session, context)
    changes = membership_changes(roster, known)
    for member in changes.present:
        _enroll_member(session, platform, context, member)
    departed = [known[subject] for subject in changes.departed if subject in known]
    for user_id in departed:
        _deactivate(session, context, user_id)
    context.nrps_differences_url = roster.differences_url or (
        context.nrps_differences_url if roster.is_delta else None
    )
    context.last_synced_at, context.last_sync_error = utcnow(), ""
    session.flush()
    return SyncResult(enrolled=len(changes.present), deactivated=len(departed))


def queue_sync(session: Session, *, org_id: int, context_pk: int) -> LtiContext:
    """Sync the context's roster in a task once the current transaction commits."""
    context = get_context(session, org_id=org_id, context_pk=context_pk)
    after_commit(session, lambda: _enqueue(org_id, context.id))
    return context


def _enqueue(org_id: int, context_pk: int) -> None:
    from hub.tasks.lti import sync_lti_roster  # noqa: PLC0415 - tasks import services

    sync_lti_roster.delay(org_id, context_pk)


def syncable_contexts(session: Session) -> list[tuple[int, int]]:
    """(org_id, context id) of every context with a course and a roster service, for
    the scheduled sync (each is then synced in its own organization)."""
    rows = session.execute(
        select(LtiContext.org_id, LtiContext.id).where(
            LtiContext.course_id.is_not(None), LtiContext.nrps_url.is_not(None)
        )
    )
    return [(org_id, context_pk) for org_id, context_pk in rows]
