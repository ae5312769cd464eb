"""Domain errors and their one mapping to HTTP (JSON under /api, pages elsewhere)."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

import pydantic
from flask import Flask, Response, jsonify, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from hub.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldError:
    """A problem with one input field (``field`` is a dotted path or ``row 3: email``)."""

    field: str
    message: str


class HubError(Exception):
    """Base of every error the hub reports to a user; carries status and a code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or []


class ValidationError(HubError):
    status = 422
    code = "validation_error"

    @classmethod
    def for_field(cls, field: str, message: str) -> ValidationError:
        return cls(f"{field}: {message}", fields=[FieldError(field, message)])


class AuthenticationRequiredError(HubError):
    status = 401
    code = "unauthorized"


class PermissionDeniedError(HubError):
    status = 403
    code = "forbidden"


class NotFoundError(HubError):
    status = 404
    code = "not_found"


class ConflictError(HubError):
    status = 409
    code = "conflict"


def fields_from_pydantic(exc: pydantic.ValidationError) -> list[FieldError]:
    """Translate pydantic's errors into our field errors, once, at the boundary."""
    fields = []
    for err in exc.errors(include_url=False):
        path = ".".join(str(part) for part in err["loc"]) or "body"
        fields.append(FieldError(path, err["msg"]))
    return fields


def _wants_json() -> bool:
    # The API, machine endpoints, and any client that speaks JSON (the player's
    # commits, the upload page's XHR) get JSON; browsers get a page.
    return (
        request.path.startswith(("/api/", "/healthz", "/readyz"))
        or request.accept_mimetypes.best == "application/json"
        or request.is_json
    )


def error_response(
    status: int, code: str, message: str, fields: list[FieldError] | None = None
) -> tuple[Response | str, int]:
    """Render an error in the one format of the API, or as a page for browsers."""
    db.mark_rollback()
    if _wants_json():
        body: dict[str, Any] = {"status": status, "code": code, "message": message}
        body["fields"] = [asdict(f) for f in fields or []]
        return jsonify({"error": body}), status
    page = render_template(
        "error.html", status=status, code=code, message=message, fields=fields or []
    )
    return page, status


def register_error_handlers(app: Flask) -> None:
    """Map every error to a response in one place; users never see a stack trace."""

    @app.errorhandler(HubError)
    def _hub_error(exc: HubError) -> Any:
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(pydantic.ValidationError)
    def _pydantic_error(exc: pydantic.ValidationError) -> Any:
        fields = fields_from_pydantic(exc)
        message = "; ".join(f"{f.field}: {f.message}" for f in fields)
        return error_response(422, "validation_error", message, fields)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Any:
        return error_response(
            400,
            "csrf_failed",
            "The form expired or was not sent from this site; "
            "reload the page and try again.",
        )

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(exc: RateLimitExceeded) -> Any:
        return error_response(
            429, "rate_limited", f"Too many requests ({exc.description}); try later."
        )

    @app.errorhandler(IntegrityError)
    def _integrity(exc: IntegrityError) -> Any:
        # Services check uniqueness first; this catches the race between two writers.
        log.warning("integrity error: %s", exc.orig)
        return error_response(
            409, "conflict", "The change conflicts with data saved meanwhile; retry."
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(
            500, "internal_error", "Something went wrong on our side; it was logged."
        )
