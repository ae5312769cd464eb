"""``/api/v1/openapi.json``: the API described by its own routes."""

from __future__ import annotations

from flask import jsonify

from hub.web.api import bp, operation
from hub.web.api.schemas import ErrorOut, PageOut


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(
        operation.document(
            title="Interop Hub API",
            version="1.0.0",
            prefix="/api/v1",
            error_model=ErrorOut,
            page_model=PageOut,
        )
    )
