"""Ids that clients send: only what an Integer key column can hold names a row."""

import pytest

from hub.db import MAX_ROW_ID, parse_row_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        ("007", 7),
        (str(MAX_ROW_ID), MAX_ROW_ID),
        (str(MAX_ROW_ID + 1), None),  # PostgreSQL's int4 would refuse it
        ("99999999999999999999999", None),  # beyond SQLite's 64-bit integers
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        ("1e3", None),
        ("²", None),  # a digit to str.isdigit, not to int()
        ("١٢", None),  # Arabic-Indic digits: int() would take them
        ("", None),
        ("abc", None),
    ],
)
def test_parse_row_id(text, expected):
    assert parse_row_id(text) == expected
