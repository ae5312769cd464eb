"""A real Celery worker on a real broker runs the hub's tasks (HUB_TEST_BROKER_URL)."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from celery import Celery
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db import make_engine
from hub.models import Enrollment, EnrollmentRule, RuleOperator
from tests.factories import make_course, make_org, make_user
from tests.hub.conftest import (
    TEST_SECRET,
    create_postgres_database,
    make_settings,
    migrate,
    postgres_base_url,
)

BROKER_URL = os.environ.get("HUB_TEST_BROKER_URL")

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not BROKER_URL, reason="HUB_TEST_BROKER_URL is not set (CI sets it)"
    ),
]


@pytest.fixture
def worker_database(tmp_path):
    if postgres_base_url() is None:
        url = f"sqlite:///{tmp_path / 'worker.db'}"
    else:
        url = create_postgres_database(f"hub_worker_{uuid.uuid4().hex[:8]}")
    migrate(url)
    return url


@pytest.fixture
def worker(worker_database, tmp_path):
    queue = f"hub-test-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_DATABASE_URL=worker_database,
        HUB_BROKER_URL=BROKER_URL,
        HUB_TASK_QUEUE=queue,
        HUB_SECRET_KEY=TEST_SECRET,
        HUB_INSTANCE_DIR=str(tmp_path),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hub",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    process.terminate()
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output)  # noqa: T201 - pytest shows it when the test failed


def test_worker_runs_enrollment_rule_task_from_the_broker(
    worker, worker_database, tmp_path
):
    settings = make_settings(tmp_path, database_url=worker_database)
    engine = make_engine(worker_database)
    with Session(engine) as session:
        org = make_org(session)
        user = make_user(
            session, org, settings=settings, attributes={"department": "Sales"}
        )
        course = make_course(session, org)
        # Inserted directly: the service would also enqueue, and this test sends the
        # task itself, by name, like any producer process.
        rule = EnrollmentRule(
            org_id=org.id,
            course_id=course.id,
            attribute="department",
            operator=RuleOperator.EQUALS,
            value="sales",
        )
        session.add(rule)
        session.commit()
        rule_id, user_id, course_id = rule.id, user.id, course.id

    producer = Celery(broker=BROKER_URL)
    producer.send_task("hub.apply_enrollment_rule", args=[rule_id], queue=worker)

    deadline = time.monotonic() + 60
    enrolled = []
    while time.monotonic() < deadline and not enrolled:
        with Session(engine) as session:
            enrolled = session.scalars(
                select(Enrollment.user_id).where(Enrollment.course_id == course_id)
            ).all()
        time.sleep(0.25)
    engine.dispose()
    assert enrolled == [user_id]
