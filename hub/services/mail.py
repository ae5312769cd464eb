"""Outgoing mail: queued after commit, sent over SMTP, or logged in embedded mode."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy.orm import Session

from hub.config import Settings
from hub.db import after_commit

log = logging.getLogger(__name__)


def send_mail(session: Session, *, to: str, subject: str, body: str) -> None:
    """Queue a mail for delivery once the current transaction commits."""
    from hub.tasks.mail import send_email  # noqa: PLC0415 - tasks import services

    after_commit(session, lambda: send_email.delay(to, subject, body))


def deliver(settings: Settings, *, to: str, subject: str, body: str) -> None:
    """Send one mail now: SMTP when configured, otherwise write it to the log."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    smtp = settings.smtp
    if not smtp.host:
        log.info("mail (no SMTP configured) to %s: %s\n%s", to, subject, body)
        return
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        client.send_message(message)
