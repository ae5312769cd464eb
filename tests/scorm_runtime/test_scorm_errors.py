"""Error tables of RTE 1.2 §3.3.2.2 and RTE 4th ed. §3.1.7.6 (Table 3.1.7.6a)."""

import pytest

from scorm_runtime import ScormError, error_strings
from scorm_runtime.errors import CONDITIONS, condition_code

# RTE 1.2 §3.3.2.2: every code and string of the book.
BOOK_12 = [
    (0, "No error"),
    (101, "General Exception"),
    (201, "Invalid argument error"),
    (202, "Element cannot have children"),
    (203, "Element not an array.  Cannot have count."),
    (301, "Not initialized"),
    (401, "Not implemented error"),
    (402, "Invalid set value, element is a keyword"),
    (403, "Element is read only."),
    (404, "Element is write only"),
    (405, "Incorrect Data Type"),
]
# RTE 4th ed. §3.1.7.6, Table 3.1.7.6a.
BOOK_2004 = [
    (0, "No Error"),
    (101, "General Exception"),
    (102, "General Initialization Failure"),
    (103, "Already Initialized"),
    (104, "Content Instance Terminated"),
    (111, "General Termination Failure"),
    (112, "Termination Before Initialization"),
    (113, "Termination After Termination"),
    (122, "Retrieve Data Before Initialization"),
    (123, "Retrieve Data After Termination"),
    (132, "Store Data Before Initialization"),
    (133, "Store Data After Termination"),
    (142, "Commit Before Initialization"),
    (143, "Commit After Termination"),
    (201, "General Argument Error"),
    (301, "General Get Failure"),
    (351, "General Set Failure"),
    (391, "General Commit Failure"),
    (401, "Undefined Data Model Element"),
    (402, "Unimplemented Data Model Element"),
    (403, "Data Model Element Value Not Initialized"),
    (404, "Data Model Element Is Read Only"),
    (405, "Data Model Element Is Write Only"),
    (406, "Data Model Element Type Mismatch"),
    (407, "Data Model Element Value Out Of Range"),
    (408, "Data Model Dependency Not Established"),
]


@pytest.mark.parametrize(("code", "text"), BOOK_12)
def test_error_strings_12_match_book(code, text):
    assert error_strings("1.2")[code] == text


@pytest.mark.parametrize("version", ["2004-2nd", "2004-3rd", "2004-4th"])
@pytest.mark.parametrize(("code", "text"), BOOK_2004)
def test_error_strings_2004_match_book(version, code, text):
    assert error_strings(version)[code] == text


def test_error_tables_have_no_extra_codes():
    assert sorted(error_strings("1.2")) == [code for code, _ in BOOK_12]
    assert sorted(error_strings("2004-4th")) == [code for code, _ in BOOK_2004]


@pytest.mark.parametrize("condition", sorted(CONDITIONS))
def test_conditions_map_to_codes_of_each_table(condition):
    assert condition_code(condition, "1.2") in error_strings("1.2")
    assert condition_code(condition, "2004-4th") in error_strings("2004-4th")


def test_scorm_error_carries_code_and_diagnostic():
    error = ScormError("type_mismatch", "2004-3rd", "cmi.exit")
    assert error.code == 406
    assert error.condition == "type_mismatch"
    assert error.diagnostic.endswith(": cmi.exit")
    assert ScormError("type_mismatch", "1.2").code == 405
