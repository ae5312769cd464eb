"""``/api/v1/users``: CRUD and bulk upsert."""

from __future__ import annotations

from flask import current_app, jsonify, request

from hub.errors import FieldError, ValidationError
from hub.extensions import db
from hub.models import OrgRole
from hub.schemas import UserCreate, UserUpdate
from hub.services import accounts, user_import
from hub.web.api import PAGE_PARAMS, actor, body, one, operation, page_args, paged
from hub.web.api.openapi import Param
from hub.web.api.schemas import BulkUsersIn, BulkUsersOut, UserOut

TAG = "users"


def _settings():
    return current_app.config["HUB_SETTINGS"]


@operation(
    "/users",
    "GET",
    summary="List users",
    tag=TAG,
    response=UserOut,
    many=True,
    query=(
        *PAGE_PARAMS,
        Param("q", "Search email and names"),
        Param("role", "Only this role", {"enum": [r.value for r in OrgRole]}),
    ),
)
def list_users():
    role = request.args.get("role")
    if role and role not in OrgRole._value2member_map_:
        raise ValidationError.for_field("role", "must be admin, instructor or learner")
    page = accounts.list_users(
        db.session,
        org_id=actor().org_id,
        query=request.args.get("q"),
        role=OrgRole(role) if role else None,
        **page_args(),
    )
    return paged(page, UserOut)


@operation(
    "/users",
    "POST",
    summary="Create a user",
    tag=TAG,
    body=UserCreate,
    response=UserOut,
    status=201,
)
def create_user():
    user = accounts.create_user(
        db.session, org_id=actor().org_id, data=body(UserCreate), settings=_settings()
    )
    return one(user, UserOut, 201)


@operation(
    "/users/<int:user_id>", "GET", summary="Get a user", tag=TAG, response=UserOut
)
def get_user(user_id: int):
    return one(
        accounts.get_user(db.session, org_id=actor().org_id, user_id=user_id), UserOut
    )


@operation(
    "/users/<int:user_id>",
    "PATCH",
    summary="Update a user",
    tag=TAG,
    body=UserUpdate,
    response=UserOut,
)
def update_user(user_id: int):
    user = accounts.update_user(
        db.session,
        org_id=actor().org_id,
        user_id=user_id,
        data=body(UserUpdate),
        settings=_settings(),
    )
    return one(user, UserOut)


@operation(
    "/users/<int:user_id>",
    "DELETE",
    summary="Deactivate a user (data is kept)",
    tag=TAG,
    response=UserOut,
)
def deactivate_user(user_id: int):
    return one(
        accounts.deactivate_user(db.session, org_id=actor().org_id, user_id=user_id),
        UserOut,
    )


@operation(
    "/users/bulk",
    "POST",
    summary="Create or update many users",
    tag=TAG,
    body=BulkUsersIn,
    response=BulkUsersOut,
)
def bulk_upsert_users():
    data = body(BulkUsersIn)
    report = user_import.upsert_users(
        db.session,
        org_id=actor().org_id,
        rows=user_import.rows_from_dicts(data.users),
        partial=data.partial,
        settings=_settings(),
    )
    if not report.applied:
        raise ValidationError(
            f"{report.failed_rows} of {report.total} users have errors; nothing was written",
            fields=[
                FieldError(f"users.{e.row - 1}.{e.field}", e.message)
                for e in report.errors
            ],
        )
    return jsonify(report.to_dict())
