"""What a validated LTI launch does in the hub: the user from (iss, sub), the context
and resource link, the course enrollment, and where the browser goes next."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from hub.db import utcnow
from hub.errors import ConflictError, NotFoundError, PermissionDeniedError
from hub.models import (
    Course,
    CourseRole,
    Enrollment,
    EnrollmentSource,
    LtiContext,
    LtiIdentity,
    LtiMembership,
    LtiResourceLink,
    MembershipStatus,
    OrgRole,
    Package,
    PackageVersion,
    Platform,
    Registration,
    User,
)
from hub.services import enrollments, registrations
from hub.services.accounts import find_user_by_email
from hub.services.activities import runtime_version
from hub.services.courses import get_course
from hub.services.lti_stores import SqlRegistrationStore, insert_or_ignore
from lti import HubRole, LaunchContext, LaunchValidator, LtiLaunchError, map_roles

#: The custom parameter a deep-linked resource link carries (DL §3.4.2 ``custom``).
COURSE_PARAM = "hub_course_id"
PLACEHOLDER_DOMAIN = "lti.invalid"


class LinkNotConnectedError(ConflictError):
    """The resource link (and its context) names no hub course yet."""


_Row = TypeVar("_Row")


def _get_or_create(
    session: Session,
    model: type[_Row],
    *,
    org_id: int,
    defaults: dict[str, Any] | None = None,
    found: _Row | None = None,
    **key: Any,
) -> _Row:
    """The row of ``model`` with the unique ``key`` (``found``, when the caller
    already looked it up), inserted (with ``defaults``) if missing.

    A class clicking a new link at once makes concurrent launches insert the same
    context, link or membership: the loser's insert fails on the unique key inside a
    SAVEPOINT, and it reads the winner's row (committed, so visible) instead of
    answering an error. Only a missing row pays for the SAVEPOINT.
    """
    if found is not None:
        return found
    query = select(model).filter_by(**key)
    row = session.scalar(query)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = model(org_id=org_id, **key, **(defaults or {}))
            session.add(row)
    except IntegrityError:
        row = session.scalar(query)
        if row is None:  # not a lost race: another constraint failed
            raise
    return row


def _set(row: Any, **values: Any) -> None:
    """Assign only the values that differ: an unchanged row stays clean, so the
    next flush has nothing to compare (the ORM would diff every assigned
    attribute, JSON lists included, to find no change)."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


@dataclass(frozen=True)
class LaunchOutcome:
    """Where a resource-link launch leads: the player or the instructor's roster."""

    user: User
    course_role: CourseRole
    course_id: int
    registration_id: int | None


def launch_platform(session: Session, context: LaunchContext) -> Platform:
    """The platform a validated launch came from, active, with its deployment."""
    return _registered(
        SqlRegistrationStore(session).find_platform(context.issuer, context.client_id),
        context,
    )


def _registered(platform: Platform | None, context: LaunchContext) -> Platform:
    """The launch's platform row, checked again: the launch's checks may have read
    a registration a few seconds old (``lti_stores.REGISTRATIONS``), and a platform
    deactivated or a deployment removed (its claim: core §5.3.3) must stop launches
    at once."""
    if platform is None:  # inactive (the query's condition) or gone
        raise NotFoundError("this platform is not registered")
    if context.deployment_id not in {str(d) for d in platform.deployment_ids or ()}:
        raise NotFoundError("this deployment is not registered")
    return platform


def course_role(role: HubRole) -> CourseRole:
    """LTI staff roles teach the course; everyone else learns in it."""
    return CourseRole.LEARNER if role is HubRole.LEARNER else CourseRole.INSTRUCTOR


def _placeholder_email(platform: Platform, subject: str) -> str:
    digest = hashlib.sha256(f"{platform.id}:{subject}".encode()).hexdigest()[:24]
    return f"lti-{platform.id}-{digest}@{PLACEHOLDER_DOMAIN}"


def _linkable_user(
    session: Session, platform: Platform, context: LaunchContext
) -> User | None:
    # An existing hub user is only taken over when the admin allows linking for the
    # platform and the platform did not say the email is unverified.
    if not (context.email and platform.allow_account_linking):
        return None
    if context.claims.get("email_verified") is False:
        return None
    return find_user_by_email(session, org_id=platform.org_id, email=context.email)


def _names(context: LaunchContext) -> tuple[str, str]:
    given, family = context.given_name or "", context.family_name or ""
    if not (given or family) and context.name:
        given, _, family = context.name.partition(" ")
    return given[:100], family[:100]


_Identity = tuple[LtiIdentity, User]
_EMAIL_MAX = User.__table__.c.email.type.length


_IDENTITY = (
    select(LtiIdentity, User)
    .join(User, User.id == LtiIdentity.user_id)
    .where(
        LtiIdentity.platform_id == bindparam("platform_id"),
        LtiIdentity.subject == bindparam("subject"),
    )
)


def _find_identity(
    session: Session, platform: Platform, subject: str
) -> _Identity | None:
    found = session.execute(
        _IDENTITY, {"platform_id": platform.id, "subject": subject}
    ).first()
    return (found[0], found[1]) if found is not None else None


def _email_taken(session: Session, org_id: int, email: str) -> bool:
    # An id, not the user: only whether one exists matters here.
    taken = select(User.id).where(
        User.org_id == org_id, User.email == email.strip().lower()
    )
    return session.scalar(taken) is not None


def _insert_user(session: Session, values: dict[str, Any]) -> User | None:
    """A new user row, or None when its (organization, email) is taken.

    One ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` instead of a lookup of
    the email, a SAVEPOINT around the ORM's insert and its reload: nothing is
    rolled back when the email turns out to be taken, so no SAVEPOINT is needed.
    """
    user_id = session.execute(
        insert_or_ignore(session, User.__table__, ["org_id", "email"]), values
    ).scalar()
    if user_id is None:
        return None
    # The row as the session would have it after a flush: persistent, without a
    # SELECT; the columns left to their defaults load if ever read.
    user = User(id=user_id, **values)
    make_transient_to_detached(user)
    session.add(user)
    return user


def _new_user(
    session: Session,
    platform: Platform,
    subject: str,
    *,
    email: str | None,
    update: Callable[[User], None],
) -> User | None:
    """Insert the user of a new identity; None if the same learner's other launch
    (two tabs) made it meanwhile (its placeholder email is taken)."""
    draft = User(org_id=platform.org_id, email="", role=OrgRole.LEARNER)
    update(draft)  # names and role go into the INSERT: no UPDATE after it
    values = {
        "org_id": platform.org_id,
        "role": draft.role,
        "given_name": draft.given_name or "",
        "family_name": draft.family_name or "",
        "password_changed_at": None,
    }
    # The stored email is lowercased but not stripped: when it has spaces, only the
    # lookup (which strips) can tell whether it is taken.
    if (
        email
        and len(email) <= _EMAIL_MAX  # else the learner gets a placeholder
        and (
            email == email.strip() or not _email_taken(session, platform.org_id, email)
        )
    ):
        user = _insert_user(session, {**values, "email": email.lower()})
        if user is not None:
            return user
    return _insert_user(
        session, {**values, "email": _placeholder_email(platform, subject)}
    )


def _new_identity(
    session: Session,
    platform: Platform,
    subject: str,
    *,
    context: LaunchContext | None,
    email: str | None,
    update: Callable[[User], None],
) -> User | None:
    """The user of a new identity of (platform, ``subject``); None when another
    launch of the same learner created the identity meanwhile."""
    user = _linkable_user(session, platform, context) if context else None
    made = None
    if user is None:
        user = made = _new_user(session, platform, subject, email=email, update=update)
        if user is None:
            return None
    else:
        update(user)
    inserted = session.execute(
        insert_or_ignore(session, LtiIdentity.__table__, ["platform_id", "subject"]),
        {
            "org_id": platform.org_id,
            "platform_id": platform.id,
            "subject": subject,
            "user_id": user.id,
            "last_launch_at": utcnow(),
        },
    ).scalar()
    if inserted is None:  # the other launch won: its user it is, ours goes
        if made is not None:
            session.expunge(made)
            session.execute(
                delete(User.__table__).where(User.__table__.c.id == made.id)
            )
        return None
    return user


def _update_user(user: User, role: HubRole, names: tuple[str, str]) -> None:
    given, family = names
    if given or family:
        user.given_name, user.family_name = given, family
    # Staff in a platform may see their courses' rosters; LTI never makes hub admins.
    if role is not HubRole.LEARNER and user.role is OrgRole.LEARNER:
        user.role = OrgRole.INSTRUCTOR


def upsert_user(
    session: Session,
    *,
    platform: Platform,
    subject: str,
    context: LaunchContext | None = None,
    role: HubRole = HubRole.LEARNER,
    email: str | None = None,
    names: tuple[str, str] = ("", ""),
) -> User:
    """The hub user of (platform, sub), created on first sight; PII never required."""
    return _upsert_user(
        session,
        platform=platform,
        subject=subject,
        context=context,
        role=role,
        email=email,
        names=names,
    )[0]


def _upsert_user(
    session: Session,
    *,
    platform: Platform,
    subject: str,
    context: LaunchContext | None,
    role: HubRole,
    email: str | None,
    names: tuple[str, str],
    found: _Identity | None | bool = False,
) -> tuple[User, bool]:
    """``upsert_user``, and whether the identity is new (nothing hangs off it yet).

    ``found`` is the identity and user the caller looked up (None: there is none);
    False looks them up here.
    """
    if found is False:
        found = _find_identity(session, platform, subject)
    assert found is not True
    if found is None:
        # Two tabs of one learner launch at once: the loser's inserts do nothing
        # (ON CONFLICT, no SAVEPOINT), and it reads the winner's identity (its
        # INSERT waited for the winner's commit, so it is visible).
        user = _new_identity(
            session,
            platform,
            subject,
            context=context,
            email=email,
            update=lambda user: _update_user(user, role, names),
        )
        if user is not None:
            return user, True
        found = _find_identity(session, platform, subject)
        if found is None:  # not a lost race: another constraint failed
            raise ConflictError("this learner's account could not be created")
    identity, user = found
    identity.last_launch_at = utcnow()
    _update_user(user, role, names)
    session.flush()
    return user, False


def _launch_user(
    session: Session,
    platform: Platform,
    context: LaunchContext,
    hub_role: HubRole,
    *,
    found: _Identity | None | bool = False,
) -> tuple[User, bool]:
    """The launch's user (see ``_upsert_user``), from its claims."""
    return _upsert_user(
        session,
        platform=platform,
        subject=context.subject,
        context=context,
        role=hub_role,
        email=context.email,
        names=_names(context),
        found=found,
    )


def _upsert_context(
    session: Session,
    platform: Platform,
    context: LaunchContext,
    found: LtiContext | None = None,
) -> LtiContext | None:
    if context.context_id is None:
        return None
    row = _get_or_create(
        session,
        LtiContext,
        org_id=platform.org_id,
        found=found,
        platform_id=platform.id,
        context_id=context.context_id,
    )
    _set(
        row,
        title=(context.context_title or row.title or "")[:300],
        label=(context.context_label or row.label or "")[:100],
        deployment_id=context.deployment_id[:255],
        nrps_url=context.nrps_url or row.nrps_url,
    )
    if context.ags is not None:
        _set(
            row,
            lineitems_url=context.ags.lineitems_url or row.lineitems_url,
            ags_scopes=list(context.ags.scopes),
        )
    return row


def _upsert_link(
    session: Session,
    platform: Platform,
    context: LaunchContext,
    context_row: LtiContext | None,
    found: LtiResourceLink | None = None,
) -> LtiResourceLink:
    assert context.resource_link_id is not None  # required claim (core §5.3.5)
    link = _get_or_create(
        session,
        LtiResourceLink,
        org_id=platform.org_id,
        found=found,
        platform_id=platform.id,
        resource_link_id=context.resource_link_id,
    )
    _set(
        link,
        context_pk=context_row.id if context_row else link.context_pk,
        title=(context.resource_link_title or link.title or "")[:300],
    )
    if context.ags is not None and context.ags.lineitem_url:
        _set(link, line_item_url=context.ags.lineitem_url)
    return link


def _wanted_course_id(context: LaunchContext) -> int | None:
    """The hub course a deep-linked link names (DL §3.4.2 ``custom``), if any."""
    wanted = context.custom.get(COURSE_PARAM)
    if wanted is None:
        return None
    try:
        return int(str(wanted))
    except ValueError as exc:
        raise NotFoundError(f"no course {wanted!r}") from exc


def _launch_course(
    session: Session, platform: Platform, context: LaunchContext, found: Any
) -> Course:
    """The course the launch delivers: the custom parameter's (scoped to the
    platform's organization: a link never reaches another's), else the link's,
    else the context's, from the rows ``found`` by the launch query. It writes
    nothing: a refusal here leaves no row behind.

    Raises:
        NotFoundError: The custom parameter names no course of the organization.
        LinkNotConnectedError: Neither the link nor its context has a course.
    """
    wanted = _wanted_course_id(context)
    link, context_row, course = found[4], found[3], found[5]
    if wanted is not None:
        course_id = wanted
    else:
        course_id = (link.course_id if link else None) or (
            context_row.course_id if context_row else None
        )
    if course_id is None:
        raise LinkNotConnectedError(
            "This link is not connected to a course of the hub yet. An instructor can "
            "connect it by opening it once, or by adding the tool through the "
            "platform's content picker."
        )
    if course is not None and course.id == course_id:
        return course
    if wanted is not None:
        return get_course(session, org_id=platform.org_id, course_id=wanted)
    return session.get_one(Course, course_id)  # the link's (or context's): its org


def _bind_course(
    context: LaunchContext,
    link: LtiResourceLink,
    context_row: LtiContext | None,
    course: Course,
) -> None:
    """Remember the course on the link (a custom parameter names it) and on a
    context that has none yet: later launches need no parameter."""
    if _wanted_course_id(context) is not None:
        _set(link, course_id=course.id)
    if context_row is not None and context_row.course_id is None:
        context_row.course_id = course.id


def _playable_version_id(session: Session, course: Course, found: Any) -> int:
    """The course's newest package version, checked playable (from the launch
    query's columns when it read this course).

    Raises:
        ConflictError: No content, or content the player cannot run.
        NotFoundError: The package has no version yet.
    """
    if found[5] is course and found.version_id is not None:
        runtime_version(found)  # refuse content the player cannot run, now
        return found.version_id
    return registrations.newest_version_id(session, course=course)


#: The rows a resource-link launch reads, in one query: the active platform, the
#: learner's identity and user, the context, the link, the course (the custom
#: parameter's, else the link's, else the context's, in the platform's
#: organization) and that course's newest package version. Each is None when
#: missing (outer joins from one row).
_LAUNCH_ROWS = (
    select(
        Platform,
        LtiIdentity,
        User,
        LtiContext,
        LtiResourceLink,
        Course,
        PackageVersion.id.label("version_id"),
        PackageVersion.standard,
        PackageVersion.edition,
    )
    .select_from(select(literal(1).label("one")).subquery("launch"))
    .outerjoin(
        Platform,
        and_(
            Platform.issuer == bindparam("issuer"),
            Platform.client_id == bindparam("client_id"),
            Platform.is_active.is_(True),
        ),
    )
    .outerjoin(
        LtiIdentity,
        and_(
            LtiIdentity.platform_id == Platform.id,
            LtiIdentity.subject == bindparam("subject"),
        ),
    )
    .outerjoin(User, User.id == LtiIdentity.user_id)
    .outerjoin(
        LtiContext,
        and_(
            LtiContext.platform_id == Platform.id,
            LtiContext.context_id == bindparam("context_id"),
        ),
    )
    .outerjoin(
        LtiResourceLink,
        and_(
            LtiResourceLink.platform_id == Platform.id,
            LtiResourceLink.resource_link_id == bindparam("resource_link_id"),
        ),
    )
    .outerjoin(
        Course,
        and_(
            Course.org_id == Platform.org_id,
            Course.id
            == func.coalesce(
                bindparam("course_id", type_=Integer),
                LtiResourceLink.course_id,
                LtiContext.course_id,
            ),
        ),
    )
    .outerjoin(Package, Package.id == Course.package_id)
    .outerjoin(
        PackageVersion,
        and_(
            PackageVersion.package_id == Package.id,
            PackageVersion.version == Package.latest_version,
        ),
    )
)


# Built once, run with each row's values (see lti_stores: building costs CPU).
_INSERT_MEMBERSHIP = insert(LtiMembership.__table__)
_INSERT_ENROLLMENT = insert(Enrollment.__table__)


def _membership(
    session: Session,
    context_row: LtiContext,
    user: User,
    role: CourseRole,
    *,
    new_user: bool,
) -> None:
    fields = {"role": role.value, "status": MembershipStatus.ACTIVE}
    if new_user:  # no membership can exist yet: a plain INSERT, nothing reads it
        session.execute(
            _INSERT_MEMBERSHIP,
            {
                "org_id": context_row.org_id,
                "context_pk": context_row.id,
                "user_id": user.id,
                **fields,
            },
        )
        return
    row = _get_or_create(
        session,
        LtiMembership,
        org_id=context_row.org_id,
        defaults=fields,
        context_pk=context_row.id,
        user_id=user.id,
    )
    row.role, row.status = role.value, MembershipStatus.ACTIVE


def _enroll(
    session: Session,
    platform: Platform,
    user: User,
    course: Course,
    role: CourseRole,
    *,
    new_user: bool,
) -> CourseRole:
    """Enroll the user (an instructor's enrollment is raised to that role); returns
    the role the user has in the course."""
    if not new_user:
        enrollment = enrollments.enroll(
            session,
            org_id=platform.org_id,
            user_id=user.id,
            course_id=course.id,
            role=role,
            source=EnrollmentSource.LTI,
            user=user,
            course=course,
        )[0]
        if enrollment.role is not role and role is CourseRole.INSTRUCTOR:
            enrollment.role = role
        return enrollment.role
    # What enroll() does for a user it has never seen, without its three lookups:
    # the user was just made in the platform's organization, the course was found
    # there (by _course_for, or the link's), and no enrollment of it can exist. A
    # plain INSERT: nothing reads the enrollment back in this unit of work.
    if course.is_archived:
        raise ConflictError(f"course {course.id} is archived")
    session.execute(
        _INSERT_ENROLLMENT,
        {
            "org_id": platform.org_id,
            "user_id": user.id,
            "course_id": course.id,
            "role": role,
            "source": EnrollmentSource.LTI,
        },
    )
    return role


def provision_launch(session: Session, *, context: LaunchContext) -> LaunchOutcome:
    """Apply a validated resource-link launch: user, context, link, enrollment.

    Learners get their registration (the player opens on it); instructors get none.
    A refusal writes nothing (the caller still commits the consumed state and
    nonce, so the id_token cannot be replayed).

    Raises:
        NotFoundError: The link names a course outside the platform's organization,
            or the platform or deployment is no longer registered.
        ConflictError: The link is not connected to a course, or it has no content.
    """
    hub_role = map_roles(context.roles) or HubRole.LEARNER
    found = session.execute(
        _LAUNCH_ROWS,
        {
            "issuer": context.issuer,
            "client_id": context.client_id,
            "subject": context.subject,
            "context_id": context.context_id,
            "resource_link_id": context.resource_link_id,
            "course_id": _wanted_course_id(context),
        },
    ).one()
    platform = _registered(found[0], context)
    course = _launch_course(session, platform, context, found)
    if found[1] is not None:
        # A returning learner's enrollment and registration may still refuse the
        # launch once its rows are updated: a SAVEPOINT takes those back.
        with session.begin_nested():
            return _apply_launch(
                session, context, platform, hub_role, found=found, course=course
            )
    # A new learner: every refusal is checked before the first write, no SAVEPOINT
    # (its enrollment cannot exist yet: the launch's role is the course role).
    if course.is_archived:
        raise ConflictError(f"course {course.id} is archived")
    version_id = None
    if course_role(hub_role) is CourseRole.LEARNER:
        version_id = _playable_version_id(session, course, found)
    return _apply_launch(
        session,
        context,
        platform,
        hub_role,
        found=found,
        course=course,
        version_id=version_id,
    )


def _apply_launch(
    session: Session,
    context: LaunchContext,
    platform: Platform,
    hub_role: HubRole,
    *,
    found: Any,
    course: Course,
    version_id: int | None = None,
) -> LaunchOutcome:
    """``provision_launch``'s writes, once its refusals are checked (``version_id``:
    the new registration's version, checked playable)."""
    user, new_user = _launch_user(
        session,
        platform,
        context,
        hub_role,
        found=(found[1], found[2]) if found[1] is not None else None,
    )
    context_row = _upsert_context(session, platform, context, found[3])
    link = _upsert_link(session, platform, context, context_row, found[4])
    _bind_course(context, link, context_row, course)
    role = _enroll(
        session, platform, user, course, course_role(hub_role), new_user=new_user
    )
    if context_row is not None:
        _membership(session, context_row, user, role, new_user=new_user)
    registration_id = None
    if role is CourseRole.LEARNER and new_user:
        registration_id = registrations.new_registration_id(
            session, course=course, user_id=user.id, version_id=version_id
        )
    elif role is CourseRole.LEARNER:
        # The enrollment is active (enroll reactivates an inactive one).
        registration_id = registrations.start_registration(
            session,
            org_id=platform.org_id,
            user_id=user.id,
            course_id=course.id,
            course=course,
        )[0].id
    session.flush()
    return LaunchOutcome(user, role, course.id, registration_id)


def provision_deep_linking(session: Session, *, context: LaunchContext) -> User:
    """The instructor of a deep linking request, as a hub user (no enrollment yet)."""
    platform = launch_platform(session, context)
    hub_role = map_roles(context.roles) or HubRole.LEARNER
    if hub_role is HubRole.LEARNER:
        raise PermissionDeniedError("Only instructors can pick content for a course.")
    with session.begin_nested():  # a refusal after a write takes it back
        _upsert_context(session, platform, context)
        return _launch_user(session, platform, context, hub_role)[0]


#: Lifetime of the one-time "open in a new window" link of an iframe launch.
NEW_WINDOW_SECONDS = 300


def new_window_link(session: Session, *, registration_id: int) -> str:
    """A one-time ``/launch/<token>`` link that signs the learner in first-party."""
    registration = session.get_one(Registration, registration_id)
    return registrations.create_launch_link(
        session, registration=registration, seconds=NEW_WINDOW_SECONDS
    ).token


def is_staff(context: LaunchContext) -> bool:
    """Whether the launch's roles make the user an instructor of the course."""
    return (map_roles(context.roles) or HubRole.LEARNER) is not HubRole.LEARNER


def load_unconnected_launch(
    session: Session, *, validator: LaunchValidator, launch_id: str, user_id: int | None
) -> LaunchContext:
    """The staff resource-link launch ``launch_id`` waiting for a course.

    The launch id is a capability (random, known only to the launching browser); a
    browser signed in as another user of the platform is refused.

    Raises:
        NotFoundError: Unknown or expired, not a staff resource-link launch, or
            another user's.
    """
    try:
        context = validator.load_launch(launch_id)
    except LtiLaunchError as exc:
        raise NotFoundError("This launch has expired; open the link again.") from exc
    if context.is_deep_linking or not is_staff(context):
        raise NotFoundError("no such launch")
    platform = launch_platform(session, context)
    owner = session.scalar(
        select(LtiIdentity.user_id).where(
            LtiIdentity.platform_id == platform.id,
            LtiIdentity.subject == context.subject,
        )
    )
    if user_id is not None and owner is not None and owner != user_id:
        raise NotFoundError("no such launch")
    return context


def connect_link(
    session: Session, *, context: LaunchContext, course_id: int
) -> LaunchOutcome:
    """Bind the launch's resource link (and its context, if unbound) to a course of
    the platform's organization, then provision the launch."""
    platform = launch_platform(session, context)
    course = get_course(session, org_id=platform.org_id, course_id=course_id)
    context_row = _upsert_context(session, platform, context)
    link = _upsert_link(session, platform, context, context_row)
    link.course_id = course.id
    if context_row is not None and context_row.course_id is None:
        context_row.course_id = course.id
    session.flush()
    return provision_launch(session, context=context)
