"""Platform registrations of an organization: manual, dynamic, listing, lookup."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import NotFoundError
from hub.models import Platform, PlatformOrigin
from hub.services.lti_stores import SqlRegistrationStore
from lti import PlatformRegistration

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class PlatformIn(BaseModel):
    """A manual registration: the values the platform shows for the tool."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, StringConstraints(max_length=200)]
    issuer: Annotated[Text, StringConstraints(max_length=500)]
    client_id: Annotated[Text, StringConstraints(max_length=255)]
    auth_login_url: HttpUrl
    auth_token_url: HttpUrl
    jwks_url: HttpUrl
    auth_audience: Annotated[str, StringConstraints(max_length=1000)] | None = None
    deployment_ids: list[Annotated[Text, StringConstraints(max_length=255)]] = Field(
        default_factory=list, max_length=100
    )
    allow_account_linking: bool = False


def create_platform(session: Session, *, org_id: int, data: PlatformIn) -> Platform:
    """Register (or update) a platform by hand.

    Raises:
        ConflictError: The (issuer, client_id) belongs to another organization.
    """
    store = SqlRegistrationStore(
        session, org_id=org_id, created_via=PlatformOrigin.MANUAL, name=data.name
    )
    platform = store.save_platform(
        PlatformRegistration(
            issuer=data.issuer,
            client_id=data.client_id,
            auth_login_url=str(data.auth_login_url),
            auth_token_url=str(data.auth_token_url),
            jwks_url=str(data.jwks_url),
            deployment_ids=tuple(dict.fromkeys(data.deployment_ids)),
            auth_audience=data.auth_audience or None,
        )
    )
    platform.name = data.name
    platform.allow_account_linking = data.allow_account_linking
    session.flush()
    return platform


def save_dynamic_registration(
    session: Session, *, org_id: int, registration: PlatformRegistration
) -> Platform:
    """Store what Dynamic Registration returned (DR §3.6), keeping known deployments."""
    store = SqlRegistrationStore(
        session, org_id=org_id, created_via=PlatformOrigin.DYNAMIC
    )
    existing = store.find_platform(registration.issuer, registration.client_id)
    if existing is not None and existing.org_id == org_id:
        known = tuple(existing.deployment_ids or ())
        merged = tuple(dict.fromkeys((*known, *registration.deployment_ids)))
        registration = PlatformRegistration(
            **{**registration.__dict__, "deployment_ids": merged}
        )
    return store.save_platform(registration)


def list_platforms(session: Session, *, org_id: int) -> list[Platform]:
    return list(
        session.scalars(
            select(Platform).where(Platform.org_id == org_id).order_by(Platform.name)
        )
    )


def get_platform(session: Session, *, org_id: int, platform_id: int) -> Platform:
    """A platform of this organization; any other organization's is a 404."""
    platform = session.scalar(
        select(Platform).where(Platform.id == platform_id, Platform.org_id == org_id)
    )
    if platform is None:
        raise NotFoundError(f"no platform {platform_id}")
    return platform


def add_deployment(
    session: Session, *, org_id: int, platform_id: int, deployment_id: str
) -> Platform:
    """Register one more deployment id (core §3.1.3) on a platform."""
    platform = get_platform(session, org_id=org_id, platform_id=platform_id)
    ids = list(platform.deployment_ids or ())
    if deployment_id and deployment_id not in ids:
        platform.deployment_ids = [*ids, deployment_id]
    session.flush()
    return platform
