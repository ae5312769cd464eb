"""The SCORM API state machine (RTE 1.2 §3.3, RTE 4th ed. §3.1) over plain state.

:class:`ScormApi` answers both API flavours (``LMSInitialize``... and
``Initialize``...) with the books' return values and error codes, reading and writing
an :class:`~scorm_runtime.state.AttemptState`. Durable storage is reached through an
:class:`AttemptStore`, which the hub implements.
"""

from typing import Protocol

from . import vocab as v
from .cmi import get_value, set_value
from .compat import CompatibilitySettings, Deviation
from .definitions import definitions
from .errors import ScormError, error_strings
from .state import AttemptState
from .status import finish_session

Change = tuple[str, str]


class AttemptStore(Protocol):
    """Where committed changes become durable (the hub's commit service)."""

    def commit(
        self, state: AttemptState, changes: list[Change], *, seq: int, terminate: bool
    ) -> bool:
        """Persist ``changes`` (already applied to ``state``); False on failure."""
        ...


class InMemoryAttemptStore:
    """An :class:`AttemptStore` that keeps every commit in a list (tests, demos)."""

    def __init__(self, *, fail: bool = False) -> None:
        """Create an empty store; ``fail`` makes every commit fail (error 391)."""
        self.fail = fail
        self.commits: list[tuple[int, list[Change], bool]] = []

    def commit(
        self, state: AttemptState, changes: list[Change], *, seq: int, terminate: bool
    ) -> bool:
        """Record the batch and report success unless built with ``fail``."""
        self.commits.append((seq, list(changes), terminate))
        return not self.fail


class ScormApi:
    """One API instance for one SCO session.

    Args:
        state: the attempt state; it is updated in place.
        settings: compatibility settings (lenient defaults when None).
        store: durable storage for Commit/Terminate (commits succeed without one).
    """

    def __init__(
        self,
        state: AttemptState,
        *,
        settings: CompatibilitySettings | None = None,
        store: AttemptStore | None = None,
    ) -> None:
        """Bind the API to ``state``."""
        self.state = state
        self.version = state.version
        self.defs = definitions(state.version, settings)
        self.store = store
        self.pending: list[Change] = []
        self.deviations: list[Deviation] = []
        self.last_error = 0
        self.last_diagnostic = ""

    def _fail(self, error: ScormError) -> str:
        self.last_error = error.code
        self.last_diagnostic = error.diagnostic
        return v.FALSE

    def _ok(self) -> None:
        self.last_error = 0
        self.last_diagnostic = ""

    def _guard(self, before: str, after: str) -> None:
        phase = self.state.phase
        if phase == v.PHASE_NOT_INITIALIZED:
            raise ScormError(before, self.version)
        if phase == v.PHASE_TERMINATED:
            raise ScormError(after, self.version)

    def initialize(self, parameter: str = "") -> str:
        """Initialize / LMSInitialize (RTE 4th ed. §3.1.3.1)."""
        try:
            if parameter != "":
                raise ScormError("argument", self.version)
            if self.state.phase == v.PHASE_RUNNING:
                raise ScormError("already_initialized", self.version)
            if self.state.phase == v.PHASE_TERMINATED:
                raise ScormError("init_after_term", self.version)
        except ScormError as error:
            return self._fail(error)
        self.state.phase = v.PHASE_RUNNING
        self._ok()
        return v.TRUE

    def _flush(self, *, terminate: bool, failure: str) -> None:
        seq = self.state.last_seq() + 1
        if self.store is not None and not self.store.commit(
            self.state, self.pending, seq=seq, terminate=terminate
        ):
            raise ScormError(failure, self.version)
        self.state.seqs[""] = seq
        self.pending = []

    def terminate(self, parameter: str = "") -> str:
        """Terminate / LMSFinish (RTE 4th ed. §3.1.3.2): commit, then end the session."""
        try:
            if parameter != "":
                raise ScormError("argument", self.version)
            self._guard("term_before_init", "term_after_term")
            before = dict(self.state.cmi)
            finish_session(self.version, self.state.cmi)
            try:
                self._flush(terminate=True, failure="term_failure")
            except ScormError:
                # Not stored: undo the end-of-session rules so a retry applies them
                # once (total_time must not count the session twice).
                self.state.cmi.clear()
                self.state.cmi.update(before)
                raise
        except ScormError as error:
            return self._fail(error)
        self.state.phase = v.PHASE_TERMINATED
        self._ok()
        return v.TRUE

    def get_value(self, element: str) -> str:
        """GetValue / LMSGetValue (RTE 4th ed. §3.1.4.1); "" on error."""
        try:
            self._guard("get_before_init", "get_after_term")
            value = get_value(self.defs, self.state.cmi, element)
        except ScormError as error:
            self._fail(error)
            return ""
        self._ok()
        return value

    def set_value(self, element: str, value: str) -> str:
        """SetValue / LMSSetValue (RTE 4th ed. §3.1.4.2)."""
        try:
            self._guard("set_before_init", "set_after_term")
            found = set_value(self.defs, self.state.cmi, element, str(value))
        except ScormError as error:
            return self._fail(error)
        self.pending.append((element, str(value)))
        self.deviations.extend(found)
        self._ok()
        return v.TRUE

    def commit(self, parameter: str = "") -> str:
        """Commit / LMSCommit (RTE 4th ed. §3.1.4.3)."""
        try:
            if parameter != "":
                raise ScormError("argument", self.version)
            self._guard("commit_before_init", "commit_after_term")
            self._flush(terminate=False, failure="commit_failure")
        except ScormError as error:
            return self._fail(error)
        self._ok()
        return v.TRUE

    def get_last_error(self) -> str:
        """GetLastError / LMSGetLastError: the code of the last call, as a string."""
        return str(self.last_error)

    def get_error_string(self, code: str) -> str:
        """GetErrorString: the book's text for ``code``; "" for an unknown code."""
        code = str(code)
        if not code.isascii() or not code.isdigit():
            return ""
        return error_strings(self.version).get(int(code), "")

    def get_diagnostic(self, code: str = "") -> str:
        """GetDiagnostic: details of the last error ("" or its code) or of ``code``."""
        if code in ("", str(self.last_error)):
            return self.last_diagnostic or self.get_error_string(str(self.last_error))
        return self.get_error_string(code)

    def call(self, name: str, *args: str) -> str:
        """Dispatch an API call by its JavaScript name, e.g. ``LMSSetValue``."""
        method = API_METHODS[self.version == v.SCORM_12][name]
        return getattr(self, method)(*args)


_NAMES = (
    ("Initialize", "initialize"),
    ("Terminate", "terminate"),
    ("GetValue", "get_value"),
    ("SetValue", "set_value"),
    ("Commit", "commit"),
    ("GetLastError", "get_last_error"),
    ("GetErrorString", "get_error_string"),
    ("GetDiagnostic", "get_diagnostic"),
)
# API function names: RTE 1.2 §3.3.4 (LMS-prefixed, Finish) and RTE 4th ed. §3.1.3.
API_METHODS: dict[bool, dict[str, str]] = {
    False: dict(_NAMES),
    True: {
        ("LMSFinish" if js == "Terminate" else "LMS" + js): method
        for js, method in _NAMES
    },
}
