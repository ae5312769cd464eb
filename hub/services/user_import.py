"""Bulk user upsert from CSV files and API batches: validate every row, then write all
or (``partial``) only the good ones; report each problem by row, field and reason."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Any

import pydantic
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.errors import FieldError, HubError, ValidationError, fields_from_pydantic
from hub.models import User
from hub.schemas import GroupCreate, UserCreate, UserUpdate
from hub.services import accounts, enrollments

MAX_ROWS = 50_000
_CORE_COLUMNS = {
    "email",
    "given_name",
    "family_name",
    "role",
    "external_id",
    "is_active",
}
_SPECIAL_COLUMNS = {"groups", "password"}


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    """What happened to each row; ``applied`` is False when nothing was written."""

    total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def failed_rows(self) -> int:
        return len({e.row for e in self.errors})

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "failed_rows": self.failed_rows,
            "applied": self.applied,
            "errors": [e.__dict__ for e in self.errors],
        }


@dataclass(frozen=True)
class _Row:
    number: int
    data: dict[str, Any]
    groups: tuple[str, ...] = ()


def read_csv(stream: IO[bytes]) -> list[_Row]:
    """Parse a UTF-8 CSV with a header; raise a clear error for a malformed file."""
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError.for_field(
            "file", f"is not UTF-8 text (byte {exc.start})"
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ValidationError.for_field(
            "file", "is empty; the first line must be a header"
        ) from None
    except csv.Error as exc:
        raise ValidationError.for_field("file", f"is not valid CSV: {exc}") from exc
    if "email" not in header:
        raise ValidationError.for_field("file", "the header has no 'email' column")
    duplicates = {h for h in header if header.count(h) > 1}
    if duplicates:
        raise ValidationError.for_field(
            "file", f"duplicate columns: {', '.join(sorted(duplicates))}"
        )
    if "password" in header:
        raise ValidationError.for_field(
            "file",
            "a 'password' column is refused: passwords never travel in CSV files",
        )
    rows = []
    try:
        for cells in reader:
            if len(rows) >= MAX_ROWS:
                raise ValidationError.for_field(
                    "file", f"has more than {MAX_ROWS} rows"
                )
            if not any(c.strip() for c in cells):
                continue
            rows.append(_row_from_cells(reader.line_num, header, cells))
    except csv.Error as exc:
        raise ValidationError.for_field(
            "file", f"line {reader.line_num}: {exc}"
        ) from exc
    return rows


def _row_from_cells(number: int, header: list[str], cells: list[str]) -> _Row:
    if len(cells) > len(header):
        return _Row(
            number, {"__error__": f"has {len(cells)} cells for {len(header)} columns"}
        )
    values = dict(zip(header, (c.strip() for c in cells), strict=False))
    data: dict[str, Any] = {k: v for k, v in values.items() if k in _CORE_COLUMNS and v}
    if "is_active" in data:
        data["is_active"] = data["is_active"].lower() in (
            "1",
            "true",
            "yes",
            "y",
            "active",
        )
    attributes = {
        k: v
        for k, v in values.items()
        if k not in _CORE_COLUMNS | _SPECIAL_COLUMNS and v
    }
    if attributes:
        data["attributes"] = attributes
    groups = tuple(g.strip() for g in values.get("groups", "").split(";") if g.strip())
    return _Row(number, data, groups)


def import_users_csv(
    session: Session,
    *,
    org_id: int,
    stream: IO[bytes],
    partial: bool,
    settings: Settings,
) -> ImportReport:
    """Upsert users from a CSV file (see the README for its columns)."""
    return upsert_users(
        session,
        org_id=org_id,
        rows=read_csv(stream),
        partial=partial,
        settings=settings,
    )


def rows_from_dicts(items: list[dict[str, Any]]) -> list[_Row]:
    """API batches: each item numbered from 1, ``groups`` as a list of names."""
    rows = []
    for number, item in enumerate(items, start=1):
        data = dict(item)
        groups = data.pop("groups", None) or []
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            rows.append(_Row(number, {"__error__": "groups must be a list of names"}))
            continue
        rows.append(_Row(number, data, tuple(g.strip() for g in groups if g.strip())))
    return rows


def upsert_users(
    session: Session,
    *,
    org_id: int,
    rows: list[_Row],
    partial: bool,
    settings: Settings,
) -> ImportReport:
    """Validate all rows, then write them all, or only the good ones when ``partial``.

    Users are matched by ``external_id`` when given, else by email. A row that fails
    while writing is rolled back alone (a savepoint), so a partial import never leaves
    half a row behind.
    """
    report = ImportReport(total=len(rows))
    checked = _validate_rows(rows, report)
    if report.errors and not partial:
        return report
    outer = session.begin_nested()
    for row, payload in checked:
        if row.number in {e.row for e in report.errors}:
            continue
        savepoint = session.begin_nested()
        try:
            created = _write_row(
                session, org_id=org_id, row=row, payload=payload, settings=settings
            )
        except HubError as exc:
            savepoint.rollback()
            report.errors.extend(_row_errors(row.number, exc.fields, exc.message))
            continue
        savepoint.commit()
        report.created += created
        report.updated += not created
    if report.errors and not partial:
        outer.rollback()
        report.created = report.updated = 0
        return report
    outer.commit()
    report.applied = True
    return report


def _row_errors(number: int, fields: list[FieldError], message: str) -> list[RowError]:
    if not fields:
        return [RowError(number, "row", message)]
    return [RowError(number, f.field, f.message) for f in fields]


def _validate_rows(
    rows: list[_Row], report: ImportReport
) -> list[tuple[_Row, UserCreate]]:
    seen_emails: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    checked = []
    for row in rows:
        if "__error__" in row.data:
            report.errors.append(RowError(row.number, "row", row.data["__error__"]))
            continue
        try:
            payload = UserCreate.model_validate(row.data)
            for name in row.groups:
                GroupCreate(name=name)
        except pydantic.ValidationError as exc:
            report.errors.extend(_row_errors(row.number, fields_from_pydantic(exc), ""))
            continue
        for key, seen, value in (
            ("email", seen_emails, payload.email),
            ("external_id", seen_ids, payload.external_id),
        ):
            if value and value in seen:
                report.errors.append(
                    RowError(
                        row.number, key, f"'{value}' also appears on row {seen[value]}"
                    )
                )
            elif value:
                seen[value] = row.number
        checked.append((row, payload))
    return checked


def _write_row(
    session: Session, *, org_id: int, row: _Row, payload: UserCreate, settings: Settings
) -> bool:
    existing: User | None = None
    if payload.external_id:
        existing = accounts.find_user_by_external_id(
            session, org_id=org_id, external_id=payload.external_id
        )
    if existing is None:
        existing = accounts.find_user_by_email(
            session, org_id=org_id, email=payload.email
        )
    if existing is None:
        user = accounts.create_user(
            session, org_id=org_id, data=payload, settings=settings
        )
    else:
        sent = payload.model_dump(include=set(row.data), exclude={"password"})
        if "attributes" in sent:
            sent["attributes"] = {**(existing.attributes or {}), **sent["attributes"]}
        user = accounts.update_user(
            session,
            org_id=org_id,
            user_id=existing.id,
            data=UserUpdate.model_validate(sent),
            settings=settings,
        )
    for name in row.groups:
        group = enrollments.find_group(session, org_id=org_id, name=name) or (
            enrollments.create_group(
                session, org_id=org_id, data=GroupCreate(name=name)
            )
        )
        enrollments.add_group_member(
            session, org_id=org_id, group_id=group.id, user_id=user.id
        )
    return existing is None
