"""Package import task."""

from typing import Any

from celery import shared_task
from flask import current_app

from hub.extensions import HubTask, db
from hub.services import packages


class ImportTask(HubTask):
    """Marks the job failed once Celery gives up on it, so no one polls forever."""

    abstract = True

    def on_failure(
        self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        with self.app.flask_app.app_context(), db.transaction() as session:  # type: ignore[attr-defined]
            packages.fail_job(session, job_id=args[0], message=f"import failed: {exc}")


@shared_task(name="hub.import_package", base=ImportTask)
def import_package(job_id: str) -> None:
    packages.run_import(
        job_id=job_id,
        transaction=db.transaction,
        storage=current_app.extensions["hub.storage"],
        settings=current_app.config["HUB_SETTINGS"],
    )
