"""The versioned JSON REST API under ``/api/v1``, authenticated by API keys."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import BaseModel

from hub.db import MAX_ROW_ID, parse_row_id
from hub.errors import AuthenticationRequiredError, HubError, ValidationError
from hub.extensions import csrf, db
from hub.services import accounts as account_service
from hub.services import courses as course_service
from hub.services import enrollments as enrollment_service
from hub.services import packages as package_service
from hub.services import registrations as registration_service
from hub.services.api_keys import authenticate_api_key
from hub.services.authz import Actor
from hub.services.pagination import Page
from hub.web import nul_field, refuse_nul
from hub.web.api.openapi import OperationRegistry, Param

M = TypeVar("M", bound=BaseModel)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated; no cookies are accepted here
operation = OperationRegistry(bp)

MAX_PAGE_SIZE = 500
PAGE_PARAMS = (
    Param(
        "limit",
        f"Items per page (1-{MAX_PAGE_SIZE})",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    ),
    Param("cursor", "The next_cursor of the previous page"),
)
_ID = {"type": "integer", "minimum": 1}
# Lists of things that belong to a learner on a course filter by either.
COURSE_USER_PARAMS = (
    *PAGE_PARAMS,
    Param("course_id", "Only this course", _ID),
    Param("user_id", "Only this user", _ID),
)
PUBLIC_ENDPOINTS = {"api.openapi_document"}


@bp.before_request
def _authenticate() -> None:
    g.actor = None  # a browser session never authorizes API calls
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise AuthenticationRequiredError(
            "send an API key as 'Authorization: Bearer <key>' (create one with "
            "'hub api-key create')"
        )
    g.actor = authenticate_api_key(db.session, secret.strip())
    _check_path_objects(g.actor)


def _check_path_objects(current: Actor) -> None:
    """Every object named in the URL must be the caller's organization's: 404 first,
    before the body is read, whatever the endpoint (one check for every route)."""
    getters = {
        "user_id": lambda i: account_service.get_user(
            db.session, org_id=current.org_id, user_id=i
        ),
        "course_id": lambda i: course_service.get_course(
            db.session, org_id=current.org_id, course_id=i
        ),
        "enrollment_id": lambda i: enrollment_service.get_enrollment(
            db.session, org_id=current.org_id, enrollment_id=i
        ),
        "group_id": lambda i: enrollment_service.get_group(
            db.session, org_id=current.org_id, group_id=i
        ),
        "package_id": lambda i: package_service.get_package(
            db.session, org_id=current.org_id, package_id=i
        ),
        "job_id": lambda i: package_service.get_job(
            db.session, org_id=current.org_id, job_id=i
        ),
        "registration_id": lambda i: registration_service.get_registration(
            db.session, actor=current, registration_id=i
        ),
        "rule_id": lambda i: enrollment_service.get_rule(
            db.session, org_id=current.org_id, rule_id=i
        ),
    }
    for name, value in (request.view_args or {}).items():
        getters[name](value)


def actor() -> Actor:
    return g.actor


def body(model: type[M]) -> M:
    """The JSON body validated as ``model``; 400 if it is not a JSON object."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise HubError(
            "the request body must be a JSON object (Content-Type: application/json)"
        )
    refuse_nul(nul_field(data))
    return model.model_validate(data)


def int_arg(name: str) -> int | None:
    """A query parameter holding a row id: 1 to ``MAX_ROW_ID``."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    number = parse_row_id(value)
    if number is None:
        raise ValidationError.for_field(
            name, f"must be a whole number from 1 to {MAX_ROW_ID}"
        )
    return number


def page_args() -> dict[str, Any]:
    raw = request.args.get("limit")
    if raw is None or raw == "":
        limit: int | None = current_app.config["HUB_SETTINGS"].api_page_size
    else:
        limit = parse_row_id(raw)
    if limit is None or limit > MAX_PAGE_SIZE:
        raise ValidationError.for_field(
            "limit", f"must be a whole number from 1 to {MAX_PAGE_SIZE}"
        )
    return {"limit": limit, "cursor": request.args.get("cursor") or None}


def one(obj: Any, model: type[BaseModel], status: int = 200) -> tuple[Response, int]:
    return jsonify(model.model_validate(obj).model_dump(mode="json")), status


def paged(page: Page[Any], model: type[BaseModel]) -> Response:
    return jsonify(
        {
            "data": [
                model.model_validate(item).model_dump(mode="json")
                for item in page.items
            ],
            "next_cursor": page.next_cursor,
        }
    )


from hub.web.api import (  # noqa: E402, F401
    courses,
    docs,
    enrollments,
    groups,
    packages,
    registrations,
    users,
)
