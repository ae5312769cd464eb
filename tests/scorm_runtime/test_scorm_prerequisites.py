"""adlcp:prerequisites evaluation (CAM 1.2 §2.3.2.4, AICC CMI001 script)."""

import pytest

from scorm_runtime import prerequisites_met

STATUSES = {
    "A": "passed",
    "B": "completed",
    "C": "failed",
    "D": "incomplete",
    "E": "browsed",
    "sco_1.x": "not attempted",
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("", True),
        ("   ", True),
        ("A", True),
        ("B", True),
        ("C", False),
        ("missing", False),
        ("~C", True),
        ("~A", False),
        ("A & B", True),
        ("A & C", False),
        ("C | D | B", True),
        ("C | D", False),
        ("A&C|B", True),
        ("A&(C|B)", True),
        ("~(A & B)", False),
        ("C=failed", True),
        ("C=f", True),
        ("C<>failed", False),
        ("D=Incomplete", True),
        ("E=b", True),
        ("sco_1.x=not attempted", True),
        ("sco_1.x = n", True),
        ("missing=n", True),
        ("2*{A,B,C}", True),
        ("3*{A,B,C}", False),
        ("1*{C,D,(A&B)}", True),
        ("~2*{C,D,E}", True),
    ],
)
def test_prerequisites_met_expression_table(expression, expected):
    assert prerequisites_met(expression, STATUSES) is expected


@pytest.mark.parametrize(
    "expression",
    ["A &", "(A", "A)", "A=done", "& A", "2*{A,B", "A $ B", "A=", "2*A", "A < B"],
)
def test_prerequisites_met_malformed_raises(expression):
    with pytest.raises(ValueError, match="prerequisite"):
        prerequisites_met(expression, STATUSES)
