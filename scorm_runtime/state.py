"""Plain-data attempt state and the creation of new attempts (issue 4 "Attempts").

:class:`AttemptState` is what the hub stores per SCO attempt (a JSON column):
``to_dict()``/``from_dict()`` round-trip it. The CMI values live in a flat dict keyed
by concrete element names, the same shape the browser adapter caches.
"""

from dataclasses import dataclass, field

from . import paths, timespan
from . import vocab as v
from .compat import CompatibilitySettings
from .definitions import definitions
from .validation import validate


@dataclass
class AttemptState:
    """The run-time state of one attempt on one SCO.

    Attributes:
        version: a value of ``vocab.VERSIONS``.
        cmi: concrete element name -> value, plus ``<collection>._count`` entries.
        attempt: the attempt number, from 1.
        phase: the API state of the current session (``vocab.PHASE_*``).
        seqs: the last commit sequence number applied, per browser tab (the tab id
            the adapter sends; "" for the server-side API). Commits are idempotent:
            a number not above the tab's last is a retry.
        launch: the launch parameters given to :func:`new_attempt_state`, kept to
            build the next attempt.
    """

    version: str
    cmi: dict[str, str] = field(default_factory=dict)
    attempt: int = 1
    phase: str = v.PHASE_NOT_INITIALIZED
    seqs: dict[str, int] = field(default_factory=dict)
    launch: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The state as a JSON-serializable dict (a copy: changing it leaves the
        state alone)."""
        # Written out rather than dataclasses.asdict, which deep-copies every CMI
        # string: the server does this on every commit (issue 4 benchmark).
        return {
            "version": self.version,
            "cmi": dict(self.cmi),
            "attempt": self.attempt,
            "phase": self.phase,
            "seqs": dict(self.seqs),
            "launch": _json_copy(self.launch),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "AttemptState":
        """Rebuild a state from :meth:`to_dict` output."""
        return cls(
            version=data["version"],
            cmi=dict(data.get("cmi", {})),
            attempt=int(data.get("attempt", 1)),
            phase=data.get("phase", v.PHASE_NOT_INITIALIZED),
            seqs={str(k): int(n) for k, n in data.get("seqs", {}).items()},
            launch=_json_copy(data.get("launch", {})),
        )

    def last_seq(self, tab: str = "") -> int:
        """The last sequence number applied for ``tab`` (0 when none)."""
        return self.seqs.get(tab, 0)

    def copy(self) -> "AttemptState":
        """A deep copy, so callers can keep the previous state."""
        return AttemptState(
            version=self.version,
            cmi=dict(self.cmi),  # keys and values are strings: nothing to copy deeper
            attempt=self.attempt,
            phase=self.phase,
            seqs=dict(self.seqs),
            launch=_json_copy(self.launch),
        )


def _json_copy(value):
    """A deep copy of JSON-shaped data (dicts, lists, scalars), without the memo and
    dispatch of ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_copy(item) for item in value]
    return value


def _put(cmi: dict[str, str], key: str, value) -> None:
    if value is None or value == "":
        return
    text = str(value)
    # A manifest decimal parsed to a float: "80", not "80.0" (adlcp:masteryscore).
    if isinstance(value, float) and text.endswith(".0"):
        text = text[:-2]
    cmi[key] = text


def _cmi_12(params: dict) -> dict[str, str]:
    cmi = {
        "cmi.core.student_id": params["learner_id"],
        "cmi.core.student_name": params["learner_name"],
        "cmi.core.credit": params["credit"],
        "cmi.core.lesson_mode": params["mode"],
        "cmi.core.entry": params["entry"],
        "cmi.core.lesson_status": v.STATUS_NOT_ATTEMPTED,
        "cmi.core.total_time": "0000:00:00.00",
    }
    _put(cmi, "cmi.launch_data", params["launch_data"])
    _put(cmi, "cmi.student_data.mastery_score", params["mastery_score"])
    limit = params["max_time_allowed"]
    if limit and not timespan.is_timespan(limit):
        limit = timespan.format_timespan(timespan.parse_duration(limit))
    _put(cmi, "cmi.student_data.max_time_allowed", limit)
    _put(cmi, "cmi.student_data.time_limit_action", params["time_limit_action"])
    _put(cmi, "cmi.comments_from_lms", "\n".join(params["comments_from_lms"]))
    return cmi


def _cmi_2004(params: dict) -> dict[str, str]:
    cmi = {
        "cmi.learner_id": params["learner_id"],
        "cmi.learner_name": params["learner_name"],
        "cmi.credit": params["credit"],
        "cmi.mode": params["mode"],
        "cmi.entry": params["entry"],
        "cmi.total_time": "PT0H0M0S",
    }
    _put(cmi, "cmi.launch_data", params["launch_data"])
    _put(cmi, "cmi.completion_threshold", params["completion_threshold"])
    _put(cmi, "cmi.scaled_passing_score", params["scaled_passing_score"])
    limit = params["max_time_allowed"]
    # The manifest's value as written when it has the element's type (RTE 1.2
    # §3.4.4, RTE 4th ed. §4.2.15); another time format is converted.
    if limit and not timespan.is_iso_duration(limit):
        limit = timespan.format_iso_duration(timespan.parse_duration(limit))
    _put(cmi, "cmi.max_time_allowed", limit)
    _put(cmi, "cmi.time_limit_action", params["time_limit_action"])
    for index, comment in enumerate(params["comments_from_lms"]):
        base = f"cmi.comments_from_lms.{index}."
        for part in ("comment", "location", "timestamp"):
            _put(
                cmi,
                base + part,
                comment.get(part)
                if isinstance(comment, dict)
                else (comment if part == "comment" else None),
            )
    if params["comments_from_lms"]:
        cmi["cmi.comments_from_lms._count"] = str(len(params["comments_from_lms"]))
    version = params["version"]
    _seed_objectives(
        cmi, _identifiers(version, "cmi.objectives.n.id", params["objectives"])
    )
    if params["data_stores"] and version == v.SCORM_2004_4TH:
        stores = [
            {"id": store} if isinstance(store, str) else store
            for store in params["data_stores"]
        ]
        valid = set(_identifiers(version, "adl.data.n.id", [s["id"] for s in stores]))
        _seed_data_stores(cmi, [store for store in stores if store["id"] in valid])
    return cmi


def _identifiers(version: str, template: str, values: list[str]) -> list[str]:
    """The manifest's identifiers that the element's type takes; another one (say an
    objectiveID with a space) cannot be given to the SCO, and never stops a launch."""
    spec = definitions(version, CompatibilitySettings.strict_mode())["elements"][
        template
    ]
    return [value for value in values if validate(spec["type"], value)[0] is None]


def unusable_launch_identifiers(
    version: str, *, objectives: tuple | list = (), data_stores: tuple | list = ()
) -> list[tuple[str, str]]:
    """The manifest identifiers a launch leaves out, for the import report.

    Args:
        version: a value of ``vocab.VERSIONS``.
        objectives: objective IDs, as :func:`new_attempt_state` takes them.
        data_stores: adlcp:map target IDs (strings).

    Returns:
        ``(element, identifier)`` pairs: "cmi.objectives.n.id" or "adl.data.n.id"
        and the identifier its type does not take (SCORM 2004 only; the 4th
        edition's data stores only).
    """
    asked = []
    if version != v.SCORM_12:
        asked.append(("cmi.objectives.n.id", [str(o) for o in objectives]))
    if version == v.SCORM_2004_4TH:
        asked.append(("adl.data.n.id", [str(d) for d in data_stores]))
    return [
        (template, value)
        for template, values in asked
        for value in dict.fromkeys(values)
        if not _identifiers(version, template, [value])
    ]


def _seed_data_stores(cmi: dict[str, str], stores: list[dict]) -> None:
    """adl.data.n.id per adlcp:map, with the store's access (RTE 4th ed. §4.3)."""
    for index, entry in enumerate(stores):
        cmi[f"adl.data.{index}.id"] = entry["id"]
        readable, writable = entry.get("read", True), entry.get("write", True)
        if not (readable and writable):
            access = {
                (True, False): v.RO,
                (False, True): v.WO,
                (False, False): v.NO_ACCESS,
            }[(bool(readable), bool(writable))]
            cmi[f"{paths.ACCESS_PREFIX}adl.data.{index}.store"] = access
    cmi["adl.data._count"] = str(len(stores))


def _seed_objectives(cmi: dict[str, str], objective_ids: list[str]) -> None:
    """RTE 4th ed. §4.2.17: cmi.objectives starts with the manifest's objective IDs."""
    unique = list(dict.fromkeys(objective_ids))
    for index, objective_id in enumerate(unique):
        cmi[f"cmi.objectives.{index}.id"] = objective_id
    if unique:
        cmi["cmi.objectives._count"] = str(len(unique))


def new_attempt_state(
    version: str,
    *,
    learner_id: str,
    learner_name: str,
    launch_data: str = "",
    mastery_score: float | str | None = None,
    completion_threshold: float | str | None = None,
    scaled_passing_score: float | str | None = None,
    max_time_allowed: str | None = None,
    time_limit_action: str | None = None,
    credit: str = v.CREDIT,
    mode: str = v.MODE_NORMAL,
    entry: str = v.ENTRY_AB_INITIO,
    comments_from_lms: tuple | list = (),
    data_stores: tuple | list = (),
    objectives: tuple | list = (),
    attempt: int = 1,
) -> AttemptState:
    """Create the state of a fresh attempt (entry "ab-initio" unless told).

    Args:
        version: a value of ``vocab.VERSIONS``.
        learner_id: cmi.core.student_id / cmi.learner_id.
        learner_name: cmi.core.student_name / cmi.learner_name.
        launch_data: adlcp:datafromlms / adlcp:dataFromLMS of the item.
        mastery_score: SCORM 1.2 adlcp:masteryscore (0-100).
        completion_threshold: SCORM 2004 adlcp:completionThreshold (0-1).
        scaled_passing_score: SCORM 2004 imsss:minNormalizedMeasure (-1..1).
        max_time_allowed: adlcp:maxtimeallowed, CMITimespan or ISO 8601 duration.
        time_limit_action: adlcp:timelimitaction.
        credit: "credit" or "no-credit".
        mode: "normal", "browse" or "review".
        entry: cmi.entry / cmi.core.entry: "ab-initio", "resume" or "" (for state
            migrated from another LMS; :func:`start_session` decides otherwise).
        comments_from_lms: 1.2: strings; 2004: dicts with comment/location/timestamp.
        data_stores: SCORM 2004 4th ed. adlcp:data maps, in order: a target ID
            (adl.data.n.id, readable and writable) or a dict ``{"id", "read",
            "write"}`` with the map's readSharedData / writeSharedData.
        objectives: SCORM 2004 objective IDs the manifest defines for the item
            (imsss:primaryObjective / imsss:objective ``objectiveID``), in manifest
            order; they become cmi.objectives.n.id (ignored for SCORM 1.2).
        attempt: the attempt number.

    Returns:
        A new :class:`AttemptState` in the not-initialized phase.

    Raises:
        ValueError: for an unknown version, credit or mode, or a launch value that
            does not fit its element (e.g. a mastery score of "eighty").
    """
    if (
        version not in v.VERSIONS
        or credit not in v.CREDIT_VOCAB
        or mode not in v.MODE_VOCAB
    ):
        raise ValueError(f"bad launch parameters {version!r}, {credit!r}, {mode!r}")
    params = {key: value for key, value in locals().items() if key != "attempt"}
    # RTE 4th ed. §4.2.6 / RTE 1.2 §3.4.4 cmi.core.credit: browse and review are
    # never for credit.
    if mode != v.MODE_NORMAL:
        params["credit"] = v.NO_CREDIT
    params["comments_from_lms"] = list(comments_from_lms)
    params["data_stores"] = _json_copy(list(data_stores))
    params["objectives"] = [str(objective_id) for objective_id in objectives]
    cmi = _cmi_12(params) if version == v.SCORM_12 else _cmi_2004(params)
    _check_launch(version, cmi)
    return AttemptState(version=version, cmi=cmi, attempt=attempt, launch=params)


def _check_launch(version: str, cmi: dict[str, str]) -> None:
    """Launch values obey the element types, as if the SCO had set them (strict)."""
    elements = definitions(version, CompatibilitySettings.strict_mode())["elements"]
    for key, value in cmi.items():
        # "not attempted" is the LMS's own initial status, which no SCO may set.
        if (
            key.endswith("._count")
            or key == "cmi.core.lesson_status"
            or key.startswith(paths.ACCESS_PREFIX)
        ):
            continue
        template, _ = paths.parse(key) or ("", ())
        spec = elements.get(template)
        # Length is not checked: manifests carry longer launch data than the SPM.
        if spec is None or validate(spec["type"], value)[0] not in (
            None,
            "spm_exceeded",
        ):
            raise ValueError(f"launch value {value!r} is not valid for {key}")
