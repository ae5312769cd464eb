"""Users of an organization, their organization role and password-reset tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, enum_values, utcnow


class OrgRole(enum.StrEnum):
    """A user's role in their organization."""

    ADMIN = "admin"
    INSTRUCTOR = "instructor"
    LEARNER = "learner"


class User(Base):
    """A person in one organization (the same person in two organizations is two users)."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("org_id", "email"),
        UniqueConstraint("org_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    given_name: Mapped[str] = mapped_column(String(100), default="")
    family_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[OrgRole] = mapped_column(
        Enum(OrgRole, native_enum=False, length=20, values_callable=enum_values),
        default=OrgRole.LEARNER,
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    # An HR system's identifier, used to match users on bulk upserts.
    external_id: Mapped[str | None] = mapped_column(String(200))
    # Free-form attributes (department, location, ...) that enrollment rules match on.
    attributes: Mapped[dict[str, str]] = mapped_column(default=dict)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None]
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def display_name(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or self.email


class PasswordResetToken(Base):
    """A single-use, short-lived password reset token (stored hashed)."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_users_org_id_role", User.org_id, User.role)
