"""Fixtures for the hub: one database per test session (SQLite in memory, or the
PostgreSQL of ``HUB_TEST_DATABASE_URL``), one rolled-back transaction per test
(warehouse ``tests/conftest.py``)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

from hub import create_app
from hub.config import SecuritySettings, Settings
from hub.db import Base
from hub.extensions import limiter

TEST_SECRET = "test-secret-key-with-enough-length-0123456789"


def postgres_base_url() -> str | None:
    """HUB_TEST_DATABASE_URL with the psycopg driver, or None for SQLite."""
    url = os.environ.get("HUB_TEST_DATABASE_URL")
    if not url:
        return None
    return Settings(database_url=url).database_url


def create_postgres_database(name: str) -> str:
    """(Re)create database ``name`` next to HUB_TEST_DATABASE_URL and return its URL."""
    base = make_url(postgres_base_url())
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def migrate(url: str) -> None:
    from alembic import command

    from hub.migrations import alembic_config

    command.upgrade(alembic_config(url), "head")


@pytest.fixture(scope="session")
def database_url(worker_id: str) -> str:
    if postgres_base_url() is None:
        return "sqlite://"
    return create_postgres_database(f"hub_test_{worker_id}")


def make_settings(instance_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "testing",
        "secret_key": TEST_SECRET,
        "instance_dir": instance_dir,
        "security": SecuritySettings(login_rate_limit="1000 per minute"),
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    settings = make_settings(
        tmp_path_factory.mktemp("instance"), database_url=database_url
    )
    application = create_app(settings)
    if database_url.startswith("sqlite"):
        Base.metadata.create_all(application.extensions["hub.db"].engine)
    else:
        migrate(database_url)
    return application


@pytest.fixture
def connection(app: Flask) -> Iterator[Connection]:
    """A connection in an outer transaction that is rolled back after the test.

    The app's sessions join it through SAVEPOINTs, so a commit in a request commits
    only the savepoint and every test starts from an empty database.
    """
    state = app.extensions["hub.db"]
    conn = state.engine.connect()
    outer = conn.begin()
    original = state.session_factory
    state.session_factory = sessionmaker(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    limiter.reset()
    try:
        yield conn
    finally:
        state.session_factory = original
        outer.rollback()
        conn.close()


@pytest.fixture
def session(app: Flask, connection: Connection) -> Iterator[Session]:
    """A session for arranging data and calling services directly.

    No app context is held open: requests made by the test client must each get their
    own ``g``, as in production.
    """
    db_session = app.extensions["hub.db"].session_factory()
    yield db_session
    db_session.close()


@pytest.fixture
def settings(app: Flask) -> Settings:
    return app.config["HUB_SETTINGS"]


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class WebClient:
    """A browser-like test client: keeps cookies and sends the CSRF token on posts."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._token: str | None = None

    def get(self, url: str, **kwargs: object):
        return self.client.get(url, **kwargs)

    def token(self) -> str:
        if self._token is None:
            page = self.client.get("/login").get_data(as_text=True)
            if "csrf_token" not in page:
                page = self.client.get("/dashboard").get_data(as_text=True)
            match = _CSRF.search(page)
            assert match, "no CSRF token on the page"
            self._token = match.group(1)
        return self._token

    def post(self, url: str, data: dict | None = None, **kwargs: object):
        payload = {"csrf_token": self.token(), **(data or {})}
        response = self.client.post(url, data=payload, **kwargs)
        if url in ("/login", "/logout"):
            self._token = None  # a new session gets a new token
        return response

    def login(self, email: str, password: str, organization: str = ""):
        self._token = None
        return self.post(
            "/login",
            {"email": email, "password": password, "organization": organization},
        )


def recorded_statements(app: Flask, call):
    """Run ``call``; return its result and the (verb, first table) of each SQL
    statement it ran (SELECT, INSERT, UPDATE, DELETE, SAVEPOINT)."""
    engine = app.extensions["hub.db"].engine
    seen: list[tuple[str, str]] = []

    def record(_conn, _cursor, statement, *_args):
        verb = statement.split()[0].upper()
        table = re.search(r"(?:FROM|INTO|UPDATE|JOIN)\s+(\w+)", statement)
        if verb in {"SELECT", "INSERT", "UPDATE", "DELETE", "SAVEPOINT"}:
            seen.append((verb, table.group(1) if table else ""))

    event.listen(engine, "before_cursor_execute", record)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return result, seen


_PLAYER_BOOT = re.compile(
    r'<script type="application/json" id="player-boot">(.*?)</script>', re.S
)


def player_boot(page: str) -> dict:
    """The player page's boot data (launch URL, CSRF token, attempt keys)."""
    match = _PLAYER_BOOT.search(page)
    assert match, "no player boot data on the page"
    return json.loads(match.group(1))


def start_player(
    client: FlaskClient, url: str, *, leftovers: list | None = None, **kwargs: object
):
    """Open the player page at ``url`` and start its SCO as player.js does; returns
    the launch's response (its JSON has ``config`` and ``delivered``)."""
    page = client.get(url, **kwargs)
    assert page.status_code == 200, page.get_data(as_text=True)
    boot = player_boot(page.get_data(as_text=True))
    return client.post(
        boot["launchUrl"],
        json={
            "activity": boot["activity"],
            "leftovers": leftovers or [],
            "new_attempt": boot.get("newAttempt", False),
        },
        # Over https Flask-WTF also checks that the Referer is this site.
        headers={"X-CSRFToken": boot["csrfToken"], "Referer": page.request.url},
        **kwargs,
    )


@pytest.fixture
def web(app: Flask, connection: Connection) -> WebClient:
    return WebClient(app.test_client())


@pytest.fixture
def api(app: Flask, connection: Connection) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def org(session):
    """The organization most tests act in ("acme")."""
    from tests.factories import make_org

    return make_org(session, slug="acme")


@pytest.fixture
def admin_web(web: WebClient, session: Session, org, settings: Settings) -> WebClient:
    """A browser session signed in as an admin of ``org``."""
    from hub.models import OrgRole
    from tests.factories import PASSWORD, make_user

    make_user(
        session,
        org,
        settings=settings,
        email="admin@example.com",
        role=OrgRole.ADMIN,
        password=PASSWORD,
    )
    session.commit()
    assert web.login("admin@example.com", PASSWORD).status_code == 302
    return web
