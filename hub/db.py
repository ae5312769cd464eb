"""Database plumbing: the declarative base, engines, the request-scoped session and
``after_commit`` (warehouse ``db.py``; zulip ``send_event_on_commit``)."""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: The largest key an Integer column holds on PostgreSQL (int4). An id from a user
#: beyond it names no row, and the database would answer it with an error.
MAX_ROW_ID = 2**31 - 1


def parse_row_id(text: str) -> int | None:
    """``text`` (ASCII digits, blanks around allowed) as a row id in
    1..:data:`MAX_ROW_ID`, else None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ROW_ID else None


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite has no time zones; PostgreSQL's ``timestamptz`` does. This type makes both
    behave the same for the code above it.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return (
            value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        )


class Base(DeclarativeBase):
    """Declarative base for every model in ``hub/models``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        dict[str, str]: JSON(),
        list[Any]: JSON(),
    }


def enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    """Store enums by value (``"learner"``), not by Python name."""
    return [str(member.value) for member in enum_cls]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; hand BEGIN to SQLAlchemy
    # instead (the documented workaround, "Serializable isolation / Savepoints").
    dbapi_connection.isolation_level = None
    # WAL lets readers proceed while one writer commits; foreign keys are off by
    # default in SQLite and must be turned on per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout
    # instead of failing later with "database is locked" on upgrade from a read lock.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """Create an engine with the per-backend settings the hub relies on."""
    if url.startswith("sqlite"):
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if url in ("sqlite://", "sqlite+pysqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=20)
    event.listen(engine.pool, "checkin", _stamp_checkin)
    event.listen(engine.pool, "checkout", _idle_pinger(engine.dialect))
    return engine


#: A pooled connection idle longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 10.0
_IDLE_SINCE = "hub.idle_since"


def _stamp_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _idle_pinger(dialect: Dialect) -> Callable[[Any, Any, Any], None]:
    """A pool checkout listener: pessimistic disconnect handling, but only for
    connections that sat idle.

    ``pool_pre_ping`` costs a round trip on every checkout, that is on every request;
    a connection used a moment ago is alive (HikariCP's ``aliveBypassWindowMs`` makes
    the same bet). One idle for a while may have been closed by the server, a
    restart or a proxy: it is pinged, and a dead one is replaced (SQLAlchemy
    "Disconnect Handling - Pessimistic": a checkout listener raising
    ``DisconnectionError``). A connection that dies in use fails that request once
    and is invalidated with the rest of the pool.
    """

    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(str(error)) from error
        if not alive:
            raise exc.DisconnectionError("the database did not answer a ping")

    return ping_if_idle


# -- after_commit: nothing leaves the process for a rolled-back transaction ----------

_CALLBACKS_KEY = "hub.after_commit"


def after_commit(session: Session, callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the session's current transaction has committed.

    Used for Celery enqueues and outgoing mail, so that nothing is sent for work that
    is then rolled back (warehouse ``tasks.py:apply_async``).
    """
    if not session.in_transaction():
        # Tie the callback to a transaction, so that a rollback discards it.
        session.begin()
    session.info.setdefault(_CALLBACKS_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(_CALLBACKS_KEY, [])
    for callback in callbacks:
        # The transaction is committed: a failing effect must not make the caller
        # believe otherwise (tasks retry and record their own failures).
        try:
            callback()
        except Exception:
            log.exception("an after-commit effect failed")


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, _previous: Any) -> None:
    session.info.pop(_CALLBACKS_KEY, None)


@dataclass
class DatabaseState:
    """One app's engine and session factory (kept in ``app.extensions``)."""

    engine: Engine
    session_factory: sessionmaker[Session]


class Database:
    """The Flask extension: one engine per app, one session per request or task.

    State lives in ``app.extensions`` rather than on this object, so several apps (as
    in tests) never share an engine by accident.
    """

    def init_app(self, app: Flask, url: str) -> None:
        engine = make_engine(url)
        app.extensions["hub.db"] = DatabaseState(
            engine, sessionmaker(engine, expire_on_commit=False)
        )
        app.teardown_appcontext(self._close)

    @property
    def state(self) -> DatabaseState:
        return current_app.extensions["hub.db"]

    @property
    def engine(self) -> Engine:
        return self.state.engine

    @property
    def session(self) -> Session:
        """The session of the current request, task or CLI command."""
        if "hub_session" not in g:
            g.hub_session = self.state.session_factory()
        return g.hub_session

    def mark_rollback(self) -> None:
        """Make the current request end in a rollback (used by error handlers)."""
        g.hub_rollback = True

    def finish(self) -> None:
        """Commit the current unit of work, or roll it back if it was marked."""
        session: Session | None = g.get("hub_session")
        if session is None:
            return
        if g.pop("hub_rollback", False):
            session.rollback()
        else:
            session.commit()

    def _close(self, exc: BaseException | None) -> None:
        session: Session | None = g.pop("hub_session", None)
        if session is None:
            return
        if exc is not None:
            session.rollback()
        session.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work outside a request (CLI, tasks): commit or roll back."""
        session = self.session
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
