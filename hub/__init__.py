"""Interop Hub: the Flask application shell (``create_app``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask

from hub.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app from ``settings`` (default: from ``HUB_*`` environment variables).

    No I/O happens at import time anywhere in ``hub``; everything is wired here, in
    one explicit order.
    """
    from hub import models  # noqa: F401, PLC0415 - register every model on Base
    from hub.errors import register_error_handlers  # noqa: PLC0415
    from hub.extensions import celery_init_app, csrf, db, limiter  # noqa: PLC0415
    from hub.services.storage import LocalStorage  # noqa: PLC0415
    from hub.web import register_blueprints  # noqa: PLC0415
    from hub.web.sessions import HubSessionInterface  # noqa: PLC0415

    settings = settings or Settings()
    app = Flask(__name__, instance_path=str(settings.instance_dir.resolve()))
    app.session_interface = HubSessionInterface()
    app.config.update(
        HUB_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        SESSION_COOKIE_NAME="hub_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.security.session_hours),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        RATELIMIT_STORAGE_URI=settings.rate_limit_storage_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        TESTING=settings.env == "testing",
    )
    if not settings.database_url:
        settings.instance_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    app.config["MAX_CONTENT_LENGTH"] = settings.imports.max_upload_mb * 1024 * 1024
    app.extensions["hub.storage"] = LocalStorage(settings.content_path)
    db.init_app(app, settings.sqlalchemy_url)
    csrf.init_app(app)
    limiter.init_app(app)
    celery_init_app(app, settings)
    register_error_handlers(app)
    register_blueprints(app)
    return app
