"""LTI 1.3 objects: platforms, tool keys, launch state, identities, contexts, links
and the score outbox (LTI 1.3 core §3, AGS 2.0, NRPS 2.0).

Tenant rows (platforms and everything hanging off them) carry ``org_id``. The tool's
own infrastructure — its key pairs (one JWKS URL for the whole hub), single-use
nonces and short-lived launch state keyed by unguessable random ids — is shared by
every organization, because the platform reaches it before any organization is known.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Enum,
    Float,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, enum_values, utcnow


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=enum_values)


class PlatformOrigin(enum.StrEnum):
    """How the platform was registered."""

    MANUAL = "manual"
    DYNAMIC = "dynamic"


class Platform(Base):
    """One registration of the tool on a platform: an (issuer, client_id) pair."""

    __tablename__ = "lti_platforms"
    # The launch reaches the hub before any organization is known: (issuer,
    # client_id) must name exactly one platform row across all organizations.
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    jwks_url: Mapped[str] = mapped_column(String(1000))
    auth_audience: Mapped[str | None] = mapped_column(String(1000))
    deployment_ids: Mapped[list[Any]] = mapped_column(default=list)
    created_via: Mapped[PlatformOrigin] = mapped_column(
        _enum(PlatformOrigin), default=PlatformOrigin.MANUAL
    )
    # Link a launch to an existing hub user with the same (platform-verified) email.
    allow_account_linking: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LtiNonce(Base):
    """A consumed id_token nonce (Security §5.1.3 step 9), kept until it expires."""

    __tablename__ = "lti_nonces"

    nonce: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LtiLaunchData(Base):
    """Login state, pending and validated launches: short-lived, popped atomically."""

    __tablename__ = "lti_launch_data"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LtiToolKey(Base):
    """A tool RSA key pair; the private key only ever as Fernet ciphertext."""

    __tablename__ = "lti_tool_keys"

    kid: Mapped[str] = mapped_column(String(100), primary_key=True)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(default=dict)
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20))
    # Published in the JWKS from this instant on.
    published_at: Mapped[datetime]
    # For retired keys: when they leave the JWKS.
    retire_after: Mapped[datetime | None]


class LtiAccessToken(Base):
    """The newest OAuth 2 access token per platform client and scope set."""

    __tablename__ = "lti_access_tokens"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    access_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]


class LtiIdentity(Base):
    """A platform user (iss via the platform, ``sub``) and the hub user it is."""

    __tablename__ = "lti_identities"
    __table_args__ = (UniqueConstraint("platform_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_launch_at: Mapped[datetime | None]


class LtiContext(Base):
    """A platform course (context) and the services it offered at the last launch."""

    __tablename__ = "lti_contexts"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE")
    )
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(300), default="")
    label: Mapped[str] = mapped_column(String(100), default="")
    deployment_id: Mapped[str] = mapped_column(String(255), default="")
    # The hub course this context delivers when a link names none of its own.
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), index=True
    )
    # Service URLs come from the platform's launches, with no length limit: Text.
    lineitems_url: Mapped[str | None] = mapped_column(Text)
    ags_scopes: Mapped[list[Any]] = mapped_column(default=list)
    nrps_url: Mapped[str | None] = mapped_column(Text)
    nrps_differences_url: Mapped[str | None] = mapped_column(Text)
    last_synced_at: Mapped[datetime | None]
    last_sync_error: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LtiResourceLink(Base):
    """A placement of the tool in a context, bound to a hub course and a line item."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE")
    )
    context_pk: Mapped[int | None] = mapped_column(
        ForeignKey("lti_contexts.id", ondelete="CASCADE"), index=True
    )
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(300), default="")
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), index=True
    )
    # AGS §3.2: the line item of this link (from the launch's endpoint claim).
    line_item_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MembershipStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class LtiMembership(Base):
    """A hub user's membership of a context, from launches and roster syncs."""

    __tablename__ = "lti_memberships"
    __table_args__ = (UniqueConstraint("context_pk", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    context_pk: Mapped[int] = mapped_column(
        ForeignKey("lti_contexts.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    status: Mapped[MembershipStatus] = mapped_column(
        _enum(MembershipStatus), default=MembershipStatus.ACTIVE
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class LtiScoreOutbox(Base):
    """The newest score of one user for one line item, until the platform has it.

    One row per (resource link, user): a newer score replaces the pending one, so
    only the newest is ever sent (AGS §3.4 orders scores by timestamp anyway).
    """

    __tablename__ = "lti_score_outbox"
    __table_args__ = (UniqueConstraint("resource_link_pk", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE")
    )
    resource_link_pk: Mapped[int] = mapped_column(
        ForeignKey("lti_resource_links.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(255))
    score_given: Mapped[float | None] = mapped_column(Float)
    score_maximum: Mapped[float | None] = mapped_column(Float)
    activity_progress: Mapped[str] = mapped_column(String(20))
    grading_progress: Mapped[str] = mapped_column(String(20))
    score_timestamp: Mapped[datetime]
    state: Mapped[DeliveryState] = mapped_column(
        _enum(DeliveryState), default=DeliveryState.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(2000), default="")
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
