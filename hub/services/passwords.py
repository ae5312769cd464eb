"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.errors import ValidationError

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A throwaway hash, verified for unknown emails so that a sign-in takes as long
    for them as for real accounts (no account enumeration by timing). Made on first
    use, not at import: argon2 takes 64 MiB of memory for it."""
    return _hasher.hash("interop-hub-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; False for a wrong one or a user without one."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_policy(password: str, *, min_length: int, field: str = "password") -> None:
    """Reject passwords too short to resist guessing (NIST SP 800-63B §5.1.1.2)."""
    if len(password) < min_length:
        raise ValidationError.for_field(
            field, f"must be at least {min_length} characters"
        )
    if password.strip() == "":
        raise ValidationError.for_field(field, "must not be only spaces")
