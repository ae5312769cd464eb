"""Interpreter of the data-model type specifications shared with the browser adapter.

A type spec is plain JSON (see :mod:`scorm_runtime.datamodel.types`); this module and
``hub/static/js/scorm-api.js`` interpret the same specs, so client and server accept and
reject exactly the same values. Regular expressions use the common subset of Python
``re`` and JavaScript (``u`` flag): no digit/space shorthands or ``.``, explicit
character classes only.
"""

import re
from functools import lru_cache

from .vocab import DEV_SPM_EXCEEDED, DEV_TOLERATED_FORMAT

Spec = dict
# (error condition or None, deviation or None)
Outcome = tuple[str | None, str | None]

OK: Outcome = (None, None)
_PREFIX_RE = r"^\{(case_matters|order_matters)=(true|false)\}"
_LANG_RE = r"^\{lang=([^}]*)\}"
LANGUAGE_RE = r"^(?:[a-zA-Z]{2,3}|[iIxX])(?:-[a-zA-Z0-9]{1,8})*$"


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def matches(pattern: str, value: str) -> bool:
    """Return whether ``value`` matches ``pattern`` as a whole (like JS ``^...$``)."""
    return _compiled(pattern).fullmatch(value) is not None


def _length(value: str, spec: Spec) -> Outcome:
    hard = spec.get("max", spec.get("spm"))
    if hard is not None and len(value) > hard:
        return ("spm_exceeded", None)
    if spec.get("spm") is not None and len(value) > spec["spm"]:
        return (None, DEV_SPM_EXCEEDED)
    return OK


def _real(value: str, spec: Spec) -> Outcome:
    if value == "" and spec.get("blank"):
        return OK
    if not matches(spec["re"], value):
        return ("type_mismatch", None)
    number = float(value)
    low, high = spec.get("min"), spec.get("max")
    if (low is not None and number < low) or (high is not None and number > high):
        return ("out_of_range", None)
    return OK


def _localized(value: str, spec: Spec) -> Outcome:
    status, value = _split_prefixes(value, spec.get("prefixes", []))
    if status is None:
        return ("type_mismatch", None)
    lang = _compiled(_LANG_RE).match(value)
    if lang is not None:
        if not matches(LANGUAGE_RE, lang.group(1)):
            return ("type_mismatch", None)
        value = value[lang.end() :]
    return _length(value, spec)


def _split_prefixes(value: str, allowed: list[str]) -> tuple[str | None, str]:
    """Strip the leading {case_matters=}/{order_matters=} delimiters (RTE 4th §4.2.9.1).

    Returns ``(None, rest)`` when a delimiter repeats; a delimiter the type does not
    define is literal text.
    """
    seen: set[str] = set()
    while (found := _compiled(_PREFIX_RE).match(value)) is not None:
        name = found.group(1)
        if name not in allowed:
            break  # not a delimiter of this type: the text starts here
        if name in seen:
            return (None, value)
        seen.add(name)
        value = value[found.end() :]
    return ("ok", value)


def _list(value: str, spec: Spec) -> Outcome:
    status, value = _split_prefixes(value, spec.get("prefixes", []))
    if status is None:
        return ("type_mismatch", None)
    if value == "" and spec.get("min", 1) == 0:
        return OK
    items = value.split(spec["sep"])
    if spec.get("unique") and len(set(items)) != len(items):
        return ("type_mismatch", None)
    outcome: Outcome = OK
    for item in items:
        error, deviation = validate(spec["item"], item)
        if error is not None:
            return (error, None)
        outcome = (None, outcome[1] or deviation)
    return _count_limits(len(items), spec, outcome)


def _count_limits(count: int, spec: Spec, outcome: Outcome) -> Outcome:
    if spec.get("max") is not None and count > spec["max"]:
        return ("spm_exceeded", None)
    if spec.get("spm") is not None and count > spec["spm"]:
        return (None, outcome[1] or DEV_SPM_EXCEEDED)
    return outcome


def _pair(value: str, spec: Spec) -> Outcome:
    left, sep, right = value.partition(spec["sep"])
    if not sep:
        return ("type_mismatch", None)
    if left == "" and spec.get("left_optional"):
        left_outcome = OK if right != "" else ("type_mismatch", None)
    else:
        left_outcome = validate(spec["left"], left)
    if left_outcome[0] is not None:
        return left_outcome
    right_outcome = validate(spec["right"], right)
    return (right_outcome[0], left_outcome[1] or right_outcome[1])


def _numrange(value: str, spec: Spec) -> Outcome:
    low, sep, high = value.partition("[:]")
    parts = [low, high] if sep else [low]
    for part in parts:
        if part != "" and not matches(spec["re"], part):
            return ("type_mismatch", None)
    if sep and low != "" and high != "" and float(low) > float(high):
        return ("type_mismatch", None)
    return OK


def _either(value: str, spec: Spec) -> Outcome:
    first: Outcome | None = None
    for option in spec["options"]:
        outcome = validate(option, value)
        if outcome[0] is None:
            return outcome
        first = first or outcome
    return first or ("type_mismatch", None)


def _strict(value: str, spec: Spec) -> Outcome:
    kind = spec["kind"]
    if kind == "string":
        return _length(value, spec)
    if kind == "regex":
        if not matches(spec["re"], value):
            return ("type_mismatch", None)
        return _length(value, spec)
    if kind == "vocab":
        return OK if value in spec["values"] else ("type_mismatch", None)
    handlers = {
        "real": _real,
        "localized": _localized,
        "list": _list,
        "pair": _pair,
        "numrange": _numrange,
        "either": _either,
    }
    return handlers[kind](value, spec)


def validate(spec: Spec, value: str) -> Outcome:
    """Validate ``value`` against a type spec.

    Args:
        spec: a JSON type specification.
        value: the characterstring a SCO passed to SetValue.

    Returns:
        ``(condition, deviation)``: ``condition`` is None when the value is accepted,
        otherwise an error condition of :data:`scorm_runtime.errors.CONDITIONS`;
        ``deviation`` names a tolerated departure from the book, if any.
    """
    outcome = _strict(value, spec)
    tolerance = spec.get("tolerate")
    if outcome[0] in ("type_mismatch", "out_of_range") and tolerance is not None:
        if _strict(value, tolerance["spec"])[0] is None:
            return (None, f"{DEV_TOLERATED_FORMAT}:{tolerance['name']}")
    return outcome
