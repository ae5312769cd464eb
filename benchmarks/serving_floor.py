"""The serving floor of ``runtime_bench.py --floor``: the raw upsert behind gunicorn.

A bare WSGI application, no Flask, no SQLAlchemy, no hub: ``POST /floor/<learner>``
reads the commit body, takes its ``seq`` and upserts the body into ``raw_commits`` as
the raw baseline does, over one psycopg connection per gunicorn thread. What it serves
per second is the most any Python application under the same gunicorn can serve on
this machine with the same requests: the ceiling of the hub's commit rate.

Run only by the benchmark (it passes ``FLOOR_DATABASE_URL``).
"""

from __future__ import annotations

import json
import os
import threading

import psycopg

_UPSERT = (
    "INSERT INTO raw_commits (learner, seq, body, updated_at) "
    "VALUES (%s, %s, %s, now()) ON CONFLICT (learner) DO UPDATE SET "
    "seq = excluded.seq, body = excluded.body, updated_at = now()"
)
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


def app(environ, start_response):
    if environ["PATH_INFO"] == "/healthz":
        return _answer(start_response, "200 OK", b'{"status":"ok"}')
    parts = environ["PATH_INFO"].split("/")
    if environ["REQUEST_METHOD"] != "POST" or len(parts) != 3 or parts[1] != "floor":
        return _answer(start_response, "404 Not Found", b'{"error":"not found"}')
    try:
        learner = int(parts[2])
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        seq = json.loads(body)["seq"]
    except (ValueError, KeyError, TypeError):
        return _answer(start_response, "400 Bad Request", b'{"error":"bad commit"}')
    _connection().execute(_UPSERT, (learner, seq, body.decode()))
    return _answer(start_response, "200 OK", b'{"ok":true,"errors":[]}')
