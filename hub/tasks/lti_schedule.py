"""Periodic LTI tasks that beat sends (``hub.extensions.beat_schedule``): tool key
rotation and the roster sync of every context, each idempotent."""

from celery import shared_task
from flask import current_app

from hub.extensions import db
from hub.services import lti_keys, lti_roster

#: The per-context roster task (``hub/tasks/lti.py``), queued by name.
SYNC_ROSTER_TASK = "hub.sync_lti_roster"


@shared_task(name="hub.rotate_lti_keys")
def rotate_lti_keys() -> str:
    """One safe rotation step, only once the active key is old enough (Security §6.3:
    a new key is published before it signs; the old one stays for the grace)."""
    schedule = current_app.config["HUB_SETTINGS"].schedule
    with db.transaction() as session:
        rotation = lti_keys.rotate_tool_keys(
            current_app.extensions["hub.lti"].keyring(session), schedule=schedule
        )
    return rotation.step.value


@shared_task(name="hub.sync_lti_rosters", bind=True)
def sync_lti_rosters(self) -> int:
    """Queue one roster sync per context with a course and a roster service."""
    with db.transaction() as session:
        targets = lti_roster.syncable_contexts(session)
    # By name, through this app's registry: an eager (embedded) app then runs each
    # sync in-process, where send_task would only drop it on the in-memory broker.
    if SYNC_ROSTER_TASK not in self.app.tasks:
        self.app.loader.import_default_modules()
    sync = self.app.tasks[SYNC_ROSTER_TASK]
    for org_id, context_pk in targets:
        sync.delay(org_id, context_pk)
    return len(targets)
