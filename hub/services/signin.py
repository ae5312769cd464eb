"""Local sign-in with lockout after repeated failures, and password reset by token."""

from __future__ import annotations

import enum
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.db import utcnow
from hub.errors import ValidationError
from hub.models import PasswordResetToken, User
from hub.services import mail
from hub.services.accounts import find_user_by_email
from hub.services.organizations import find_organization
from hub.services.passwords import (
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)

log = logging.getLogger(__name__)


class LoginFailure(enum.StrEnum):
    """Why a sign-in failed; users only ever see one generic message for all of them."""

    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    failure: LoginFailure | None = None


def password_version(changed_at: datetime | None) -> str:
    """What a browser session remembers of the password it signed in with: changing
    the password ends every other session of the user."""
    return changed_at.isoformat() if changed_at else ""


def authenticate(
    session: Session, *, org_slug: str, email: str, password: str, settings: Settings
) -> LoginResult:
    """Check credentials; count failures and lock the account after too many.

    The caller commits the result either way, so failed attempts are recorded.
    """
    org = find_organization(session, org_slug) if org_slug else None
    user = find_user_by_email(session, org_id=org.id, email=email) if org else None
    if user is None:
        verify_password(None, password)  # same cost as a real check
        return LoginResult(None, LoginFailure.BAD_CREDENTIALS)
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, LoginFailure.LOCKED)
    if not verify_password(user.password_hash, password):
        user.failed_login_count += 1
        if user.failed_login_count >= settings.security.max_failed_logins:
            user.locked_until = now + timedelta(
                minutes=settings.security.lockout_minutes
            )
            user.failed_login_count = 0
            log.warning("account %s locked after repeated failed sign-ins", user.id)
        session.flush()
        return LoginResult(None, LoginFailure.BAD_CREDENTIALS)
    if not user.is_active:
        return LoginResult(None, LoginFailure.INACTIVE)
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    return LoginResult(user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(
    session: Session, *, org_slug: str, email: str, settings: Settings
) -> None:
    """Mail a reset link if the account exists; say nothing either way (no enumeration)."""
    org = find_organization(session, org_slug) if org_slug else None
    user = find_user_by_email(session, org_id=org.id, email=email) if org else None
    if user is None or not user.is_active:
        log.info("password reset asked for an unknown or inactive account")
        return
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            expires_at=utcnow()
            + timedelta(hours=settings.security.password_reset_hours),
        )
    )
    session.flush()
    link = f"{settings.base_url.rstrip('/')}/reset-password/{token}"
    mail.send_mail(
        session,
        to=user.email,
        subject="Reset your Interop Hub password",
        body=(
            f"Hello {user.display_name},\n\nTo choose a new password, open:\n{link}\n\n"
            f"The link works once and expires in {settings.security.password_reset_hours}"
            " hours. If you did not ask for it, ignore this mail.\n"
        ),
    )


def find_reset_token(session: Session, token: str) -> PasswordResetToken | None:
    """The unused, unexpired token row, or None."""
    row = session.scalar(
        select(PasswordResetToken).where(
            PasswordResetToken.token_hash == _token_hash(token)
        )
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def reset_password(
    session: Session, *, token: str, new_password: str, settings: Settings
) -> User:
    """Set a new password with a reset token; the token and all others die with it."""
    row = find_reset_token(session, token)
    if row is None:
        raise ValidationError.for_field(
            "token", "this reset link is invalid, used or expired; ask for a new one"
        )
    check_policy(new_password, min_length=settings.security.min_password_length)
    user = session.get_one(User, row.user_id)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_login_count = 0
    user.locked_until = None
    now = utcnow()
    for other in session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        other.used_at = now
    session.flush()
    return user
