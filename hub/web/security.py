"""The signed-in user of a browser session, and view decorators that require one."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, redirect, request, session, url_for

from hub.errors import PermissionDeniedError
from hub.extensions import db
from hub.models import OrgRole, User
from hub.services.authz import Actor
from hub.services.commits import SessionClaim
from hub.services.signin import password_version

F = TypeVar("F", bound=Callable[..., Any])


def sign_in(user: User) -> None:
    """Start a fresh browser session for ``user`` (a new session id: no fixation)."""
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["org"] = user.org_id
    session["pwv"] = password_version(user.password_changed_at)


def sign_out() -> None:
    session.clear()


def checks_own_session(view: F) -> F:
    """Mark a view that checks the session itself (with :func:`session_claim`, in the
    query it runs anyway): no user is loaded for it before the request. For the
    player's commits, the busiest endpoint, this saves a query per request."""
    view._hub_checks_own_session = True  # type: ignore[attr-defined]
    return view


def session_claim() -> SessionClaim | None:
    """Who the signed cookie says the session belongs to, unchecked (no query)."""
    uid, org = session.get("uid"), session.get("org")
    if not isinstance(uid, int) or not isinstance(org, int):
        return None
    return SessionClaim(uid, org, str(session.get("pwv", "")))


def load_session_user() -> None:
    """Before each request: resolve the session to an active user, or to nobody."""
    g.user = None
    g.actor = None
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "_hub_checks_own_session", False):
        return
    uid = session.get("uid")
    if uid is None:
        return
    user = db.session.get(User, uid)
    if (
        user is None
        or not user.is_active
        or user.org_id != session.get("org")
        or password_version(user.password_changed_at) != session.get("pwv")
    ):
        session.clear()
        return
    g.user = user
    g.actor = Actor(org_id=user.org_id, role=user.role, user_id=user.id)


def current_actor() -> Actor:
    actor = g.get("actor")
    assert actor is not None, "view is missing @login_required"
    return actor


def login_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def roles_required(*roles: OrgRole) -> Callable[[F], F]:
    """Require a signed-in user whose organization role is one of ``roles``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.get("user") is None:
                return redirect(
                    url_for("auth.login", next=request.full_path.rstrip("?"))
                )
            if g.user.role not in roles:
                raise PermissionDeniedError("Your role does not allow this page.")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


admin_required = roles_required(OrgRole.ADMIN)
staff_required = roles_required(OrgRole.ADMIN, OrgRole.INSTRUCTOR)
