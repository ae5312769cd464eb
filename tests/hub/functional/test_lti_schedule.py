"""The beat schedule (``hub.extensions.beat_schedule``) and its LTI jobs: key rotation
only when due with the old key kept for the grace period, the score sweeper, the
roster sync of every context; each run by name from its schedule entry, eagerly, and
(with HUB_TEST_BROKER_URL) by ``celery beat`` and a real worker."""

# The simulator fixtures are imported from test_lti_launch / test_lti_grades.
# ruff: noqa: F811

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.config import ScheduleSettings, Settings
from hub.db import make_engine, utcnow
from hub.extensions import beat_schedule
from hub.models import (
    DeliveryState,
    Enrollment,
    LtiContext,
    LtiScoreOutbox,
    LtiToolKey,
)
from lti import KeyStatus
from lti.keys import DEFAULT_GRACE, DEFAULT_PUBLISH_LEAD
from tests.factories import make_course, make_org
from tests.hub.conftest import TEST_SECRET
from tests.hub.functional.test_lti_grades import launched  # noqa: F401
from tests.hub.functional.test_lti_launch import (  # noqa: F401 - fixtures
    course,
    platform,
    register,
    sim,
    tool,
)
from tests.hub.functional.test_lti_roster import MEMBERS
from tests.hub.functional.test_worker import (  # noqa: F401 - fixtures
    BROKER_URL,
    worker_database,
)

ENTRIES = {
    "lti-key-rotation": "hub.rotate_lti_keys",
    "lti-score-sweep": "hub.sweep_lti_scores",
    "lti-roster-sync": "hub.sync_lti_rosters",
}


def run_entry(app, entry: str):
    """Send the task of a schedule entry by name, as beat does (eager: in-process)."""
    celery = app.extensions["celery"]
    celery.set_current()
    celery.loader.import_default_modules()
    task = celery.tasks[celery.conf.beat_schedule[entry]["task"]]
    return task.delay().get()


def test_lti_schedule_defaults_name_registered_tasks(app):
    celery = app.extensions["celery"]
    schedule = celery.conf.beat_schedule
    assert {name: entry["task"] for name, entry in schedule.items()} == ENTRIES
    assert schedule["lti-key-rotation"]["schedule"] == timedelta(hours=1)
    assert schedule["lti-score-sweep"]["schedule"] == timedelta(minutes=10)
    assert schedule["lti-roster-sync"]["schedule"] == timedelta(hours=24)
    # A queued run expires after one interval: no backlog after a worker outage.
    assert schedule["lti-score-sweep"]["options"] == {"expires": 600.0}
    celery.loader.import_default_modules()
    assert set(ENTRIES.values()) <= set(celery.tasks)
    # The rotation policy defaults to the library's (publish lead, grace).
    defaults = ScheduleSettings()
    assert timedelta(hours=defaults.key_publish_lead_hours) == DEFAULT_PUBLISH_LEAD
    assert timedelta(days=defaults.key_grace_days) == DEFAULT_GRACE


def test_lti_schedule_intervals_come_from_settings():
    schedule = beat_schedule(
        ScheduleSettings(
            key_rotation_every_hours=6,
            score_sweep_every_minutes=2.5,
            roster_sync_every_hours=0.5,
        )
    )
    assert schedule["lti-key-rotation"]["schedule"] == timedelta(hours=6)
    assert schedule["lti-score-sweep"]["schedule"] == timedelta(seconds=150)
    assert schedule["lti-roster-sync"]["schedule"] == timedelta(minutes=30)


@pytest.mark.parametrize("disabled", list(ENTRIES))
def test_lti_schedule_zero_interval_leaves_the_entry_out(disabled):
    field = {
        "lti-key-rotation": "key_rotation_every_hours",
        "lti-score-sweep": "score_sweep_every_minutes",
        "lti-roster-sync": "roster_sync_every_hours",
    }[disabled]
    schedule = beat_schedule(ScheduleSettings(**{field: 0}))
    assert set(schedule) == set(ENTRIES) - {disabled}


def test_lti_schedule_of_the_beat_entry_point_reads_the_environment(tmp_path):
    """``celery -A hub.worker beat`` loads this schedule from HUB_SCHEDULE__*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_INSTANCE_DIR=str(tmp_path),
        HUB_SECRET_KEY=TEST_SECRET,
        HUB_SCHEDULE__ROSTER_SYNC_EVERY_HOURS="6",
        HUB_SCHEDULE__SCORE_SWEEP_EVERY_MINUTES="0",
    )
    script = (
        "import json; from hub.worker import celery;"
        "print(json.dumps({k: [v['task'], v['schedule'].total_seconds()]"
        " for k, v in celery.conf.beat_schedule.items()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "lti-key-rotation": ["hub.rotate_lti_keys", 3600.0],
        "lti-roster-sync": ["hub.sync_lti_rosters", 6 * 3600.0],
    }


def test_lti_schedule_settings_from_environment(monkeypatch):
    monkeypatch.setenv("HUB_SCHEDULE__KEY_MAX_AGE_DAYS", "30")
    monkeypatch.setenv("HUB_SCHEDULE__KEY_ROTATION_EVERY_HOURS", "0")
    settings = Settings()
    assert settings.schedule.key_max_age_days == 30
    assert "lti-key-rotation" not in beat_schedule(settings.schedule)


# -- key rotation --------------------------------------------------------------------


def _age(session: Session, status: KeyStatus, **delta: float) -> None:
    """Move the keys with ``status`` back in time (the clock moves forward)."""
    session.execute(
        update(LtiToolKey)
        .where(LtiToolKey.status == status.value)
        .values(published_at=utcnow() - timedelta(**delta))
    )
    session.commit()


def _jwks_kids(web) -> list[str]:
    return [key["kid"] for key in web.client.get("/lti/jwks.json").json["keys"]]


def _keys(session: Session) -> dict[str, str]:
    session.expire_all()
    return {key.kid: key.status for key in session.scalars(select(LtiToolKey))}


def test_lti_scheduled_key_rotation_only_when_due_keeps_the_old_key(app, session, web):
    assert run_entry(app, "lti-key-rotation") == "created_first_key"
    (first,) = _keys(session)
    assert run_entry(app, "lti-key-rotation") == "waiting"  # young key: nothing due
    _age(session, KeyStatus.ACTIVE, days=89)
    assert run_entry(app, "lti-key-rotation") == "waiting"
    assert list(_keys(session)) == [first]

    _age(session, KeyStatus.ACTIVE, days=91)  # older than key_max_age_days
    assert run_entry(app, "lti-key-rotation") == "published_pending"
    (second,) = set(_keys(session)) - {first}
    assert _keys(session) == {first: "active", second: "pending"}
    assert _jwks_kids(web) == [first, second]  # published before it signs
    assert run_entry(app, "lti-key-rotation") == "waiting"  # the publish lead
    assert run_entry(app, "lti-key-rotation") == "waiting"  # idempotent

    _age(session, KeyStatus.PENDING, hours=25)
    assert run_entry(app, "lti-key-rotation") == "activated_pending"
    assert _keys(session) == {first: "retired", second: "active"}
    assert sorted(_jwks_kids(web)) == sorted([first, second])  # the grace period
    with app.app_context():
        keyring = app.extensions["hub.lti"].keyring(session)
        assert keyring.signing_key().kid == second
    retired = session.get(LtiToolKey, first)
    assert retired.retire_after - utcnow() > timedelta(days=6, hours=23)

    assert run_entry(app, "lti-key-rotation") == "waiting"  # the new key is young
    assert first in _keys(session)  # still within the grace period
    retired.retire_after = utcnow() - timedelta(seconds=1)
    session.commit()
    assert run_entry(app, "lti-key-rotation") == "waiting"
    assert _keys(session) == {second: "active"}  # pruned after the grace period
    assert _jwks_kids(web) == [second]


# -- score sweeper and roster sync ----------------------------------------------------


def test_lti_scheduled_score_sweep_delivers_pending_scores(app, session, sim, launched):
    sim.state.fail_scores = 1000  # an outage: the score stays pending
    launched.completion, launched.success = "completed", "passed"
    launched.score_scaled = 0.75
    session.commit()
    row = session.scalar(select(LtiScoreOutbox))
    session.refresh(row)
    assert row.state is DeliveryState.PENDING
    sim.state.fail_scores = 0  # the platform is back
    assert run_entry(app, "lti-score-sweep") == 1
    session.refresh(row)
    assert row.state is DeliveryState.DELIVERED
    (body,) = sim.state.scores.values()
    assert body["scoreGiven"] == 75


def test_lti_scheduled_roster_sync_fans_out_per_context(
    app, session, sim, org, launched
):
    sim.state.members = list(MEMBERS)
    context = session.scalar(select(LtiContext))
    assert run_entry(app, "lti-roster-sync") == 1  # one context, one sync queued
    session.expire_all()
    enrolled = session.scalars(select(Enrollment).order_by(Enrollment.id)).all()
    assert len(enrolled) == 3  # the launched learner and the two other members
    assert session.get(LtiContext, context.id).last_synced_at is not None


def test_lti_scheduled_roster_sync_skips_contexts_without_roster(
    app, session, sim, launched
):
    context = session.scalar(select(LtiContext))
    context.nrps_url = None  # the platform offered no NRPS in this context
    session.commit()
    sim.state.members = list(MEMBERS)
    assert run_entry(app, "lti-roster-sync") == 0
    assert len(session.scalars(select(Enrollment)).all()) == 1


# -- celery beat and a real worker (HUB_TEST_BROKER_URL) -----------------------------

ONE_SECOND_IN_HOURS = str(1 / 3600)


def _start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hub.worker", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output)  # noqa: T201 - pytest shows it when the test failed


@pytest.fixture
def beat_and_worker(worker_database, tmp_path):
    """``celery beat`` and a worker of the hub, with the LTI jobs due every second."""
    queue = f"hub-beat-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_DATABASE_URL=worker_database,
        HUB_BROKER_URL=BROKER_URL,
        HUB_TASK_QUEUE=queue,
        HUB_SECRET_KEY=TEST_SECRET,
        HUB_INSTANCE_DIR=str(tmp_path),
        HUB_SCHEDULE__KEY_ROTATION_EVERY_HOURS=ONE_SECOND_IN_HOURS,
        HUB_SCHEDULE__ROSTER_SYNC_EVERY_HOURS=ONE_SECOND_IN_HOURS,
        HUB_SCHEDULE__SCORE_SWEEP_EVERY_MINUTES="0",
    )
    worker = _start(
        env,
        "worker",
        f"--queues={queue}",
        "--pool=solo",
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
    )
    beat = _start(env, "beat", f"--schedule={tmp_path / 'beat-schedule'}")
    yield
    for process in (beat, worker):
        _stop(process)


def _arrange_context(url: str, sim) -> int:
    """A platform of the simulator and a context with a course and a roster."""
    engine = make_engine(url)
    with Session(engine) as session:
        org = make_org(session)
        platform = register(session, org, sim)
        course = make_course(session, org)
        context = LtiContext(
            org_id=org.id,
            platform_id=platform.id,
            context_id="ctx-1",
            course_id=course.id,
            nrps_url=sim.url + "/contexts/ctx-1/memberships",
        )
        session.add(context)
        session.commit()
        course_id = course.id
    engine.dispose()
    return course_id


@pytest.mark.broker
@pytest.mark.skipif(
    not BROKER_URL, reason="HUB_TEST_BROKER_URL is not set (CI sets it)"
)
def test_lti_beat_rotates_keys_and_syncs_rosters_through_a_worker(
    worker_database, sim, beat_and_worker
):
    sim.state.members = list(MEMBERS)
    course_id = _arrange_context(worker_database, sim)
    engine = make_engine(worker_database)

    # The platform trusts the keys the worker created (read here, not while the
    # worker, inside its transaction, asks the platform for a token).
    jwks: dict[str, list] = {"keys": []}
    sim.state.tool_jwks = lambda: jwks
    deadline = time.monotonic() + 90
    keys, enrolled = [], []
    while time.monotonic() < deadline and not (keys and len(enrolled) == 3):
        time.sleep(0.5)
        with Session(engine) as session:
            rows = session.execute(select(LtiToolKey.status, LtiToolKey.public_jwk))
            found = rows.all()
            keys = [status for status, _ in found]
            jwks["keys"] = [jwk for _, jwk in found]
            enrolled = session.scalars(
                select(Enrollment.id).where(Enrollment.course_id == course_id)
            ).all()
    engine.dispose()
    # Beat ran the rotation (the first key, then "waiting" every second: no new key
    # while it is young) and the roster fan-out, whose per-context sync enrolled all.
    assert keys == ["active"]
    assert len(enrolled) == 3
