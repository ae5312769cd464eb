"""Vocabularies of SCORM 1.2 (RTE 1.2 §3.4) and SCORM 2004 (RTE 4th ed. §4.2).

Every token the run-time reads or writes is named here once, UPPER_SNAKE, so no module
spells a vocabulary value inline.
"""

# Versions (editions) this runtime implements.
SCORM_12 = "1.2"
SCORM_2004_2ND = "2004-2nd"
SCORM_2004_3RD = "2004-3rd"
SCORM_2004_4TH = "2004-4th"
SCORM_2004_EDITIONS = (SCORM_2004_2ND, SCORM_2004_3RD, SCORM_2004_4TH)
VERSIONS = (SCORM_12, *SCORM_2004_EDITIONS)

# Access of a data model element.
RO = "RO"
WO = "WO"
RW = "RW"
NO_ACCESS = "NA"  # neither readable nor writable (an adl.data store, RTE 4th §4.3)
READABLE = (RO, RW)
WRITABLE = (WO, RW)

# API conceptual states (RTE 4th ed. §3.1.6).
PHASE_NOT_INITIALIZED = "not-initialized"
PHASE_RUNNING = "running"
PHASE_TERMINATED = "terminated"

# RTE 1.2 §3.4.4 cmi.core.lesson_status.
STATUS_PASSED = "passed"
STATUS_COMPLETED = "completed"
STATUS_FAILED = "failed"
STATUS_INCOMPLETE = "incomplete"
STATUS_BROWSED = "browsed"
STATUS_NOT_ATTEMPTED = "not attempted"
LESSON_STATUS_12 = (
    STATUS_PASSED,
    STATUS_COMPLETED,
    STATUS_FAILED,
    STATUS_INCOMPLETE,
    STATUS_BROWSED,
    STATUS_NOT_ATTEMPTED,
)

# RTE 4th ed. §4.2.4 cmi.completion_status and §4.2.22 cmi.success_status.
STATUS_UNKNOWN = "unknown"
COMPLETION_STATUS = (
    STATUS_COMPLETED,
    STATUS_INCOMPLETE,
    STATUS_NOT_ATTEMPTED,
    STATUS_UNKNOWN,
)
SUCCESS_STATUS = (STATUS_PASSED, STATUS_FAILED, STATUS_UNKNOWN)

# cmi.credit / cmi.core.credit.
CREDIT = "credit"
NO_CREDIT = "no-credit"
CREDIT_VOCAB = (CREDIT, NO_CREDIT)

# cmi.mode / cmi.core.lesson_mode.
MODE_BROWSE = "browse"
MODE_NORMAL = "normal"
MODE_REVIEW = "review"
MODE_VOCAB = (MODE_BROWSE, MODE_NORMAL, MODE_REVIEW)

# cmi.entry / cmi.core.entry.
ENTRY_AB_INITIO = "ab-initio"
ENTRY_RESUME = "resume"
ENTRY_NONE = ""  # RTE 1.2: launched before, not suspended
ENTRY_VOCAB = (ENTRY_AB_INITIO, ENTRY_RESUME, ENTRY_NONE)

# cmi.exit / cmi.core.exit.
EXIT_TIME_OUT = "time-out"
EXIT_SUSPEND = "suspend"
EXIT_LOGOUT = "logout"
EXIT_NORMAL = "normal"
EXIT_VOCAB_12 = (EXIT_TIME_OUT, EXIT_SUSPEND, EXIT_LOGOUT, "")
EXIT_VOCAB_2004 = (EXIT_TIME_OUT, EXIT_SUSPEND, EXIT_LOGOUT, EXIT_NORMAL, "")

# time_limit_action (RTE 1.2 §3.4.4, RTE 4th ed. §4.2.24).
TLA_EXIT_MESSAGE = "exit,message"
TLA_EXIT_NO_MESSAGE = "exit,no message"
TLA_CONTINUE_MESSAGE = "continue,message"
TLA_CONTINUE_NO_MESSAGE = "continue,no message"
TIME_LIMIT_ACTIONS = (
    TLA_EXIT_MESSAGE,
    TLA_EXIT_NO_MESSAGE,
    TLA_CONTINUE_MESSAGE,
    TLA_CONTINUE_NO_MESSAGE,
)

# Interaction types (RTE 1.2 §3.4.4 cmi.interactions.n.type; RTE 4th ed. §4.2.9).
IT_TRUE_FALSE = "true-false"
IT_CHOICE = "choice"
IT_FILL_IN = "fill-in"
IT_LONG_FILL_IN = "long-fill-in"
IT_MATCHING = "matching"
IT_PERFORMANCE = "performance"
IT_SEQUENCING = "sequencing"
IT_LIKERT = "likert"
IT_NUMERIC = "numeric"
IT_OTHER = "other"
INTERACTION_TYPES_12 = (
    IT_TRUE_FALSE,
    IT_CHOICE,
    IT_FILL_IN,
    IT_MATCHING,
    IT_PERFORMANCE,
    IT_SEQUENCING,
    IT_LIKERT,
    IT_NUMERIC,
)
INTERACTION_TYPES_2004 = (
    IT_TRUE_FALSE,
    IT_CHOICE,
    IT_FILL_IN,
    IT_LONG_FILL_IN,
    IT_LIKERT,
    IT_MATCHING,
    IT_PERFORMANCE,
    IT_SEQUENCING,
    IT_NUMERIC,
    IT_OTHER,
)

# Interaction results.
RESULT_CORRECT = "correct"
RESULT_WRONG = "wrong"
RESULT_INCORRECT = "incorrect"
RESULT_UNANTICIPATED = "unanticipated"
RESULT_NEUTRAL = "neutral"
RESULT_VOCAB_12 = (RESULT_CORRECT, RESULT_WRONG, RESULT_UNANTICIPATED, RESULT_NEUTRAL)
RESULT_VOCAB_2004 = (
    RESULT_CORRECT,
    RESULT_INCORRECT,
    RESULT_UNANTICIPATED,
    RESULT_NEUTRAL,
)

# adl.nav.request (RTE 4th ed. §4.4.2) and adl.nav.request_valid (§4.4.3).
NAV_NONE = "_none_"
NAV_REQUESTS_2004 = (
    "continue",
    "previous",
    "exit",
    "exitAll",
    "abandon",
    "abandonAll",
    "suspendAll",
    NAV_NONE,
)
NAV_VALID_VOCAB = ("true", "false", "unknown")

# Grading methods of a course (issue 4) and missing-finish policies (compat.py).
GRADE_HIGHEST = "highest"
GRADE_LAST = "last"
GRADE_FIRST = "first"
GRADE_AVERAGE = "average"
GRADING_METHODS = (GRADE_HIGHEST, GRADE_LAST, GRADE_FIRST, GRADE_AVERAGE)

MISSING_FINISH_FINISH = "finish"
MISSING_FINISH_SUSPEND = "suspend"
MISSING_FINISH_ABANDON = "abandon"
MISSING_FINISH_POLICIES = (
    MISSING_FINISH_FINISH,
    MISSING_FINISH_SUSPEND,
    MISSING_FINISH_ABANDON,
)

# Deviation kinds: accepted input that the book would reject or handle otherwise.
DEV_SPM_EXCEEDED = "spm-exceeded"
DEV_TOLERATED_FORMAT = "tolerated-format"
DEV_SEQUENCE_GAP = "sequence-gap"
DEV_MISSING_FINISH = "missing-finish"

# Launch decisions.
LAUNCH_RESUME = "resume"
LAUNCH_NEW_ATTEMPT = "new-attempt"
LAUNCH_CONTINUE = "continue"
LAUNCH_ATTEMPT_LIMIT = "attempt-limit"
LAUNCH_REVIEW = "review"  # the attempt as recorded, nothing stored (review_state)

TRUE = "true"
FALSE = "false"
