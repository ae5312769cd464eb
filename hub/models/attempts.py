"""Registrations (one learner on one course), their SCO attempts and runtime events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, utcnow


class Registration(Base):
    """One learner on one course, pinned to the package version it started on."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    package_version_id: Mapped[int] = mapped_column(
        ForeignKey("package_versions.id", ondelete="RESTRICT"), index=True
    )
    # The rollup over the SCOs' latest attempts (scorm_runtime.rollup).
    completion: Mapped[str] = mapped_column(String(20), default="not attempted")
    success: Mapped[str] = mapped_column(String(20), default="unknown")
    score_scaled: Mapped[float | None] = mapped_column(Float)
    score_raw: Mapped[float | None] = mapped_column(Float)
    total_cs: Mapped[int] = mapped_column(default=0)
    last_activity_id: Mapped[str | None] = mapped_column(String(255))
    last_launched_at: Mapped[datetime | None]
    # Attempts granted on each SCO beyond the course's limit (staff, for this learner).
    extra_attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScoAttempt(Base):
    """One attempt on one SCO: its whole CMI state and the result drawn from it."""

    __tablename__ = "sco_attempts"
    __table_args__ = (UniqueConstraint("registration_id", "activity_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[str] = mapped_column(String(255))
    number: Mapped[int]
    version: Mapped[str] = mapped_column(String(20))
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Browser tabs whose sessions ended before the latest launch: their late batches
    # (a beacon, a queue re-sent by the next page) must not touch the new session.
    closed_tabs: Mapped[list[Any]] = mapped_column(default=list)
    completion: Mapped[str] = mapped_column(String(20), default="not attempted")
    success: Mapped[str] = mapped_column(String(20), default="unknown")
    score_scaled: Mapped[float | None] = mapped_column(Float)
    score_raw: Mapped[float | None] = mapped_column(Float)
    total_cs: Mapped[int] = mapped_column(default=0)
    credit: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RuntimeEvent(Base):
    """A deviation from the book or a refused value, kept per registration."""

    __tablename__ = "runtime_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("sco_attempts.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    element: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LaunchToken(Base):
    """A one-time, short-lived link that signs a learner in and opens the player."""

    __tablename__ = "launch_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # What the link opens: this SCO (else where the learner left), and a new attempt
    # where the course would show a finished one for review.
    activity_id: Mapped[str | None] = mapped_column(String(255))
    new_attempt: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
