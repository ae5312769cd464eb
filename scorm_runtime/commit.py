"""Server-side commit validation: the server never trusts the client (issue 4).

:func:`apply_commit` re-validates every change a browser sends with exactly the rules
of the API (``cmi.set_value``), is idempotent by sequence number and applies the
end-of-session rules when the batch carries Terminate / LMSFinish.
"""

from dataclasses import dataclass, field

from . import vocab as v
from .cmi import set_value
from .compat import CompatibilitySettings, Deviation
from .definitions import definitions
from .errors import ScormError
from .state import AttemptState
from .status import finish_session


@dataclass(frozen=True)
class CommitError:
    """A change the server refused: what the browser sent and why.

    Attributes:
        index: position of the change in the batch.
        element: the element name sent.
        value: the value sent, in full.
        code: the RTE error code the API would have returned.
        diagnostic: the reason.
    """

    index: int
    element: str
    value: str
    code: int
    diagnostic: str

    def to_dict(self) -> dict:
        """The error as a JSON-serializable dict."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class CommitResult:
    """Outcome of :func:`apply_commit`.

    Attributes:
        state: the new state (the input state is never modified).
        errors: refused changes; the accepted ones are applied.
        deviations: accepted departures from the book, to log per registration.
        duplicate: the batch's sequence number was already applied (a retry).
    """

    state: AttemptState
    errors: list[CommitError] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    duplicate: bool = False


def _normalize(change) -> tuple[str, object] | None:
    """``(element, value)`` of a change, or None when it is not a change at all."""
    if isinstance(change, dict):
        element, value = change.get("element"), change.get("value")
    elif isinstance(change, list | tuple) and len(change) == 2:
        element, value = change
    else:
        return None
    return (element, value) if isinstance(element, str) else None


def apply_commit(
    state: AttemptState,
    changes: list,
    *,
    version: str,
    settings: CompatibilitySettings | None = None,
    seq: int | None = None,
    tab: str = "",
    terminate: bool = False,
) -> CommitResult:
    """Validate and apply a batch of SetValue changes sent by the browser.

    Args:
        state: the stored attempt state (not modified).
        changes: ``[element, value]`` pairs or ``{"element", "value"}`` dicts, in
            the order the SCO made the calls; anything else is refused (201).
        version: the attempt's version; must equal ``state.version``.
        settings: the course's compatibility settings.
        seq: the batch sequence number; a number not above the tab's last applied
            one is a retry and changes nothing.
        tab: the browser tab the batch comes from (sequence numbers count per tab,
            so a second tab on the same attempt never collides with the first).
        terminate: the batch ends the session (Terminate / LMSFinish).

    Returns:
        A :class:`CommitResult`.

    Raises:
        ValueError: when ``version`` does not match the state.
    """
    if version != state.version:
        raise ValueError(f"commit for {version!r} on a {state.version!r} attempt")
    last = state.last_seq(tab)
    if seq is not None and seq <= last:
        return CommitResult(state=state, duplicate=True)
    new = state.copy()
    defs = definitions(version, settings)
    deviations: list[Deviation] = []
    if seq is not None and seq > last + 1:
        detail = f"batch {seq} after {last} from tab {tab!r}: batches were lost"
        deviations.append(Deviation(v.DEV_SEQUENCE_GAP, "", detail))
    errors = _apply_changes(new, defs, changes, deviations)
    if terminate and new.phase != v.PHASE_TERMINATED:
        finish_session(version, new.cmi)
        new.phase = v.PHASE_TERMINATED
    if seq is not None:
        new.seqs[tab] = seq
    return CommitResult(state=new, errors=errors, deviations=deviations)


def _apply_changes(new: AttemptState, defs: dict, changes, deviations) -> list:
    errors: list[CommitError] = []
    terminated = new.phase == v.PHASE_TERMINATED
    if not terminated:
        new.phase = v.PHASE_RUNNING
    for index, change in enumerate(changes):
        normalized = _normalize(change)
        element, value = normalized or ("", change)
        try:
            if normalized is None:
                raise ScormError(
                    "argument", new.version, "not an [element, value] pair"
                )
            if terminated:
                raise ScormError("set_after_term", new.version, element)
            if not isinstance(value, str):
                raise ScormError("type_mismatch", new.version, "value is not a string")
            deviations.extend(set_value(defs, new.cmi, element, value))
        except ScormError as error:
            errors.append(
                CommitError(index, element, str(value), error.code, error.diagnostic)
            )
    return errors
