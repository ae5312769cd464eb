"""One source of truth: the effective element definitions shared with the browser.

:func:`definitions` applies the compatibility settings to a data model and returns
plain JSON data; the server validates with exactly this data (``cmi.py``), and the
browser adapter ``hub/static/js/scorm-api.js`` loads the same JSON.
"""

import copy
import json
from functools import lru_cache

from . import vocab as v
from .compat import CompatibilitySettings
from .datamodel import model_for
from .errors import CONDITIONS, condition_code, error_strings
from .interactions import PATTERN_LIMITS_2004, interaction_specs
from .validation import Spec

_SIZED = ("string", "regex", "localized", "list")


def _limit(spec: Spec, version: str, path: str, settings: CompatibilitySettings):
    """The hard length limit of a sized spec under ``settings``."""
    spm = spec.get("spm")
    if spm is None or settings.strict or spec["kind"] == "list":
        return spm
    if version == v.SCORM_12:
        # Lenient 1.2 only stretches suspend_data; other lengths are CMIString types.
        return settings.suspend_data_limit_12 if path == "cmi.suspend_data" else spm
    return max(spm, settings.string_limit_2004)


def effective_spec(
    spec: Spec, version: str, path: str, settings: CompatibilitySettings
) -> Spec:
    """A copy of ``spec`` with hard limits and tolerances set for ``settings``."""
    spec = copy.deepcopy(spec)
    if spec["kind"] in _SIZED and spec.get("spm") is not None:
        spec["max"] = _limit(spec, version, path, settings)
        if spec["kind"] == "list" and not settings.strict:
            spec["max"] = None
    tolerance = spec.get("tolerate", {}).get("name")
    if not settings.tolerate_formats or (
        tolerance == "score-range" and not settings.scores_as_points_12
    ):
        spec.pop("tolerate", None)
    elif "tolerate" in spec:
        tolerated = spec["tolerate"]["spec"]
        spec["tolerate"]["spec"] = effective_spec(tolerated, version, path, settings)
    for key in ("item", "left", "right"):
        if key in spec:
            spec[key] = effective_spec(spec[key], version, path, settings)
    if "options" in spec:
        spec["options"] = [
            effective_spec(option, version, path, settings)
            for option in spec["options"]
        ]
    return spec


def _elements(version: str, settings: CompatibilitySettings) -> dict:
    model = model_for(version)
    return {
        element.path: {
            "access": element.access,
            "type": effective_spec(element.type, version, element.path, settings),
            "default": element.default,
            "requires": list(element.requires),
            "unique": element.unique,
            "immutable": element.immutable,
        }
        for element in model.elements
    }


def _collections(version: str, settings: CompatibilitySettings) -> dict:
    return {
        collection.path: {
            "children": collection.children,
            "spm": collection.spm,
            "max": collection.spm
            if settings.strict
            else max(collection.spm, settings.collection_limit),
            "creatable": collection.creatable,
        }
        for collection in model_for(version).collections
    }


def _interactions(version: str, settings: CompatibilitySettings) -> dict:
    specs = interaction_specs(version)
    path = "cmi.interactions.n.correct_responses.n.pattern"
    return {
        role: {
            kind: effective_spec(spec, version, path, settings)
            for kind, spec in by_type.items()
        }
        for role, by_type in specs.items()
    } | {"pattern_limits": PATTERN_LIMITS_2004 if version != v.SCORM_12 else {}}


@lru_cache(maxsize=64)
def definitions(version: str, settings: CompatibilitySettings | None = None) -> dict:
    """The effective definitions of ``version`` under ``settings`` (cached).

    Args:
        version: a value of ``vocab.VERSIONS``.
        settings: compatibility settings; the lenient defaults when None.

    Returns:
        A JSON-serializable dict: ``elements``, ``groups``, ``collections``,
        ``interactions``, ``errors``, ``conditions``, ``diagnostics``, ``settings``.
        Treat it as read-only: it is shared between callers.
    """
    settings = settings or CompatibilitySettings()
    model = model_for(version)
    return {
        "version": version,
        "version_value": model.version_value,
        "elements": _elements(version, settings),
        "groups": {group.path: group.children for group in model.groups},
        "collections": _collections(version, settings),
        "interactions": _interactions(version, settings),
        "errors": {str(code): text for code, text in error_strings(version).items()},
        "conditions": {name: condition_code(name, version) for name in CONDITIONS},
        "diagnostics": {name: entry[2] for name, entry in CONDITIONS.items()},
        "settings": settings.to_dict(),
    }


def definitions_json(
    version: str, settings: CompatibilitySettings | None = None
) -> str:
    """The effective definitions serialized as JSON, for the browser adapter.

    Args:
        version: a value of ``vocab.VERSIONS``.
        settings: compatibility settings; the lenient defaults when None.

    Returns:
        A compact JSON document (see :func:`definitions`).
    """
    return json.dumps(definitions(version, settings), separators=(",", ":"))
