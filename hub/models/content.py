"""Imported content: packages, their immutable versions, and import jobs."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, enum_values, utcnow


class Package(Base):
    """A package as authors know it; its content lives in versions."""

    __tablename__ = "packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    standard: Mapped[str] = mapped_column(String(20))
    # The newest version; new registrations get it, existing ones keep theirs.
    latest_version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PackageVersion(Base):
    """One imported zip: immutable, stored under ``storage_key``."""

    __tablename__ = "package_versions"
    __table_args__ = (UniqueConstraint("package_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    package_id: Mapped[int] = mapped_column(
        ForeignKey("packages.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    standard: Mapped[str] = mapped_column(String(20))
    edition: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    file_count: Mapped[int] = mapped_column(default=0)
    total_size: Mapped[int] = mapped_column(default=0)
    # The first launchable unit's URL, relative to the version's root.
    launch_url: Mapped[str] = mapped_column(String(2000), default="")
    manifest: Mapped[dict[str, Any]] = mapped_column(default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ImportJob(Base):
    """An upload being validated and stored; its id is the public job id."""

    __tablename__ = "import_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, native_enum=False, length=20, values_callable=enum_values),
        default=JobState.PENDING,
    )
    percent: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(1000), default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    strict: Mapped[bool] = mapped_column(default=False)
    # Set when the upload is a new version of an existing package.
    package_id: Mapped[int | None] = mapped_column(
        ForeignKey("packages.id", ondelete="SET NULL")
    )
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("package_versions.id", ondelete="SET NULL")
    )
    upload_key: Mapped[str] = mapped_column(String(200), default="")
    report: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


Index("ix_import_jobs_org_id_created_at", ImportJob.org_id, ImportJob.created_at)
