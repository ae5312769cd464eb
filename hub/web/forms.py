"""Server-rendered forms: parse into the shared pydantic inputs, re-render on errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import pydantic
from werkzeug.datastructures import MultiDict

from hub.db import parse_row_id
from hub.errors import HubError, ValidationError, fields_from_pydantic
from hub.extensions import db

M = TypeVar("M", bound=pydantic.BaseModel)


def parse_attributes(text: str) -> dict[str, str]:
    """``key=value`` lines (from a textarea) into a dict; blank lines are ignored."""
    attributes: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValidationError.for_field(
                "attributes", f"line {number}: write one key=value per line"
            )
        attributes[key.strip().lower()] = value.strip()
    return attributes


class FormState:
    """Submitted values and field errors of one form, for re-rendering it."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        self.values: dict[str, Any] = dict(values or {})
        self.errors: dict[str, str] = {}
        self.message: str | None = None
        self.status = 200

    @classmethod
    def from_request(cls, form: MultiDict[str, str]) -> FormState:
        return cls({key: form.get(key) for key in form})

    def get(self, name: str, default: Any = "") -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def integer(self, name: str) -> int:
        """A positive whole number field (an id from a picker), or a field error."""
        value = parse_row_id(str(self.get(name)))
        if value is None:
            raise ValidationError.for_field(name, "choose one from the list")
        return value

    def parse(
        self, model: type[M], *, checkboxes: tuple[str, ...] = (), **extra: Any
    ) -> M:
        """Validate the submitted values; empty optional fields count as not sent."""
        data: dict[str, Any] = {
            key: value
            for key, value in self.values.items()
            if key in model.model_fields and value not in ("", None)
        }
        for name in checkboxes:
            data[name] = self.values.get(name) in ("on", "true", "1", True)
        data.update(extra)
        return model.model_validate(data)

    @contextmanager
    def handling(self) -> Iterator[None]:
        """Turn validation and domain errors inside the block into form errors."""
        try:
            yield
        except pydantic.ValidationError as exc:
            errors: dict[str, str] = {}
            for error in fields_from_pydantic(exc):
                # A nested problem ("attributes.cost center") shows on its form field.
                name, _, rest = error.field.partition(".")
                if name == "runtime_settings" and rest:
                    # Flat form fields "rt_<setting>" carry the nested settings.
                    name, rest = f"rt_{rest.split('.')[0]}", ""
                errors[name] = f"{rest}: {error.message}" if rest else error.message
            self._fail(422, "Please correct the marked fields.", errors)
        except HubError as exc:
            self._fail(
                exc.status, exc.message, {f.field: f.message for f in exc.fields}
            )

    def _fail(self, status: int, message: str, errors: dict[str, str]) -> None:
        db.mark_rollback()
        self.status = status
        self.message = message
        self.errors.update(errors)
