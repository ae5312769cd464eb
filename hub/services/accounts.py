"""Users: create, update, deactivate, list, and the tenant-scoped lookups."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.db import utcnow
from hub.errors import ConflictError, FieldError, NotFoundError
from hub.models import OrgRole, User
from hub.schemas import UserCreate, UserUpdate
from hub.services import enrollments
from hub.services.pagination import Page, paginate
from hub.services.passwords import check_policy, hash_password


def get_user(session: Session, *, org_id: int, user_id: int) -> User:
    """The user with that id in this organization; 404 for any other organization's."""
    user = session.scalar(select(User).where(User.id == user_id, User.org_id == org_id))
    if user is None:
        raise NotFoundError(f"no user {user_id}")
    return user


def find_user_by_email(session: Session, *, org_id: int, email: str) -> User | None:
    return session.scalar(
        select(User).where(User.org_id == org_id, User.email == email.strip().lower())
    )


def find_user_by_external_id(
    session: Session, *, org_id: int, external_id: str
) -> User | None:
    return session.scalar(
        select(User).where(User.org_id == org_id, User.external_id == external_id)
    )


def _check_unique(
    session: Session,
    *,
    org_id: int,
    email: str | None,
    external_id: str | None,
    exclude_id: int | None = None,
) -> None:
    if email:
        other = find_user_by_email(session, org_id=org_id, email=email)
        if other is not None and other.id != exclude_id:
            raise ConflictError(
                f"a user with email '{email}' already exists",
                fields=[FieldError("email", "already in use")],
            )
    if external_id:
        other = find_user_by_external_id(
            session, org_id=org_id, external_id=external_id
        )
        if other is not None and other.id != exclude_id:
            raise ConflictError(
                f"a user with external_id '{external_id}' already exists",
                fields=[FieldError("external_id", "already in use")],
            )


def create_user(
    session: Session, *, org_id: int, data: UserCreate, settings: Settings
) -> User:
    """Create a user, then enroll them by every matching enrollment rule."""
    _check_unique(
        session, org_id=org_id, email=data.email, external_id=data.external_id
    )
    user = User(
        org_id=org_id,
        email=data.email,
        given_name=data.given_name,
        family_name=data.family_name,
        role=data.role,
        external_id=data.external_id or None,
        attributes=dict(data.attributes),
        is_active=data.is_active,
    )
    if data.password is not None:
        check_policy(data.password, min_length=settings.security.min_password_length)
        user.password_hash = hash_password(data.password)
        user.password_changed_at = utcnow()
    session.add(user)
    session.flush()
    enrollments.apply_rules_to_user(session, user=user)
    return user


def update_user(
    session: Session, *, org_id: int, user_id: int, data: UserUpdate, settings: Settings
) -> User:
    """Change the fields sent; attribute changes re-run the enrollment rules."""
    user = get_user(session, org_id=org_id, user_id=user_id)
    changes = data.model_dump(exclude_unset=True)
    _check_unique(
        session,
        org_id=org_id,
        email=changes.get("email"),
        external_id=changes.get("external_id"),
        exclude_id=user.id,
    )
    password = changes.pop("password", None)
    if password is not None:
        check_policy(password, min_length=settings.security.min_password_length)
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    for field, value in changes.items():
        if value is None and field != "external_id":
            continue  # null means "leave as is" for every required field
        setattr(user, field, value)
    session.flush()
    if user.is_active:
        enrollments.apply_rules_to_user(session, user=user)
    return user


def deactivate_user(session: Session, *, org_id: int, user_id: int) -> User:
    """Deactivate (never delete): tracking data and grades stay for reports."""
    user = get_user(session, org_id=org_id, user_id=user_id)
    user.is_active = False
    session.flush()
    return user


def list_users(
    session: Session,
    *,
    org_id: int,
    cursor: str | None = None,
    limit: int = 50,
    query: str | None = None,
    role: OrgRole | None = None,
) -> Page[User]:
    stmt = select(User).where(User.org_id == org_id)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if query:
        pattern = f"%{query.strip().lower()}%"
        stmt = stmt.where(
            or_(
                User.email.like(pattern),
                func.lower(User.given_name).like(pattern),
                func.lower(User.family_name).like(pattern),
            )
        )
    return paginate(session, stmt, id_column=User.id, cursor=cursor, limit=limit)
