"""Deep Linking 2.0 in the hub: the courses an instructor may pick, and the signed
response that returns them as ``ltiResourceLink`` items with line items (DL §3.4.2)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import NotFoundError, PermissionDeniedError, ValidationError
from hub.models import Course, LtiIdentity
from hub.services.courses import all_courses, get_course
from hub.services.lti_launch import COURSE_PARAM, launch_platform
from hub.services.lti_tool import LtiTool, ensure_signing_key
from lti import (
    DeepLinkingResponse,
    HubRole,
    LaunchContext,
    LineItemSpec,
    LtiLaunchError,
    ResourceLinkItem,
    accepts_multiple,
    build_deep_linking_response,
    map_roles,
)

LINE_ITEM_TAG = "interop-hub"


def load_request(
    session: Session, *, tool: LtiTool, launch_id: str, user_id: int | None
) -> LaunchContext:
    """The validated deep linking request of ``launch_id``.

    The launch id is a capability (24 random bytes, known only to the browser the
    launch redirected), so the picker works where the platform's iframe keeps no
    cookie; a signed-in browser must moreover be the launch's own user.

    Raises:
        NotFoundError: Unknown or expired launch, or another user's.
        PermissionDeniedError: Not a deep linking request, or not from staff.
    """
    try:
        context = tool.validator(session).load_launch(launch_id)
    except LtiLaunchError as exc:
        raise NotFoundError(
            "This content selection has expired; open it again from the platform."
        ) from exc
    if user_id is not None and _launch_user_id(session, context) != user_id:
        raise NotFoundError("no such content selection")
    if not context.is_deep_linking:
        raise PermissionDeniedError("This launch is not a content selection.")
    if (map_roles(context.roles) or HubRole.LEARNER) is HubRole.LEARNER:
        raise PermissionDeniedError("Only instructors can pick content for a course.")
    return context


def _launch_user_id(session: Session, context: LaunchContext) -> int | None:
    platform = launch_platform(session, context)
    return session.scalar(
        select(LtiIdentity.user_id).where(
            LtiIdentity.platform_id == platform.id,
            LtiIdentity.subject == context.subject,
        )
    )


def pickable_courses(session: Session, *, context: LaunchContext) -> list[Course]:
    """The published, unarchived courses of the platform's organization."""
    platform = launch_platform(session, context)
    return [
        c
        for c in all_courses(session, org_id=platform.org_id)
        if c.is_published and not c.is_archived
    ]


def respond(
    session: Session,
    *,
    tool: LtiTool,
    context: LaunchContext,
    course_ids: Sequence[int],
    score_maximum: float,
) -> DeepLinkingResponse:
    """Sign the response carrying one resource link (and line item) per course.

    Raises:
        ValidationError: No course picked, several where the platform takes one, or
            a non-positive maximum score.
        NotFoundError: A course outside the platform's organization.
        DeepLinkingError: The platform accepts no resource links.
    """
    if not course_ids:
        raise ValidationError.for_field("course_ids", "pick at least one course")
    if len(course_ids) > 1 and not accepts_multiple(context):
        raise ValidationError.for_field(
            "course_ids", "this platform takes one item at a time"
        )
    if score_maximum <= 0:
        raise ValidationError.for_field("score_maximum", "must be greater than 0")
    platform = launch_platform(session, context)
    items = []
    for course_id in course_ids:
        course = get_course(session, org_id=platform.org_id, course_id=course_id)
        items.append(
            ResourceLinkItem(
                title=course.title,
                url=tool.info.launch_url,
                text=course.description[:1000] or None,
                custom={COURSE_PARAM: str(course.id)},
                line_item=LineItemSpec(
                    score_maximum=score_maximum,
                    label=course.title,
                    resource_id=f"course-{course.id}",
                    tag=LINE_ITEM_TAG,
                ),
            )
        )
    keyring = tool.keyring(session)
    ensure_signing_key(keyring)
    return build_deep_linking_response(context, items, keyring=keyring)
