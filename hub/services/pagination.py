"""Keyset (cursor) pagination over id-ordered queries: stable under concurrent inserts."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.errors import ValidationError

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the opaque cursor of the next (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(last_id: int) -> str:
    raw = json.dumps({"after": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id after which the next page starts; a clear error for a forged cursor."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after = data["after"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ValidationError.for_field(
            "cursor", "is not a cursor this API issued"
        ) from exc
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise ValidationError.for_field("cursor", "is not a cursor this API issued")
    return after


def paginate(
    session: Session,
    stmt: Select[Any],
    *,
    id_column: InstrumentedAttribute[int],
    cursor: str | None,
    limit: int,
) -> Page[Any]:
    """Run ``stmt`` ordered by ``id_column``, ``limit`` rows after ``cursor``."""
    if cursor:
        stmt = stmt.where(id_column > decode_cursor(cursor))
    rows = list(session.scalars(stmt.order_by(id_column).limit(limit + 1)))
    has_more = len(rows) > limit
    items = rows[:limit]
    next_cursor = encode_cursor(items[-1].id) if has_more and items else None
    return Page(items=items, next_cursor=next_cursor)


def page_of(
    session: Session,
    model: Any,
    *,
    org_id: int,
    cursor: str | None,
    limit: int,
    **equals: int | None,
) -> Page[Any]:
    """A page of ``model`` rows of one organization, filtered by the given columns
    (``course_id=3``); a filter given as None is not applied."""
    stmt = select(model).where(model.org_id == org_id)
    for column, value in equals.items():
        if value is not None:
            stmt = stmt.where(getattr(model, column) == value)
    return paginate(session, stmt, id_column=model.id, cursor=cursor, limit=limit)
