"""``hub lti rotate-keys`` run as an operator runs it (its own process, from cron) under
the schedule's key policy: a new key only once the signing key is old, signing only
after the publish lead, the old key in ``/lti/jwks.json`` for the grace period;
``--now`` for a suspected compromise; what it did on stdout; usage errors as Click's."""

# hub_env is a fixture imported from test_cli; pytest injects it by name.
# ruff: noqa: F811

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub import create_app
from hub.db import utcnow
from hub.models import LtiToolKey
from lti import KeyStatus
from tests.hub.conftest import make_settings
from tests.hub.functional.test_cli import hub_env, run  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def hub_app(hub_env) -> Iterator[Flask]:
    """An app over the command's database: the JWKS it serves, the keys to age."""
    app = create_app(
        make_settings(
            Path(hub_env["HUB_INSTANCE_DIR"]),
            database_url=hub_env.get("HUB_DATABASE_URL"),
        )
    )
    yield app
    app.extensions["hub.db"].engine.dispose()


@pytest.fixture
def keys_db(hub_app) -> Iterator[Session]:
    """A session on the command's database, which starts each test without keys."""
    session = hub_app.extensions["hub.db"].session_factory()
    session.execute(delete(LtiToolKey))
    session.commit()
    yield session
    session.close()


def rotate(hub_env, *args: str, **env: str) -> str:
    result = run(hub_env, "lti", "rotate-keys", *args, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def rewind(
    session: Session, status: KeyStatus, column: str = "published_at", **delta: float
) -> None:
    """Move the keys with ``status`` back in time (the clock moves forward)."""
    query = select(LtiToolKey).where(LtiToolKey.status == status.value)
    for key in session.scalars(query):
        setattr(key, column, getattr(key, column) - timedelta(**delta))
    session.commit()


def statuses(session: Session) -> dict[str, str]:
    found = {key.kid: key.status for key in session.scalars(select(LtiToolKey))}
    session.rollback()  # end the read: SQLite would lock the command out
    return found


def jwks_kids(app: Flask) -> set[str]:
    keys = app.test_client().get("/lti/jwks.json").json["keys"]
    return {key["kid"] for key in keys}


def signing_kid(app: Flask, session: Session) -> str:
    with app.app_context():
        kid = app.extensions["hub.lti"].keyring(session).signing_key().kid
    session.rollback()
    return kid


def printed_time(line: str) -> datetime:
    stamp = line.rsplit(" ", 3)[-3:-1]
    return datetime.fromisoformat("T".join(stamp) + "+00:00")


def first_key(hub_env, session: Session) -> str:
    out = rotate(hub_env)
    (kid,) = statuses(session)
    assert out.splitlines()[-1] == f"activated kid {kid}"
    return kid


def publish_second_key(hub_env, session: Session) -> tuple[str, str]:
    first = first_key(hub_env, session)
    rewind(session, KeyStatus.ACTIVE, days=91)  # older than key_max_age_days (90)
    out = rotate(hub_env)
    (second,) = set(statuses(session)) - {first}
    assert out.startswith(f"published kid {second}, signing from ")
    return first, second


def test_rotate_keys_run_again_and_again_does_nothing_until_due(hub_env, keys_db):
    first = first_key(hub_env, keys_db)
    for _ in range(2):  # cron: a young key is left alone
        out = rotate(hub_env)
        assert out.startswith("nothing due; next step at ")
        due = printed_time(out.strip())
        assert abs(due - (utcnow() + timedelta(days=90))) < timedelta(minutes=5)
    rewind(keys_db, KeyStatus.ACTIVE, days=89)
    assert rotate(hub_env).startswith("nothing due")
    assert statuses(keys_db) == {first: "active"}


def test_rotate_keys_twice_in_a_row_never_activates_before_the_lead(
    hub_env, keys_db, hub_app
):
    first, second = publish_second_key(hub_env, keys_db)
    for _ in range(2):
        out = rotate(hub_env)
        assert out.startswith("nothing due; next step at ")
        signs_from = printed_time(out.strip())
        assert signs_from - utcnow() > timedelta(hours=23, minutes=50)
    assert statuses(keys_db) == {first: "active", second: "pending"}
    assert signing_kid(hub_app, keys_db) == first
    assert jwks_kids(hub_app) == {first, second}  # published before it signs
    rewind(keys_db, KeyStatus.PENDING, hours=23)
    assert rotate(hub_env).startswith("nothing due")
    assert signing_kid(hub_app, keys_db) == first


def test_rotate_keys_after_the_lead_activates_and_keeps_the_old_key_for_the_grace(
    hub_env, keys_db, hub_app
):
    first, second = publish_second_key(hub_env, keys_db)
    rewind(keys_db, KeyStatus.PENDING, hours=25)  # past key_publish_lead_hours (24)
    activated, retired = rotate(hub_env).splitlines()
    assert activated == f"activated kid {second}"
    assert retired.startswith(f"retired kid {first}, in the JWKS until ")
    until = printed_time(retired)
    assert abs(until - (utcnow() + timedelta(days=7))) < timedelta(minutes=5)
    assert signing_kid(hub_app, keys_db) == second
    assert jwks_kids(hub_app) == {first, second}

    rewind(keys_db, KeyStatus.RETIRED, "retire_after", days=6, hours=23)
    assert rotate(hub_env).startswith("nothing due")
    assert jwks_kids(hub_app) == {first, second}  # still within the grace period
    rewind(keys_db, KeyStatus.RETIRED, "retire_after", hours=2)
    assert jwks_kids(hub_app) == {second}
    out = rotate(hub_env)
    assert out.strip() == f"removed kid {first} from the JWKS (grace period over)"
    assert statuses(keys_db) == {second: "active"}


def test_rotate_keys_now_signs_with_a_new_key_and_keeps_the_old_ones_published(
    hub_env, keys_db, hub_app
):
    first, pending = publish_second_key(hub_env, keys_db)
    lines = rotate(hub_env, "--now").splitlines()
    (new,) = set(statuses(keys_db)) - {first, pending}
    assert lines[0].startswith(f"published kid {new}, signing from ")
    assert abs(printed_time(lines[0]) - utcnow()) < timedelta(minutes=5)
    assert lines[1] == f"activated kid {new}"
    assert sorted(line.split(",")[0] for line in lines[2:]) == sorted(
        f"retired kid {kid}" for kid in (first, pending)
    )
    until = printed_time(lines[2])
    assert abs(until - (utcnow() + timedelta(days=7))) < timedelta(minutes=5)
    assert signing_kid(hub_app, keys_db) == new
    assert jwks_kids(hub_app) == {first, pending, new}
    # The pending key was stored with the suspect one: no later run may activate it.
    assert rotate(hub_env).startswith("nothing due")
    assert statuses(keys_db) == {first: "retired", pending: "retired", new: "active"}


def test_rotate_keys_policy_from_settings_and_options(hub_env, keys_db, hub_app):
    first = first_key(hub_env, keys_db)
    rewind(keys_db, KeyStatus.ACTIVE, days=31)
    assert rotate(hub_env).startswith("nothing due")
    assert rotate(hub_env, "--max-age-days", "30").startswith("published kid")
    rewind(keys_db, KeyStatus.PENDING, hours=2)
    out = rotate(hub_env, "--grace-days", "0", HUB_SCHEDULE__KEY_PUBLISH_LEAD_HOURS="1")
    assert out.splitlines()[1].startswith(f"retired kid {first}")
    assert first not in jwks_kids(hub_app)  # no grace asked for


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--grace-days", "-1"], "Invalid value for '--grace-days'"),
        (["--publish-lead-hours", "soon"], "Invalid value for '--publish-lead-hours'"),
        (["--max-age-days", "0"], "Invalid value for '--max-age-days'"),
        (["--now", "--publish-lead-hours", "1"], "--now rotates at once"),
        (["--now=yes"], "'--now' does not take a value"),
        (["--force"], "No such option '--force'"),
    ],
)
def test_rotate_keys_bad_options_are_usage_errors(hub_env, keys_db, args, match):
    result = run(hub_env, "lti", "rotate-keys", *args)
    assert result.returncode == 2
    assert match in result.stderr
    assert "Traceback" not in result.stderr
    assert statuses(keys_db) == {}
