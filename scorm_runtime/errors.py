"""Error codes and strings of the SCORM API (RTE 1.2 §3.3.2, RTE 4th ed. §3.1.7).

Each edition's error table is reproduced exactly; :data:`CONDITIONS` maps the runtime's
abstract error conditions to each edition's code, so the state machine, the server-side
commit validation and the browser adapter raise the same code for the same condition.
"""

from .vocab import SCORM_12

# RTE 1.2 §3.3.2.2, "LMSGetErrorString" error code table.
ERROR_STRINGS_12: dict[int, str] = {
    0: "No error",
    101: "General Exception",
    201: "Invalid argument error",
    202: "Element cannot have children",
    203: "Element not an array.  Cannot have count.",
    301: "Not initialized",
    401: "Not implemented error",
    402: "Invalid set value, element is a keyword",
    403: "Element is read only.",
    404: "Element is write only",
    405: "Incorrect Data Type",
}

# RTE 4th ed. §3.1.7.6, Table 3.1.7.6a (unchanged since the 2nd edition).
ERROR_STRINGS_2004: dict[int, str] = {
    0: "No Error",
    101: "General Exception",
    102: "General Initialization Failure",
    103: "Already Initialized",
    104: "Content Instance Terminated",
    111: "General Termination Failure",
    112: "Termination Before Initialization",
    113: "Termination After Termination",
    122: "Retrieve Data Before Initialization",
    123: "Retrieve Data After Termination",
    132: "Store Data Before Initialization",
    133: "Store Data After Termination",
    142: "Commit Before Initialization",
    143: "Commit After Termination",
    201: "General Argument Error",
    301: "General Get Failure",
    351: "General Set Failure",
    391: "General Commit Failure",
    401: "Undefined Data Model Element",
    402: "Unimplemented Data Model Element",
    403: "Data Model Element Value Not Initialized",
    404: "Data Model Element Is Read Only",
    405: "Data Model Element Is Write Only",
    406: "Data Model Element Type Mismatch",
    407: "Data Model Element Value Out Of Range",
    408: "Data Model Dependency Not Established",
}

# condition -> (SCORM 1.2 code, SCORM 2004 code, diagnostic).  1.2 has no codes for the
# terminated state: after LMSFinish the API is no longer initialized, so LMSGetValue,
# LMSSetValue, LMSCommit and LMSFinish get RTE 1.2 §3.3.2.2 "301 Not initialized" (as
# in the ADL 1.2 sample RTE); a second LMSInitialize gets "101 General Exception".
CONDITIONS: dict[str, tuple[int, int, str]] = {
    "get_before_init": (301, 122, "GetValue called before Initialize"),
    "get_after_term": (301, 123, "GetValue called after Terminate"),
    "set_before_init": (301, 132, "SetValue called before Initialize"),
    "set_after_term": (301, 133, "SetValue called after Terminate"),
    "commit_before_init": (301, 142, "Commit called before Initialize"),
    "commit_after_term": (301, 143, "Commit called after Terminate"),
    "already_initialized": (101, 103, "Initialize called while running"),
    "init_after_term": (101, 104, "Initialize called after Terminate"),
    "term_before_init": (301, 112, "Terminate called before Initialize"),
    "term_after_term": (301, 113, "Terminate called after Terminate"),
    "argument": (201, 201, "The parameter must be an empty characterstring"),
    "commit_failure": (101, 391, "The learning record could not be stored"),
    "term_failure": (101, 111, "The learning record could not be stored"),
    "get_empty": (201, 301, "Data Model Element Not Specified"),
    "set_empty": (201, 351, "Data Model Element Not Specified"),
    "undefined": (401, 401, "The data model element is not defined"),
    "no_children": (202, 301, "Data Model Element Does Not Have Children"),
    "no_count": (203, 301, "Data Model Element Cannot Have Count"),
    "no_version": (201, 301, "Data Model Element Does Not Have Version"),
    "set_keyword": (402, 404, "The element is a keyword and is read only"),
    "read_only": (403, 404, "The element is read only"),
    "write_only": (404, 405, "The element is write only"),
    "get_out_of_range": (
        201,
        301,
        "Data Model Collection Element Request Out Of Range",
    ),
    "set_out_of_order": (201, 351, "Data Model Element Collection Set Out Of Order"),
    "not_initialized": (0, 403, "The element has not been initialized"),
    "type_mismatch": (405, 406, "The value does not match the element's type"),
    "out_of_range": (405, 407, "The value is outside the element's range"),
    "dependency": (201, 408, "Data Model Dependency Not Established"),
    "unique": (405, 351, "Unique Identifier Constraint Violated"),
    "spm_exceeded": (405, 351, "Smallest Permitted Maximum (SPM) Exceeded"),
    "immutable": (405, 351, "The identifier is already set and cannot change"),
}


def error_strings(version: str) -> dict[int, str]:
    """Return the error-code table of ``version``.

    Args:
        version: one of :data:`scorm_runtime.vocab.VERSIONS`.

    Returns:
        A mapping of error code to the book's error string.
    """
    return ERROR_STRINGS_12 if version == SCORM_12 else ERROR_STRINGS_2004


def condition_code(condition: str, version: str) -> int:
    """Return the error code ``version`` uses for an abstract error ``condition``."""
    code_12, code_2004, _ = CONDITIONS[condition]
    return code_12 if version == SCORM_12 else code_2004


class ScormError(Exception):
    """A SCORM API error: ``code`` is the RTE error number of the edition.

    Attributes:
        code: the RTE error code (e.g. 406).
        condition: the abstract condition (a key of :data:`CONDITIONS`).
        diagnostic: a human-readable reason, returned by GetDiagnostic.
    """

    def __init__(self, condition: str, version: str, detail: str = "") -> None:
        """Build the error for ``condition`` as ``version`` numbers it."""
        self.condition = condition
        self.code = condition_code(condition, version)
        base = CONDITIONS[condition][2]
        self.diagnostic = f"{base}: {detail}" if detail else base
        super().__init__(f"{self.code} {self.diagnostic}")
