"""Organizations (tenants)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import ConflictError, NotFoundError, ValidationError
from hub.models import Organization

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def create_organization(session: Session, *, slug: str, name: str) -> Organization:
    """Create a tenant; ``slug`` is its short name in URLs and at sign-in."""
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise ValidationError.for_field(
            "slug", "use 1-63 lowercase letters, digits or hyphens"
        )
    if not name.strip():
        raise ValidationError.for_field("name", "must not be empty")
    if session.scalar(select(Organization.id).where(Organization.slug == slug)):
        raise ConflictError(f"organization '{slug}' already exists")
    org = Organization(slug=slug, name=name.strip())
    session.add(org)
    session.flush()
    return org


def find_organization(session: Session, slug: str) -> Organization | None:
    return session.scalar(
        select(Organization).where(Organization.slug == slug.strip().lower())
    )


def get_organization(session: Session, slug: str) -> Organization:
    org = find_organization(session, slug)
    if org is None:
        raise NotFoundError(f"no organization '{slug}'")
    return org


def only_organization(session: Session) -> Organization | None:
    """The organization when the hub has exactly one (the sign-in form hides the field)."""
    orgs = list(session.scalars(select(Organization).limit(2)))
    return orgs[0] if len(orgs) == 1 else None
