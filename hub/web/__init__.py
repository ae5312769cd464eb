"""Flask blueprints and the request lifecycle (one transaction per request)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import NotFound

from hub.db import MAX_ROW_ID
from hub.errors import ValidationError
from hub.extensions import db
from hub.web.security import load_session_user


def _ids_name_rows(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Every ``<int:...>`` of the hub's routes names a row: a number past
    ``MAX_ROW_ID`` names none, so it is a 404 like any unknown id rather than an
    error from the database. (Checked once routed: a bounded converter would make
    werkzeug answer 405 when another method's rule matches the path.)"""
    if values and any(
        isinstance(value, int) and value > MAX_ROW_ID for value in values.values()
    ):
        raise NotFound()


NUL = "\x00"


def nul_field(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string in ``value`` (a JSON object, or a part
    of one at ``path``) that holds U+0000, or None."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        children: Any = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return None
    for key, item in children:
        found = nul_field(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def refuse_nul(field: str | None) -> None:
    """PostgreSQL text cannot hold U+0000: a field with one is refused by name
    rather than failing in the database."""
    if field is not None:
        raise ValidationError.for_field(
            field, "must not contain the NUL character (U+0000)"
        )


def _cap_request_body() -> None:
    """Uploads may be as large as ``HUB_IMPORTS__MAX_UPLOAD_MB``; every other body
    stops at ``HUB_SECURITY__MAX_REQUEST_MB`` (413)."""
    if request.mimetype != "multipart/form-data":
        settings = current_app.config["HUB_SETTINGS"]
        request.max_content_length = settings.security.max_request_mb * 1024 * 1024


#: The bodies werkzeug parses into ``request.form``; any other is left unread here
#: (reading ``request.form`` of a JSON commit cost some 3% of its CPU).
FORM_MIMETYPES = frozenset(("application/x-www-form-urlencoded", "multipart/form-data"))


def _refuse_nul_in_forms() -> None:
    sources = [request.args]
    if request.mimetype in FORM_MIMETYPES:
        sources.append(request.form)
    for source in sources:
        for name, value in source.items(multi=True):
            if NUL in value:
                refuse_nul(name)


def _finish_request(response: Response) -> Response:
    # One unit of work per request: commit what the view did, unless an error handler
    # marked it for rollback. Committing before the response leaves means a client
    # never sees success for data that was not saved.
    db.finish()
    return response


# Pages use no inline script; inline style attributes draw the progress bars.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if request.endpoint != "static":
        # Pages and API answers carry personal data: no shared or disk caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def register_blueprints(app: Flask) -> None:
    from hub.web import (  # noqa: PLC0415
        admin,
        api,
        auth,
        content,
        dashboard,
        health,
        lti,
        player,
    )

    app.url_value_preprocessor(_ids_name_rows)
    app.before_request(_cap_request_body)
    app.before_request(_refuse_nul_in_forms)
    app.before_request(load_session_user)
    app.after_request(_finish_request)
    app.after_request(_security_headers)
    app.context_processor(lambda: {"current_user": g.get("user")})
    for blueprint in (
        health.bp,
        content.bp,
        player.bp,
        auth.bp,
        dashboard.bp,
        admin.bp,
        api.bp,
        lti.bp,
    ):
        app.register_blueprint(blueprint)
