"""Data types of the two books as JSON type specs (RTE 1.2 §3.4.3, RTE 4th ed. §4.1.1).

Each function returns a fresh spec, a plain dict that :mod:`scorm_runtime.validation`
and the browser adapter both interpret.
"""

from .. import timespan
from ..validation import LANGUAGE_RE, Spec

DECIMAL_RE = r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"
SINTEGER_RE = r"^[-+]?[0-9]+$"
# RTE 1.2 §3.4.3 CMIIdentifier: no white space or unprintable characters.
IDENTIFIER_12_RE = r"^[^\x00-\x20\x7f]{1,255}$"
# RTE 4th ed. §4.1.1.4 long/short_identifier_type: a URI; a URN needs "urn:NID:NSS".
IDENTIFIER_2004_RE = (
    r"^(?:(?![uU][rR][nN]:)[^\x00-\x20\x7f]+"
    r"|[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\x00-\x20\x7f]+)$"
)


def vocab(*values: str, tolerate: Spec | None = None) -> Spec:
    """A state (vocabulary) type."""
    spec: Spec = {"kind": "vocab", "values": list(values)}
    if tolerate is not None:
        spec["tolerate"] = tolerate
    return spec


def string(spm: int) -> Spec:
    """A characterstring / CMIString of ``spm`` characters."""
    return {"kind": "string", "spm": spm}


def real(low: float | None = None, high: float | None = None, *, blank=False) -> Spec:
    """A real number type (real(10,7), CMIDecimal); ``blank`` allows CMIBlank."""
    spec: Spec = {"kind": "real", "re": DECIMAL_RE, "min": low, "max": high}
    if blank:
        spec["blank"] = True
    return spec


def sinteger(low: int, high: int) -> Spec:
    """CMISInteger within a range (RTE 1.2 §3.4.3)."""
    return {"kind": "real", "re": SINTEGER_RE, "min": low, "max": high}


def _any_label(spm: int) -> Spec:
    """Any non-empty characterstring of at most ``spm`` characters."""
    return {"kind": "regex", "re": r"^[\s\S]+$", "spm": spm}


def identifier_12() -> Spec:
    """CMIIdentifier; lenient mode also takes labels with spaces (authoring tools)."""
    return {
        "kind": "regex",
        "re": IDENTIFIER_12_RE,
        "tolerate": {"name": "identifier", "spec": _any_label(255)},
    }


def identifier_2004(spm: int) -> Spec:
    """A long_identifier_type (SPM 4000) or short_identifier_type (SPM 250).

    Lenient mode also takes labels that are not URIs ("Question 1"), as some
    authoring tools write them.
    """
    return {
        "kind": "regex",
        "re": IDENTIFIER_2004_RE,
        "spm": spm,
        "tolerate": {"name": "identifier", "spec": _any_label(spm)},
    }


def localized(spm: int) -> Spec:
    """localized_string_type: optional ``{lang=...}`` then a characterstring."""
    return {"kind": "localized", "spm": spm}


def language() -> Spec:
    """language_type (RFC 3066), empty allowed."""
    return {
        "kind": "either",
        "options": [vocab(""), {"kind": "regex", "re": LANGUAGE_RE}],
    }


def _tolerant(strict_pattern: str, *tolerated: str) -> Spec:
    """A regex type that lenient mode widens to the ``tolerated`` patterns."""
    options = [{"kind": "regex", "re": pattern} for pattern in tolerated]
    return {
        "kind": "regex",
        "re": strict_pattern,
        "tolerate": {
            "name": "time-format",
            "spec": {"kind": "either", "options": options},
        },
    }


def timespan_12() -> Spec:
    """CMITimespan; lenient mode also takes looser digits and ISO 8601 durations.

    Some tools write 1-4 hour digits, longer fractions or the SCORM 2004 format.
    """
    return _tolerant(
        timespan.CMI_TIMESPAN_RE,
        timespan.CMI_TIMESPAN_TOLERANT_RE,
        timespan.ISO_DURATION_TOLERANT_RE,
    )


def time_12() -> Spec:
    """CMITime; lenient mode also takes longer fractions and ISO 8601 timestamps."""
    return _tolerant(
        timespan.CMI_TIME_RE,
        timespan.CMI_TIME_RE.replace(r"{1,2}", "+"),
        timespan.ISO_TIMESTAMP_TOLERANT_RE,
    )


def timeinterval() -> Spec:
    """A timeinterval (second,10,2); lenient mode takes longer second fractions."""
    return _tolerant(timespan.ISO_DURATION_RE, timespan.ISO_DURATION_TOLERANT_RE)


def timestamp() -> Spec:
    """A time (second,10,0); lenient mode takes longer second fractions."""
    return _tolerant(timespan.ISO_TIMESTAMP_RE, timespan.ISO_TIMESTAMP_TOLERANT_RE)


def interaction(role: str) -> Spec:
    """learner_response or correct_responses pattern, typed by the interaction type."""
    return {"kind": "interaction", "role": role}
