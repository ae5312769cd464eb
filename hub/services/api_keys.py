"""API keys: created once and shown once, stored as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db import utcnow
from hub.errors import AuthenticationRequiredError, NotFoundError, ValidationError
from hub.models import ApiKey, OrgRole
from hub.services.authz import Actor

KEY_PREFIX = "hubk"


@dataclass(frozen=True)
class NewApiKey:
    """A freshly created key: ``secret`` exists only here and is never stored."""

    key: ApiKey
    secret: str


def _hash(secret: str) -> str:
    # Keys carry 256 bits of randomness, so a fast hash is enough (no password hashing).
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(session: Session, *, org_id: int, name: str) -> NewApiKey:
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationError.for_field(
            "name", "give the key a name of 1-200 characters"
        )
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(org_id=org_id, name=name, prefix=prefix, key_hash=_hash(secret))
    session.add(key)
    session.flush()
    return NewApiKey(key=key, secret=secret)


def list_api_keys(session: Session, *, org_id: int) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey).where(ApiKey.org_id == org_id).order_by(ApiKey.id)
        )
    )


def revoke_api_key(session: Session, *, org_id: int, key_id: int) -> ApiKey:
    key = session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.org_id == org_id)
    )
    if key is None:
        raise NotFoundError(f"no API key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key


def authenticate_api_key(session: Session, secret: str) -> Actor:
    """The actor an ``Authorization: Bearer`` key stands for; 401 for anything else."""
    parts = secret.split("_", 2)  # the random part may itself contain "_"
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise AuthenticationRequiredError("the API key is malformed")
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not hmac.compare_digest(key.key_hash, _hash(secret)):
        raise AuthenticationRequiredError("the API key is not valid")
    if key.revoked_at is not None:
        raise AuthenticationRequiredError("the API key was revoked")
    now = utcnow()
    # Write at most once a minute: a busy integration should not write on every call.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        key.last_used_at = now
        session.flush()
    return Actor(org_id=key.org_id, role=OrgRole.ADMIN, api_key_id=key.id)
