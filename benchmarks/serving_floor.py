"""The serving floors of ``runtime_bench.py --floor``: bare WSGI behind gunicorn.

A bare WSGI application, no Flask, no SQLAlchemy, no hub, over one psycopg connection
per gunicorn thread:

- ``POST /floor/<learner>`` reads the commit body, takes its ``seq`` and upserts the
  body into ``raw_commits`` as the raw baseline does. What it serves per second is
  the most any Python application under the same gunicorn can serve on this machine
  with the same requests.
- ``POST /storage-floor/<registration>/<attempt>`` does the database work of the
  hub's commit (``hub/services/commits.py``) and nothing else: in one transaction,
  the attempt's state read with the same joins and row locks, the batch's values
  set into it unchecked, the state written back. No authentication, no validation,
  no rollup. Its sequence numbers go under the tab "floor", so the hub's own ("bench")
  stay as the hub acknowledged them. What it serves per second is the most any
  application that stores the attempt's state as the hub does can serve.

Run only by the benchmark (it passes ``FLOOR_DATABASE_URL``).
"""

from __future__ import annotations

import json
import os
import threading

import psycopg
from psycopg.types.json import Json

_UPSERT = (
    "INSERT INTO raw_commits (learner, seq, body, updated_at) "
    "VALUES (%s, %s, %s, now()) ON CONFLICT (learner) DO UPDATE SET "
    "seq = excluded.seq, body = excluded.body, updated_at = now()"
)
# The joins and locks of the hub's read (hub/services/commits.py, _read_query).
_READ_STATE = (
    "SELECT a.state, c.runtime_settings, v.sha256, u.is_active, u.password_changed_at "
    "FROM sco_attempts a JOIN registrations r ON r.id = a.registration_id "
    "JOIN courses c ON c.id = r.course_id "
    "JOIN package_versions v ON v.id = r.package_version_id "
    "JOIN users u ON u.id = r.user_id "
    "WHERE a.id = %s AND a.registration_id = %s FOR UPDATE OF a, r"
)
_WRITE_STATE = "UPDATE sco_attempts SET state = %s, updated_at = now() WHERE id = %s"
_local = threading.local()


def _connection() -> psycopg.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(
            os.environ["FLOOR_DATABASE_URL"], autocommit=True, connect_timeout=10
        )
    return conn


def _answer(start_response, status: str, body: bytes):
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _store_state(registration_id: int, attempt_id: int, batch: dict) -> bool:
    conn = _connection()
    with conn.transaction():
        row = conn.execute(_READ_STATE, (attempt_id, registration_id)).fetchone()
        if row is None:
            return False
        state = row[0]
        state["cmi"].update(dict(batch["changes"]))
        state["seqs"]["floor"] = batch["seq"]
        conn.execute(_WRITE_STATE, (Json(state), attempt_id))
    return True


def app(environ, start_response):
    if environ["PATH_INFO"] == "/healthz":
        return _answer(start_response, "200 OK", b'{"status":"ok"}')
    parts = environ["PATH_INFO"].split("/")
    route = (environ["REQUEST_METHOD"], parts[1] if len(parts) > 1 else "", len(parts))
    if route not in (("POST", "floor", 3), ("POST", "storage-floor", 4)):
        return _answer(start_response, "404 Not Found", b'{"error":"not found"}')
    try:
        ids = [int(part) for part in parts[2:]]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        batch = json.loads(body)
        seq = batch["seq"]
    except (ValueError, KeyError, TypeError):
        return _answer(start_response, "400 Bad Request", b'{"error":"bad commit"}')
    if len(ids) == 1:
        _connection().execute(_UPSERT, (ids[0], seq, body.decode()))
    elif not _store_state(ids[0], ids[1], batch):
        return _answer(start_response, "404 Not Found", b'{"error":"no attempt"}')
    return _answer(start_response, "200 OK", b'{"ok":true,"errors":[]}')
