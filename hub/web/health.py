"""Liveness (``/healthz``) and readiness (``/readyz``: database and broker reachable)."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from hub.extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


def _check_database() -> str | None:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("readiness: database unreachable: %s", exc)
        db.mark_rollback()
        return "unreachable"
    return None


def _check_broker() -> str | None:
    settings = current_app.config["HUB_SETTINGS"]
    if settings.embedded_tasks:
        return None
    celery_app = current_app.extensions["celery"]
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        log.warning("readiness: broker unreachable: %s", exc)
        return "unreachable"
    return None


@bp.get("/readyz")
def readyz():
    checks = {"database": _check_database() or "ok", "broker": _check_broker() or "ok"}
    if current_app.config["HUB_SETTINGS"].embedded_tasks:
        checks["broker"] = "embedded"
    ready = all(value in ("ok", "embedded") for value in checks.values())
    return jsonify({"status": "ready" if ready else "unavailable", "checks": checks}), (
        200 if ready else 503
    )
