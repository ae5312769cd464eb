"""Time types: CMITimespan/CMITime (RTE 1.2 §3.4.3) and ISO 8601 durations/timestamps.

SCORM 2004 ``timeinterval (second,10,2)`` is an ISO 8601 duration and
``time (second,10,0)`` an ISO 8601 timestamp (RTE 4th ed. §4.1.1.6/§4.1.1.7).
Durations are handled as integer centiseconds, the precision both books require.
"""

import re

# RTE 1.2 §3.4.3: CMITimespan HHHH:MM:SS.SS (hours 2-4 digits, 0-2 decimals).
CMI_TIMESPAN_RE = r"^[0-9]{2,4}:[0-5][0-9]:[0-5][0-9](\.[0-9]{1,2})?$"
# Tolerated in lenient mode (authoring tools): 1-4 hour digits, any fraction digits.
CMI_TIMESPAN_TOLERANT_RE = r"^[0-9]{1,4}:[0-5][0-9]:[0-5][0-9](\.[0-9]+)?$"
# RTE 1.2 §3.4.3: CMITime HH:MM:SS.SS, a time of day.
CMI_TIME_RE = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,2})?$"
# RTE 4th ed. §4.1.1.7: P[yY][mM][dD][T[hH][nM][s[.s]S]]; "P" and "PT" alone are not
# durations, a "T" must be followed by a time component.
ISO_DURATION_RE = (
    r"^P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?"
    r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]{1,2})?S)?)?$"
)
ISO_DURATION_TOLERANT_RE = ISO_DURATION_RE.replace(r"{1,2}", "+")
# RTE 4th ed. §4.1.1.6: YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]], years 1970-2038; the
# fraction of a second has at most 2 digits and the TZD only follows it.
_TZD = r"(Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)"
_STAMP_DATE = (
    r"^(19[7-9][0-9]|20[0-2][0-9]|203[0-8])"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])"
    r"(T([01][0-9]|2[0-3])(:[0-5][0-9](:[0-5][0-9]"
)
ISO_TIMESTAMP_RE = _STAMP_DATE + r"(\.[0-9]{1,2}" + _TZD + r"?)?)?)?)?)?)?$"
# Tolerated in lenient mode: longer fractions, a TZD right after the seconds.
ISO_TIMESTAMP_TOLERANT_RE = _STAMP_DATE + r"(\.[0-9]+)?" + _TZD + r"?)?)?)?)?)?$"

_DURATION_PARTS = re.compile(
    r"^P(?:(?P<y>[0-9]+)Y)?(?:(?P<mo>[0-9]+)M)?(?:(?P<d>[0-9]+)D)?"
    r"(?:T(?:(?P<h>[0-9]+)H)?(?:(?P<mi>[0-9]+)M)?(?:(?P<s>[0-9]+(?:\.[0-9]+)?)S)?)?$"
)
# Calendar units have no fixed length; like most LMSs we count a year as 365 days and
# a month as 30 days (the book leaves the conversion to the implementation).
_MAX_TIMESPAN_CS = (9999 * 3600 + 59 * 60 + 59) * 100 + 99
_CS_PER = {
    "y": 365 * 86400 * 100,
    "mo": 30 * 86400 * 100,
    "d": 86400 * 100,
    "h": 3600 * 100,
    "mi": 60 * 100,
}


def is_timespan(value: str) -> bool:
    """Return whether ``value`` is a valid SCORM 1.2 CMITimespan."""
    return re.fullmatch(CMI_TIMESPAN_RE, value) is not None


def is_iso_duration(value: str) -> bool:
    """Return whether ``value`` is a valid SCORM 2004 timeinterval."""
    return re.fullmatch(ISO_DURATION_RE, value) is not None


def _seconds_to_cs(text: str) -> int:
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def parse_timespan(value: str) -> int:
    """Parse a CMITimespan into centiseconds (extra fraction digits are truncated).

    Args:
        value: ``HHHH:MM:SS.SS``, or the lenient form with 1-4 hour digits.

    Returns:
        The duration in hundredths of a second.

    Raises:
        ValueError: if ``value`` is not a CMITimespan.
    """
    if re.fullmatch(CMI_TIMESPAN_TOLERANT_RE, value) is None:
        raise ValueError(f"not a CMITimespan: {value!r}")
    hours, minutes, seconds = value.split(":")
    return (int(hours) * 3600 + int(minutes) * 60) * 100 + _seconds_to_cs(seconds)


def format_timespan(centiseconds: int) -> str:
    """Format centiseconds as a CMITimespan, capping hours at 9999 as RTE 1.2 allows."""
    centiseconds = max(0, min(centiseconds, _MAX_TIMESPAN_CS))
    seconds, cs = divmod(centiseconds, 100)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:04d}:{minutes:02d}:{secs:02d}.{cs:02d}"


def parse_iso_duration(value: str) -> int:
    """Parse an ISO 8601 duration (SCORM 2004 timeinterval) into centiseconds.

    Fraction digits beyond the book's two (a lenient-mode tolerance) are truncated.

    Raises:
        ValueError: if ``value`` is not a valid timeinterval.
    """
    match = _DURATION_PARTS.match(value)
    if match is None or re.fullmatch(ISO_DURATION_TOLERANT_RE, value) is None:
        raise ValueError(f"not an ISO 8601 duration: {value!r}")
    total = sum(int(match[key] or 0) * factor for key, factor in _CS_PER.items())
    return total + (_seconds_to_cs(match["s"]) if match["s"] else 0)


def format_iso_duration(centiseconds: int) -> str:
    """Format centiseconds as an ISO 8601 duration such as ``PT1H2M3.04S``."""
    seconds, cs = divmod(max(0, centiseconds), 100)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    fraction = f".{cs:02d}" if cs else ""
    return f"PT{hours}H{minutes}M{secs}{fraction}S"


def parse_duration(value: str) -> int:
    """Parse either time format (CMITimespan or ISO 8601) into centiseconds."""
    return parse_timespan(value) if ":" in value else parse_iso_duration(value)


def accumulate(total: str, session: str, *, iso: bool) -> str:
    """Add a session time to a total time (RTE 1.2 §3.4.4 cmi.core.total_time).

    Args:
        total: the total time so far (either format; empty counts as zero).
        session: the session time reported by the SCO (either format; may be empty).
        iso: format the result as an ISO 8601 duration (SCORM 2004) rather than a
            CMITimespan (SCORM 1.2).

    Returns:
        The new total time in the edition's format.
    """
    sum_cs = (parse_duration(total) if total else 0) + (
        parse_duration(session) if session else 0
    )
    return format_iso_duration(sum_cs) if iso else format_timespan(sum_cs)
