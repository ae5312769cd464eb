"""Settings from ``HUB_*`` environment variables (``__`` nests), with embedded defaults."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The development default: good enough for a laptop, refused in production mode.
DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105


class Environment(StrEnum):
    """Where the hub runs; production turns on every safety check."""

    DEVELOPMENT = "development"
    TESTING = "testing"
    PRODUCTION = "production"


class SmtpSettings(BaseSettings):
    """Outgoing mail. With no host, mail is written to the log (embedded mode)."""

    host: str | None = None
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout_seconds: float = 10.0


class SecuritySettings(BaseSettings):
    """Sign-in hardening: lockout, rate limits, token lifetimes."""

    # Any request body but a multipart upload (JSON, forms): the player's largest,
    # the queue a closed page left on the device, stays within the browser's local
    # storage (a few MB); more only ties up a worker's memory.
    max_request_mb: int = Field(64, ge=1)
    max_failed_logins: int = Field(5, ge=1)
    lockout_minutes: int = Field(15, ge=1)
    login_rate_limit: str = "20 per minute"
    password_reset_hours: int = Field(2, ge=1)
    session_hours: int = Field(12, ge=1)
    min_password_length: int = Field(10, ge=8)


class ImportSettings(BaseSettings):
    """Caps on uploaded packages (zip bombs, oversized uploads)."""

    max_upload_mb: int = Field(2048, ge=1)
    max_entries: int = Field(20_000, ge=1)
    max_total_mb: int = Field(4096, ge=1)
    max_ratio: int = Field(200, ge=1)


class LtiSettings(BaseSettings):
    """The LTI 1.3 tool: key encryption, the name platforms show, dev allowances."""

    # Fernet key (urlsafe base64 of 32 bytes) encrypting the tool's private keys at
    # rest (HUB_LTI__KEY_ENCRYPTION_KEY). Derived from the secret key in development
    # and testing; production refuses to sign anything without it.
    key_encryption_key: str | None = None
    tool_title: str = "Interop Hub"
    tool_description: str = "Courses and tracking from Interop Hub"
    # Accept http:// platform URLs in dynamic registration (local platforms only).
    allow_insecure_platforms: bool = False
    # Issuers whose configuration is served from another origin (Canvas cloud).
    trusted_issuers: list[str] = Field(
        default_factory=lambda: ["https://canvas.instructure.com"]
    )


class ScheduleSettings(BaseSettings):
    """Periodic jobs that ``celery beat`` sends (scaled mode; ``HUB_SCHEDULE__*``).

    Each ``*_every_*`` value is the interval between two runs; 0 takes the job out of
    the schedule. The jobs are idempotent, so an interval only trades load for delay.
    """

    # Tool key rotation: how often beat checks, and the policy each check applies
    # (lti.rotate_keys: publish a new key once the active one is key_max_age_days
    # old, let it sign after key_publish_lead_hours, keep the old one in the JWKS
    # for key_grace_days). Checking hourly lets each step happen on time.
    key_rotation_every_hours: float = Field(1.0, ge=0)
    key_max_age_days: float = Field(90.0, gt=0)
    key_publish_lead_hours: float = Field(24.0, ge=0)
    key_grace_days: float = Field(7.0, ge=0)
    # The LTI score outbox sweeper: re-queues pending deliveries (after an outage).
    score_sweep_every_minutes: float = Field(10.0, ge=0)
    # NRPS roster sync of every LTI context with a course and a roster service.
    roster_sync_every_hours: float = Field(24.0, ge=0)


class Settings(BaseSettings):
    """Everything configurable; see the README's Configuration section."""

    model_config = SettingsConfigDict(
        env_prefix="HUB_", env_nested_delimiter="__", extra="ignore"
    )

    env: Environment = Environment.DEVELOPMENT
    secret_key: str = DEFAULT_SECRET_KEY
    instance_dir: Path = Path("instance")
    database_url: str | None = None
    broker_url: str | None = None
    task_queue: str = "hub"
    content_dir: Path | None = None
    base_url: str = "http://127.0.0.1:5000"
    mail_from: str = "Interop Hub <no-reply@localhost>"
    rate_limit_storage_url: str | None = None
    api_page_size: int = Field(50, ge=1, le=500)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    imports: ImportSettings = Field(default_factory=ImportSettings)
    lti: LtiSettings = Field(default_factory=LtiSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, value: str | None) -> str | None:
        # Operators write postgresql://; SQLAlchemy needs the driver (psycopg 3) named.
        if value and value.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Settings:
        if self.env is Environment.PRODUCTION:
            if not self.secret_key or self.secret_key == DEFAULT_SECRET_KEY:
                raise ValueError(
                    "HUB_SECRET_KEY must be set to a random value in production"
                )
            if len(self.secret_key) < 32:
                raise ValueError("HUB_SECRET_KEY must be at least 32 characters")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the instance folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.instance_dir / 'hub.db').resolve()}"

    @property
    def content_path(self) -> Path:
        """Where imported packages live (local storage)."""
        return (self.content_dir or self.instance_dir / "content").resolve()

    @property
    def embedded_tasks(self) -> bool:
        """No broker configured: Celery tasks run in-process."""
        return not self.broker_url

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION
