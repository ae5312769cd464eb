"""Mail delivery task."""

from celery import shared_task
from flask import current_app

from hub.services.mail import deliver


@shared_task(name="hub.send_email")
def send_email(to: str, subject: str, body: str) -> None:
    deliver(current_app.config["HUB_SETTINGS"], to=to, subject=subject, body=body)
