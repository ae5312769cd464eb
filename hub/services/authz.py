"""Who is acting, and the permission checks every service applies."""

from __future__ import annotations

from dataclasses import dataclass

from hub.errors import PermissionDeniedError
from hub.models import OrgRole


@dataclass(frozen=True)
class Actor:
    """The signed-in user or API key a request acts as; always inside one organization."""

    org_id: int
    role: OrgRole
    user_id: int | None = None
    api_key_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is OrgRole.ADMIN


def require_admin(actor: Actor) -> None:
    """Raise unless the actor administers its organization."""
    if not actor.is_admin:
        raise PermissionDeniedError("Only organization admins may do this.")


def require_staff(actor: Actor) -> None:
    """Raise unless the actor is an admin or an instructor."""
    if actor.role not in (OrgRole.ADMIN, OrgRole.INSTRUCTOR):
        raise PermissionDeniedError("Only instructors and admins may do this.")
