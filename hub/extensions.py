"""Extension instances and their setup, called in one explicit order by create_app."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import Celery, Task
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from hub.config import ScheduleSettings, Settings
from hub.db import Database

log = logging.getLogger(__name__)

db = Database()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class HubTask(Task):
    """Base of every task: runs in an app context with its own unit of work.

    The task body gets a fresh session and commits once; a failure rolls back and is
    retried with exponential backoff (the one place log-and-retry lives, warehouse
    ``WarehouseTask``).
    """

    abstract = True
    acks_late = True
    ignore_result = True
    autoretry_for = (OSError,)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.app.flask_app.app_context():  # type: ignore[attr-defined]
            return self.run(*args, **kwargs)


def beat_schedule(schedule: ScheduleSettings) -> dict[str, dict[str, Any]]:
    """The periodic jobs ``celery -A hub.worker beat`` sends, tasks named (not
    imported: this module is loaded before them); an interval of 0 leaves a job out.

    Each message expires after one interval, so a backlog built up while no worker
    ran is dropped instead of running the same idempotent job many times over.
    """
    intervals = {
        "lti-key-rotation": (
            "hub.rotate_lti_keys",
            timedelta(hours=schedule.key_rotation_every_hours),
        ),
        "lti-score-sweep": (
            "hub.sweep_lti_scores",
            timedelta(minutes=schedule.score_sweep_every_minutes),
        ),
        "lti-roster-sync": (
            "hub.sync_lti_rosters",
            timedelta(hours=schedule.roster_sync_every_hours),
        ),
    }
    return {
        entry: {
            "task": task,
            "schedule": every,
            "options": {"expires": every.total_seconds()},
        }
        for entry, (task, every) in intervals.items()
        if every > timedelta(0)
    }


def celery_init_app(app: Flask, settings: Settings) -> Celery:
    """Create the Celery app: in-process (eager) without a broker, Redis otherwise."""
    celery_app = Celery(app.name, task_cls=HubTask)
    config: dict[str, Any] = {
        "task_ignore_result": True,
        "task_acks_late": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "task_default_queue": settings.task_queue,
        "imports": (
            "hub.tasks.mail",
            "hub.tasks.enrollments",
            "hub.tasks.packages",
            "hub.tasks.lti",
            "hub.tasks.lti_schedule",
        ),
        "beat_schedule": beat_schedule(settings.schedule),
    }
    if settings.embedded_tasks:
        # Embedded mode: tasks run in-process when enqueued (after commit), no broker.
        config |= {
            "task_always_eager": True,
            "task_eager_propagates": True,
            "broker_url": "memory://localhost/",
        }
    else:
        config |= {
            "broker_url": settings.broker_url,
            "broker_transport_options": {"visibility_timeout": 3600},
        }
    celery_app.conf.update(config)
    celery_app.flask_app = app  # type: ignore[attr-defined]
    celery_app.set_default()
    # Tasks resolve their Celery app through "current": make it this app's in each
    # request, so that two Flask apps in one process never run each other's tasks.
    app.before_request(celery_app.set_current)
    app.extensions["celery"] = celery_app
    return celery_app
