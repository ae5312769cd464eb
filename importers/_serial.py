"""JSON-ready conversion shared by the model dataclasses."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


class Serializable:
    """Mixin giving frozen dataclasses a recursive ``to_dict``."""

    def to_dict(self) -> dict[str, Any]:
        """Return this value and everything below it as JSON-ready data."""
        return _plain(self)
