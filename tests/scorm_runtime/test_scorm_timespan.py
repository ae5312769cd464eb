"""Time types: CMITimespan (RTE 1.2 §3.4.3) and ISO 8601 (RTE 4th ed. §4.1.1.6-7)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorm_runtime import timespan

VALID_TIMESPANS = ["00:00:00", "0000:00:00.00", "12:34:56.7", "9999:59:59.99"]
INVALID_TIMESPANS = [
    "0:00:00",
    "00:00:00.123",
    "00:60:00",
    "00:00:60",
    "00:00:00.123",
    "",
    "1:2:3",
]
VALID_DURATIONS = ["PT0S", "P1Y", "P1M2DT3H", "PT1H2M3.45S", "P0D", "PT10M", "PT1.5S"]
INVALID_DURATIONS = ["P", "PT", "P1DT", "PT1.234S", "1H", "PT-1S", "P1W", "pt1s", ""]
VALID_STAMPS = [
    "1970",
    "2038-01",
    "2024-02-29",
    "2024-02-29T10",
    "2024-02-29T10:11",
    "2024-02-29T10:11:12",
    "2024-02-29T10:11:12.5Z",
    "2024-02-29T10:11:12.05+01:00",
    "2024-02-29T10:11:12.5-0530",
]
# RTE 4th ed. §4.1.1.6 time (second,10,0): YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]]
# -- the TZD only follows a fraction of a second, of at most 2 digits.
INVALID_STAMPS = [
    "1969",
    "2039",
    "2024-13",
    "2024-01-32",
    "2024-01-01T24",
    "24-01-01",
    "2024-02-29T10:11:12Z",
    "2024-02-29T10:11:12+01:00",
    "2024-02-29T10:11Z",
    "2024-02-29T10:11:12.123",
]
# Lenient mode tolerates them (authoring tools), as a logged deviation.
TOLERATED_STAMPS = [
    "2024-02-29T10:11:12Z",
    "2024-02-29T10:11:12+01:00",
    "2024-02-29T10:11:12.123Z",
]


@pytest.mark.parametrize("value", VALID_TIMESPANS)
def test_is_timespan_valid_value_true(value):
    assert timespan.is_timespan(value)


@pytest.mark.parametrize("value", INVALID_TIMESPANS)
def test_is_timespan_invalid_value_false(value):
    assert not timespan.is_timespan(value)


@pytest.mark.parametrize("value", VALID_DURATIONS)
def test_is_iso_duration_valid_value_true(value):
    assert timespan.is_iso_duration(value)


@pytest.mark.parametrize("value", INVALID_DURATIONS)
def test_is_iso_duration_invalid_value_false(value):
    assert not timespan.is_iso_duration(value)


@pytest.mark.parametrize("value", VALID_STAMPS)
def test_timestamp_valid_value_matches(value):
    from scorm_runtime.validation import matches

    assert matches(timespan.ISO_TIMESTAMP_RE, value)


@pytest.mark.parametrize("value", INVALID_STAMPS)
def test_timestamp_invalid_value_rejected(value):
    from scorm_runtime.validation import matches

    assert not matches(timespan.ISO_TIMESTAMP_RE, value)


@pytest.mark.parametrize("value", TOLERATED_STAMPS)
def test_timestamp_tolerated_only_by_the_tolerant_pattern(value):
    from scorm_runtime.validation import matches

    assert not matches(timespan.ISO_TIMESTAMP_RE, value)
    assert matches(timespan.ISO_TIMESTAMP_TOLERANT_RE, value)


def test_parse_timespan_fraction_counts_centiseconds():
    assert timespan.parse_timespan("01:02:03.5") == (3723 * 100) + 50


def test_parse_timespan_invalid_raises():
    with pytest.raises(ValueError, match="CMITimespan"):
        timespan.parse_timespan("1:00")


def test_parse_iso_duration_calendar_units_use_fixed_lengths():
    assert (
        timespan.parse_iso_duration("P1Y1M1DT1H1M1.01S")
        == ((365 + 30 + 1) * 86400 + 3661) * 100 + 1
    )


def test_parse_iso_duration_invalid_raises():
    with pytest.raises(ValueError, match="ISO 8601"):
        timespan.parse_iso_duration("PT")


def test_format_timespan_caps_at_four_digit_hours():
    assert timespan.format_timespan(10**12) == "9999:59:59.99"
    assert timespan.format_timespan(-5) == "0000:00:00.00"


def test_format_iso_duration_whole_seconds_omits_fraction():
    assert timespan.format_iso_duration(366100) == "PT1H1M1S"
    assert timespan.format_iso_duration(366150) == "PT1H1M1.50S"


def test_accumulate_12_adds_session_to_total():
    assert timespan.accumulate("0001:00:00", "00:30:00.5", iso=False) == "0001:30:00.50"


def test_accumulate_2004_empty_session_keeps_total():
    assert timespan.accumulate("PT1H", "", iso=True) == "PT1H0M0S"
    assert timespan.accumulate("", "PT5S", iso=True) == "PT0H0M5S"


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=timespan._MAX_TIMESPAN_CS))
def test_timespan_round_trip_any_centiseconds_identity(centiseconds):
    text = timespan.format_timespan(centiseconds)
    assert timespan.is_timespan(text)
    assert timespan.parse_timespan(text) == centiseconds


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_iso_duration_round_trip_any_centiseconds_identity(centiseconds):
    text = timespan.format_iso_duration(centiseconds)
    assert timespan.is_iso_duration(text)
    assert timespan.parse_iso_duration(text) == centiseconds


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("cmi.session_time", "PT1.234S"),
        ("cmi.interactions.0.timestamp", "2024-05-01T10:00:00.123Z"),
    ],
)
def test_time_2004_extra_fraction_digits_strict_406_lenient_tolerated(element, value):
    from scorm_testkit import LENIENT, launched, outcome

    strict, lenient = launched("2004-4th"), launched("2004-4th", settings=LENIENT)
    for api in (strict, lenient):
        api.set_value("cmi.interactions.0.id", "q")
    assert outcome(strict, ("SetValue", element, value)) == ("false", "406")
    assert outcome(lenient, ("SetValue", element, value)) == ("true", "0")
    assert lenient.deviations[-1].kind == "tolerated-format:time-format"


def test_time_12_tolerated_session_time_accumulates():
    from scorm_testkit import LENIENT, launched

    api = launched("1.2", settings=LENIENT)
    assert api.set_value("cmi.core.session_time", "1:02:03.456") == "true"
    api.terminate("")
    assert api.state.cmi["cmi.core.total_time"] == "0001:02:03.45"


def test_parse_iso_duration_long_fraction_truncated():
    assert timespan.parse_iso_duration("PT1.239S") == 123
