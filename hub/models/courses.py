"""Courses: catalog entries of an organization (their content arrives with packages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, utcnow


class Course(Base):
    """A catalog entry that learners are enrolled in."""

    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("org_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(default=True)
    is_archived: Mapped[bool] = mapped_column(default=False)
    # The package the course delivers (its newest version for new registrations).
    package_id: Mapped[int | None] = mapped_column(
        ForeignKey("packages.id", ondelete="RESTRICT"), index=True
    )
    # Attempts a learner may make on each SCO (None: unlimited).
    max_attempts: Mapped[int | None]
    # Open the player in a new window rather than in the page.
    launch_new_window: Mapped[bool] = mapped_column(default=False)
    # A SCO opened again after a finished attempt shows that attempt for review
    # (the learner may start a new one) instead of starting a new attempt at once.
    review_when_finished: Mapped[bool] = mapped_column(default=False)
    # How attempts make the course grade: highest, last, first or average.
    grading_method: Mapped[str] = mapped_column(String(20), default="highest")
    # scorm_runtime.CompatibilitySettings as a dict; empty means the lenient defaults.
    runtime_settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
