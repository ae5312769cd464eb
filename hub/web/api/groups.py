"""``/api/v1/groups``: cohorts, their members and their courses."""

from __future__ import annotations

from flask import jsonify

from hub.extensions import db
from hub.schemas import GroupCreate
from hub.services import enrollments
from hub.services.pagination import Page
from hub.web.api import actor, body, one, operation, paged
from hub.web.api.schemas import (
    GroupCourseIn,
    GroupEnrollOut,
    GroupMemberIn,
    GroupOut,
    UserOut,
)

TAG = "groups"


@operation(
    "/groups", "GET", summary="List groups", tag=TAG, response=GroupOut, many=True
)
def list_groups():
    return paged(
        Page(enrollments.list_groups(db.session, org_id=actor().org_id), None), GroupOut
    )


@operation(
    "/groups",
    "POST",
    summary="Create a group",
    tag=TAG,
    body=GroupCreate,
    response=GroupOut,
    status=201,
)
def create_group():
    group = enrollments.create_group(
        db.session, org_id=actor().org_id, data=body(GroupCreate)
    )
    return one(group, GroupOut, 201)


@operation(
    "/groups/<int:group_id>", "GET", summary="Get a group", tag=TAG, response=GroupOut
)
def get_group(group_id: int):
    return one(
        enrollments.get_group(db.session, org_id=actor().org_id, group_id=group_id),
        GroupOut,
    )


@operation(
    "/groups/<int:group_id>/members",
    "GET",
    summary="List a group's members",
    tag=TAG,
    response=UserOut,
    many=True,
)
def list_members(group_id: int):
    members = enrollments.group_members(
        db.session, org_id=actor().org_id, group_id=group_id
    )
    return paged(Page(members, None), UserOut)


@operation(
    "/groups/<int:group_id>/members",
    "POST",
    summary="Add a member (enrolls them in the group's courses)",
    tag=TAG,
    body=GroupMemberIn,
    response=GroupOut,
)
def add_member(group_id: int):
    data = body(GroupMemberIn)
    enrollments.add_group_member(
        db.session, org_id=actor().org_id, group_id=group_id, user_id=data.user_id
    )
    return one(
        enrollments.get_group(db.session, org_id=actor().org_id, group_id=group_id),
        GroupOut,
    )


@operation(
    "/groups/<int:group_id>/members/<int:user_id>",
    "DELETE",
    summary="Remove a member (enrollments stay)",
    tag=TAG,
    status=204,
)
def remove_member(group_id: int, user_id: int):
    enrollments.remove_group_member(
        db.session, org_id=actor().org_id, group_id=group_id, user_id=user_id
    )
    return "", 204


@operation(
    "/groups/<int:group_id>/courses",
    "POST",
    summary="Enroll the group (and its future members) in a course",
    tag=TAG,
    body=GroupCourseIn,
    response=GroupEnrollOut,
)
def enroll_group(group_id: int):
    created = enrollments.enroll_group(
        db.session,
        org_id=actor().org_id,
        group_id=group_id,
        course_id=body(GroupCourseIn).course_id,
    )
    return jsonify({"created": created})
