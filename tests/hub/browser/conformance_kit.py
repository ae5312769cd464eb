"""Conformance packages written in code: SCOs that run a scripted list of API calls,
record every answer, and show the record to the test.

Each SCO finds the API the way real content does (ADL's published discovery
algorithm: up the ``window.parent`` chain, then the opener's), runs its *opening*
calls (the last one reads the entry element), then the calls of the session that
entry names. After each call it asks GetLastError, GetErrorString and
GetDiagnostic, and when the script is done it writes the record
as JSON into ``<pre id="record" data-done>`` and into ``localStorage``
(``conformance:<title>``), which outlives a page unloaded by a navigation request.

The expected answers live next to the calls, in Python, taken from the RTE books:
SCORM 1.2 RTE §3.3 (API, error codes) and §3.4 (data model); SCORM 2004 4th edition
RTE §3.1 (API, Table 3.1.7.6a error codes) and §4.2 (data model elements).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.importers.builders import scorm12_manifest, scorm2004_manifest

Expected = str | re.Pattern | Callable[[str], bool] | None


@dataclass(frozen=True)
class Call:
    """One API call and the book's answer (``None``: recorded, not checked)."""

    method: str
    args: tuple[str, ...] = ()
    result: Expected = None
    error: str | None = "0"
    book: str = ""

    def label(self) -> str:
        return f"{self.method}({', '.join(repr(a) for a in self.args)})"


def call(method: str, *args: str, result: Expected = None, error="0", book=""):
    return Call(method, args, result, error, book)


@dataclass(frozen=True)
class Script:
    """What a SCO does: ``opening`` (ends by reading ``entry``), then ``sessions``
    keyed by the entry value it read (``"*"``: any other value)."""

    api: str  # "API" (1.2) or "API_1484_11" (2004)
    opening: list[Call]
    sessions: dict[str, list[Call]] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return "LMS" if self.api == "API" else ""

    def to_json(self) -> str:
        def plain(calls):
            return [[c.method, list(c.args)] for c in calls]

        return json.dumps(
            {
                "api": self.api,
                "prefix": self.prefix,
                "opening": plain(self.opening),
                "sessions": {k: plain(v) for k, v in self.sessions.items()},
            }
        )

    def mismatches(self, record: dict) -> list[dict]:
        """Every recorded answer that differs from the book's, with the section."""
        calls = self.opening + self.sessions.get(
            record["session"], self.sessions.get("*", [])
        )
        found = []
        if len(record["calls"]) != len(calls):
            found.append({"call": "script", "got": len(record["calls"]),
                          "expected": len(calls), "book": ""})  # fmt: skip
        for expected, got in zip(calls, record["calls"], strict=False):
            problems = []
            if not _matches(expected.result, got["result"]):
                problems.append(("result", got["result"], _show(expected.result)))
            if expected.error is not None and got["error"] != expected.error:
                problems.append(("error", got["error"], expected.error))
            # Every known code has a description (RTE 1.2 §3.3, LMSGetErrorString;
            # RTE 4th ed. §3.1, GetErrorString: "" only for a code it does not know).
            if got["string"] == "":
                problems.append(("GetErrorString", "", "a description"))
            found += [
                {
                    "call": expected.label(),
                    "what": what,
                    "got": value,
                    "expected": want,
                    "book": expected.book,
                }
                for what, value, want in problems
            ]
        return found


def _matches(expected: Expected, value: str) -> bool:
    if expected is None:
        return True
    if isinstance(expected, str):
        return value == expected
    if isinstance(expected, re.Pattern):
        return expected.fullmatch(value) is not None
    return expected(value)


def _show(expected: Expected) -> str:
    if isinstance(expected, re.Pattern):
        return f"/{expected.pattern}/"
    if callable(expected):
        return expected.__doc__ or expected.__name__
    return str(expected)


# --- times -----------------------------------------------------------------------

_TIMESPAN = re.compile(r"(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?")
_INTERVAL = re.compile(
    r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)


def timespan_seconds(value: str) -> float | None:
    """A SCORM 1.2 CMITimespan (HHHH:MM:SS.SS, RTE 1.2 §3.4, data types) in seconds."""
    match = _TIMESPAN.fullmatch(value)
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    return (
        int(hours) * 3600
        + int(minutes) * 60
        + int(seconds)
        + float(f"0.{fraction or 0}")
    )


def interval_seconds(value: str) -> float | None:
    """A SCORM 2004 timeinterval (second,10,2), an ISO 8601 duration (RTE 4th ed.
    §4.1, data types), in seconds (a year of 365 days, a month of 30)."""
    match = _INTERVAL.fullmatch(value)
    if match is None or value in ("P", "PT") or value.endswith("T"):
        return None
    y, mo, d, h, mi, s = (float(g or 0) for g in match.groups())
    return ((y * 365 + mo * 30 + d) * 24 + h) * 3600 + mi * 60 + s


def lasting(seconds: float, *, edition: str) -> Callable[[str], bool]:
    """A check that a time value lasts ``seconds`` (in the edition's format)."""
    parse = timespan_seconds if edition == "1.2" else interval_seconds

    def check(value: str) -> bool:
        return parse(value) == seconds

    check.__doc__ = f"a {edition} time of {seconds} s"
    return check


def listing(*names: str) -> Callable[[str], bool]:
    """A check that a ``_children`` answer lists at least ``names``."""

    def check(value: str) -> bool:
        return set(names) <= {n.strip() for n in value.split(",")}

    check.__doc__ = "lists " + ",".join(names)
    return check


# --- the SCO page ----------------------------------------------------------------

SCO_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><pre id="record"></pre>
<script type="application/json" id="script">{script}</script>
<script>
(function () {{
  "use strict";
  // ADL's API discovery: the nearest parent holding the API, else the opener's.
  function search(win, name) {{
    var hops = 0;
    while (win[name] == null && win.parent != null && win.parent !== win) {{
      if (++hops > 500) return null;
      win = win.parent;
    }}
    return win[name] || null;
  }}
  function findApi(name) {{
    var api = search(window, name);
    if (api == null && window.opener != null) api = search(window.opener, name);
    return api;
  }}
  var script = JSON.parse(document.getElementById("script").textContent);
  var api = findApi(script.api);
  var p = script.prefix;
  var record = {{found: api !== null, session: null, calls: []}};
  window.conformance = record;
  function run(step) {{
    var result = api[step[0]].apply(api, step[1]);
    var error = api[p + "GetLastError"]();
    record.calls.push({{method: step[0], args: step[1], result: String(result),
      error: String(error), string: String(api[p + "GetErrorString"](error)),
      diagnostic: String(api[p + "GetDiagnostic"](""))}});
    return String(result);
  }}
  function finish() {{
    var out = document.getElementById("record");
    out.textContent = JSON.stringify(record);
    out.setAttribute("data-done", "");
    try {{  // for the test, once a navigation request has unloaded this page
      localStorage.setItem("conformance:" + document.title, out.textContent);
    }} catch (error) {{ /* storage blocked: the DOM copy is there */ }}
  }}
  if (api === null) return finish();
  var entry = null;
  script.opening.forEach(function (step) {{ entry = run(step); }});
  record.session = entry;
  var steps = script.sessions[entry] || script.sessions["*"] || [];
  // Write the record before the last call: a Terminate that carries a navigation
  // request may unload this page as soon as it returns.
  steps.forEach(function (step, i) {{
    if (i === steps.length - 1) finish();
    run(step);
  }});
  finish();
}})();
</script></body></html>
"""


def sco_page(title: str, script: Script) -> str:
    return SCO_PAGE.format(title=title, script=script.to_json().replace("</", "<\\/"))


def package_zip(files: dict[str, str]) -> bytes:
    """A zip of ``{name: text}``, in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


@dataclass(frozen=True)
class Sco:
    identifier: str
    title: str
    script: Script
    item_extra: str = ""  # child elements and attributes of the <item>
    item_attributes: str = ""

    @property
    def href(self) -> str:
        return f"{self.identifier}.html"


def _package(scos: list[Sco], manifest: Callable[[str, str], str], scormtype: str):
    items = "".join(
        f'<item identifier="{s.identifier}" identifierref="R-{s.identifier}"'
        f"{s.item_attributes}><title>{s.title}</title>{s.item_extra}</item>"
        for s in scos
    )
    resources = "".join(
        f'<resource identifier="R-{s.identifier}" type="webcontent" '
        f'{scormtype}="sco" href="{s.href}"><file href="{s.href}"/></resource>'
        for s in scos
    )
    files = {"imsmanifest.xml": manifest(items, resources)}
    return package_zip(files | {s.href: sco_page(s.title, s.script) for s in scos})


def scorm12_package(scos: list[Sco]) -> bytes:
    """A SCORM 1.2 package (CAM 1.2 §2.3) with one item and resource per SCO."""
    return _package(scos, scorm12_manifest, "adlcp:scormtype")


def scorm2004_package(
    scos: list[Sco], *, version: str = "2004 4th Edition", org_extra: str = ""
) -> bytes:
    """A SCORM 2004 package (CAM 4th ed. §3) with one item and resource per SCO;
    ``org_extra`` ends the organization (its sequencing)."""

    def manifest(items: str, resources: str) -> str:
        return scorm2004_manifest(
            items, resources, version=version, org_extra=org_extra
        )

    return _package(scos, manifest, "adlcp:scormType")


# --- SCORM 1.2 -------------------------------------------------------------------

B12_API = "RTE 1.2 §3.3 (API)"
B12_ERR = "RTE 1.2 §3.3, error codes"
B12_DM = "RTE 1.2 §3.4 (data model)"
LAUNCH_DATA = "launch-data-from-the-manifest"


def scorm12_script(*, first_time: float = 90, second_time: float = 45) -> Script:
    """Session 1 suspends mid-lesson with score, interactions, objectives and a
    comment; session 2 resumes, then passes and exits normally."""
    get, set_, c = "LMSGetValue", "LMSSetValue", call
    opening = [
        # 301 "Not initialized": any call before LMSInitialize.
        c(get, "cmi.core.student_id", result="", error="301", book=B12_ERR),
        c(set_, "cmi.core.lesson_location", "x", result="false", error="301",
          book=B12_ERR),
        c("LMSCommit", "", result="false", error="301", book=B12_ERR),
        c("LMSFinish", "", result="false", error="301", book=B12_ERR),
        # The parameter is "" (LMSInitialize); anything else is 201.
        c("LMSInitialize", "x", result="false", error="201", book=B12_API),
        c("LMSInitialize", "", result="true", book=B12_API),
        # A second LMSInitialize fails with 101 General Exception.
        c("LMSInitialize", "", result="false", error="101", book=B12_ERR),
        c("LMSCommit", "x", result="false", error="201",
          book=f"{B12_API}, LMSCommit: the parameter is \"\""),
        c(get, "cmi.core.entry", result=re.compile("ab-initio|resume|"),
          book=f"{B12_DM}, cmi.core.entry"),
    ]  # fmt: skip
    first = [
        c(get, "cmi.core._children",
          result=listing("student_id", "student_name", "lesson_location", "credit",
                         "lesson_status", "entry", "score", "total_time", "exit",
                         "session_time"),
          book=f"{B12_DM}, cmi.core._children"),
        c(get, "cmi.core.score._children", result=listing("raw"),
          book=f"{B12_DM}, cmi.core.score._children"),
        c(get, "cmi.core.lesson_status", result="not attempted",
          book=f"{B12_DM}, cmi.core.lesson_status: initial value"),
        c(get, "cmi.core.credit", result="credit", book=f"{B12_DM}, cmi.core.credit"),
        c(get, "cmi.core.lesson_mode", result="normal",
          book=f"{B12_DM}, cmi.core.lesson_mode"),
        c(get, "cmi._version", result="3.4", book=f"{B12_DM}, cmi._version"),
        c(get, "cmi.objectives._children", result=listing("id", "score", "status"),
          book=f"{B12_DM}, cmi.objectives._children"),
        c(get, "cmi.core.total_time", result=lasting(0, edition="1.2"),
          book=f"{B12_DM}, cmi.core.total_time: 0000:00:00.00 at first"),
        c(get, "cmi.core.lesson_location", result="", book=B12_DM),
        c(get, "cmi.suspend_data", result="", book=B12_DM),
        c(get, "cmi.launch_data", result=LAUNCH_DATA,
          book=f"{B12_DM}, cmi.launch_data = adlcp:datafromlms"),
        # 404 write only, 403 read only, 402 keyword, 202/203 no children/count,
        # 401 not a data model element, 405 incorrect data type.
        c(get, "cmi.core.exit", result="", error="404", book=B12_ERR),
        c(get, "cmi.core.session_time", result="", error="404", book=B12_ERR),
        c(set_, "cmi.core.student_id", "JoeStudent", result="false", error="403",
          book=B12_ERR),
        c(set_, "cmi.core.total_time", "0000:10:00", result="false", error="403",
          book=B12_ERR),
        c(set_, "cmi.core._children", "student_id", result="false", error="402",
          book=B12_ERR),
        c(get, "cmi.core.lesson_location._children", result="", error="202",
          book=B12_ERR),
        c(get, "cmi.core._count", result="", error="203", book=B12_ERR),
        c(get, "xyz.score.result", result="", error="401", book=B12_ERR),
        c(set_, "cmi.core.score.raw", "lots", result="false", error="405",
          book=B12_ERR),
        c(set_, "cmi.core.exit", "sideways", result="false", error="405",
          book=B12_ERR),
        c(set_, "cmi.core.session_time", "1:00", result="false", error="405",
          book=f"{B12_DM}, CMITimespan: HHHH:MM:SS.SS"),
        # The SCO may not set "not attempted" (cmi.core.lesson_status vocabulary).
        c(set_, "cmi.core.lesson_status", "not attempted", result="false",
          error="405", book=f"{B12_DM}, cmi.core.lesson_status"),
        c(set_, "cmi.core.lesson_location", "page-3", result="true"),
        c(get, "cmi.core.lesson_location", result="page-3"),
        c(set_, "cmi.suspend_data", "state=A;B", result="true"),
        c(set_, "cmi.core.score.raw", "40", result="true"),
        c(set_, "cmi.core.score.min", "0", result="true"),
        c(set_, "cmi.core.score.max", "100", result="true"),
        c(set_, "cmi.core.lesson_status", "incomplete", result="true"),
        c(get, "cmi.interactions._count", result="0",
          book=f"{B12_DM}, cmi.interactions._count"),
        c(set_, "cmi.interactions.0.id", "q1", result="true"),
        c(set_, "cmi.interactions.0.type", "guess", result="false", error="405",
          book=f"{B12_DM}, cmi.interactions.n.type vocabulary"),
        c(set_, "cmi.interactions.0.type", "choice", result="true"),
        c(set_, "cmi.interactions.0.student_response", "a", result="true"),
        c(set_, "cmi.interactions.0.result", "wrong", result="true"),
        c(set_, "cmi.interactions.0.weighting", "1", result="true"),
        c(set_, "cmi.interactions.0.latency", "00:00:05", result="true"),
        # Interactions are write only in SCORM 1.2 (only _count is readable).
        c(get, "cmi.interactions.0.id", result="", error="404",
          book=f"{B12_DM}, cmi.interactions.n.id: write only"),
        c(set_, "cmi.objectives.0.id", "obj-1", result="true"),
        c(set_, "cmi.objectives.0.status", "incomplete", result="true"),
        c(set_, "cmi.objectives.0.score.raw", "40", result="true"),
        c(get, "cmi.objectives._count", result="1"),
        c(get, "cmi.objectives.0.id", result="obj-1"),
        c(set_, "cmi.comments", "First note", result="true"),
        c(set_, "cmi.core.session_time", _timespan(first_time), result="true"),
        c(set_, "cmi.core.exit", "suspend", result="true"),
        c("LMSCommit", "", result="true", book=B12_API),
        c("LMSGetErrorString", "405", result=re.compile(".+"), book=B12_API),
        c("LMSFinish", "", result="true", book=B12_API),
        # After LMSFinish the API is no longer initialized (the 1.2 API has no
        # terminated state): 301 Not initialized, nothing stored.
        c(set_, "cmi.core.lesson_location", "late", result="false", error="301",
          book=B12_ERR),
        c(get, "cmi.core.lesson_location", result="", error="301", book=B12_ERR),
        c("LMSFinish", "", result="false", error="301", book=B12_ERR),
    ]  # fmt: skip
    second = [
        c(get, "cmi.core.lesson_location", result="page-3",
          book=f"{B12_DM}, cmi.core.entry resume"),
        c(get, "cmi.suspend_data", result="state=A;B", book=B12_DM),
        c(get, "cmi.core.total_time", result=lasting(first_time, edition="1.2"),
          book=f"{B12_DM}, cmi.core.session_time accumulates into total_time"),
        c(get, "cmi.core.lesson_status", result="incomplete", book=B12_DM),
        c(get, "cmi.core.score.raw", result="40", book=B12_DM),
        c(get, "cmi.interactions._count", result="1", book=B12_DM),
        c(get, "cmi.objectives.0.status", result="incomplete", book=B12_DM),
        c(get, "cmi.comments", result="First note", book=f"{B12_DM}, cmi.comments"),
        c(set_, "cmi.interactions.1.id", "q2", result="true"),
        c(set_, "cmi.interactions.1.type", "true-false", result="true"),
        c(set_, "cmi.interactions.1.student_response", "t", result="true"),
        c(set_, "cmi.interactions.1.result", "correct", result="true"),
        c(set_, "cmi.objectives.0.status", "passed", result="true"),
        c(set_, "cmi.objectives.0.score.raw", "90", result="true"),
        c(set_, "cmi.core.score.raw", "85", result="true"),
        c(set_, "cmi.core.lesson_status", "passed", result="true"),
        c(set_, "cmi.core.session_time", _timespan(second_time), result="true"),
        c(set_, "cmi.core.exit", "", result="true"),
        c("LMSCommit", "", result="true", book=B12_API),
        c("LMSFinish", "", result="true", book=B12_API),
    ]  # fmt: skip
    # After a normal exit the next launch is neither ab-initio nor resume: entry ""
    # (cmi.core.exit ""), and score.raw "reflects what was recorded on the
    # student's last previous attempt" (cmi.core.score.raw).
    review = [
        c(get, "cmi.core.score.raw", result="85",
          book=f"{B12_DM}, cmi.core.score.raw: the last attempt's"),
        c(get, "cmi.core.lesson_status", result="passed", book=B12_DM),
        c("LMSFinish", "", result="true", book=B12_API),
    ]  # fmt: skip
    return Script("API", opening, {"ab-initio": first, "resume": second, "": review})


def _timespan(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"00:{minutes:02d}:{rest:02d}"


def scorm12_conformance_package() -> bytes:
    """One SCO with launch data (adlcp:datafromlms, CAM 1.2)."""
    sco = Sco(
        "sco1",
        "Conformance 1.2",
        scorm12_script(),
        item_extra=f"<adlcp:datafromlms>{LAUNCH_DATA}</adlcp:datafromlms>",
    )
    return scorm12_package([sco])


# --- SCORM 2004 ------------------------------------------------------------------

B04_API = "RTE 4th ed. §3.1 (API)"
B04_ERR = "RTE 4th ed. §3.1.7, Table 3.1.7.6a"
B04_DM = "RTE 4th ed. §4.2 (data model)"


def scorm2004_script(*, first_time: float = 90, second_time: float = 45) -> Script:
    """Session 1 suspends mid-lesson with score, interactions, objectives and
    comments; session 2 resumes, then completes, passes and exits normally."""
    get, set_, c = "GetValue", "SetValue", call
    opening = [
        c(get, "cmi.learner_id", result="", error="122", book=B04_ERR),
        c(set_, "cmi.location", "x", result="false", error="132", book=B04_ERR),
        c("Commit", "", result="false", error="142", book=B04_ERR),
        c("Terminate", "", result="false", error="112", book=B04_ERR),
        c("Initialize", "x", result="false", error="201",
          book=f"{B04_API}, Initialize: the parameter is \"\""),
        c("Initialize", "", result="true", book=B04_API),
        c("Initialize", "", result="false", error="103", book=B04_ERR),
        c("Commit", "x", result="false", error="201",
          book=f"{B04_API}, Commit: the parameter is \"\""),
        c(get, "cmi.entry", result=re.compile("ab-initio|resume"),
          book=f"{B04_DM}, cmi.entry"),
    ]  # fmt: skip
    first = [
        c(get, "cmi._version", result="1.0", book=f"{B04_DM}, cmi._version"),
        c(get, "cmi.mode", result="normal", book=f"{B04_DM}, cmi.mode"),
        c(get, "cmi.credit", result="credit", book=f"{B04_DM}, cmi.credit"),
        c(get, "cmi.completion_status", result="unknown",
          book=f"{B04_DM}, cmi.completion_status: unknown at first"),
        c(get, "cmi.success_status", result="unknown",
          book=f"{B04_DM}, cmi.success_status: unknown at first"),
        c(get, "cmi.total_time", result=lasting(0, edition="2004"),
          book=f"{B04_DM}, cmi.total_time"),
        c(get, "cmi.launch_data", result=LAUNCH_DATA,
          book=f"{B04_DM}, cmi.launch_data = adlcp:dataFromLMS"),
        c(get, "cmi.scaled_passing_score", result="0.8",
          book=f"{B04_DM}, cmi.scaled_passing_score = imsss:minNormalizedMeasure"),
        c(get, "cmi.completion_threshold", result="", error="403",
          book=f"{B04_DM}, cmi.completion_threshold: none in the manifest"),
        c(get, "cmi.max_time_allowed", result="", error="403",
          book=f"{B04_DM}, cmi.max_time_allowed: none in the manifest"),
        c(get, "cmi.time_limit_action", result="continue,no message",
          book=f"{B04_DM}, cmi.time_limit_action: default"),
        c(get, "cmi.learner_preference.audio_level", result="1",
          book=f"{B04_DM}, cmi.learner_preference: defaults"),
        c(get, "cmi.learner_preference.delivery_speed", result="1",
          book=f"{B04_DM}, cmi.learner_preference: defaults"),
        c(get, "cmi.learner_preference.audio_captioning", result="0",
          book=f"{B04_DM}, cmi.learner_preference: defaults"),
        c(set_, "cmi.learner_preference.audio_level", "-1", result="false",
          error="407", book=f"{B04_DM}, audio_level: 0 or more"),
        c(set_, "cmi.progress_measure", "1.5", result="false", error="407",
          book=f"{B04_DM}, cmi.progress_measure: 0 to 1"),
        # 403: a value nobody has set yet.
        c(get, "cmi.location", result="", error="403", book=B04_ERR),
        c(get, "cmi.suspend_data", result="", error="403", book=B04_ERR),
        c(get, "cmi.score.raw", result="", error="403", book=B04_ERR),
        # 405 write only, 404 read only (keywords too), 401 undefined.
        c(get, "cmi.exit", result="", error="405", book=B04_ERR),
        c(get, "cmi.session_time", result="", error="405", book=B04_ERR),
        c(set_, "cmi.learner_id", "someone", result="false", error="404",
          book=B04_ERR),
        c(set_, "cmi._version", "2.0", result="false", error="404", book=B04_ERR),
        c(set_, "cmi.comments_from_lms.0.comment", "x", result="false",
          error="404", book=B04_ERR),
        c(get, "cmi.no_such_element", result="", error="401", book=B04_ERR),
        # 406 type mismatch, 407 out of range.
        c(set_, "cmi.completion_status", "done", result="false", error="406",
          book=B04_ERR),
        c(set_, "cmi.score.scaled", "high", result="false", error="406",
          book=B04_ERR),
        c(set_, "cmi.score.scaled", "1.5", result="false", error="407",
          book=f"{B04_DM}, cmi.score.scaled: -1 to 1"),
        # 301 / 351: the SCORM extension errors (element not named, no children,
        # no count, collection out of range or set out of order, unique id).
        c(get, "", result="", error="301", book=B04_ERR),
        c(set_, "", "x", result="false", error="351", book=B04_ERR),
        c(get, "cmi.location._children", result="", error="301", book=B04_ERR),
        c(get, "cmi.location._count", result="", error="301", book=B04_ERR),
        c(get, "cmi.interactions._count", result="0", book=B04_DM),
        c(get, "cmi.interactions.0.id", result="", error="301", book=B04_ERR),
        c(set_, "cmi.interactions.1.id", "q2", result="false", error="351",
          book=B04_ERR),
        # 408: an interaction's other elements need its id first.
        c(set_, "cmi.interactions.0.type", "choice", result="false", error="408",
          book=f"{B04_DM}, cmi.interactions.n.id"),
        c(set_, "cmi.interactions.0.id", "q1", result="true"),
        # The response formats depend on the type: it comes first.
        c(set_, "cmi.interactions.0.learner_response", "a", result="false",
          error="408", book=f"{B04_DM}, cmi.interactions.n.learner_response"),
        c(set_, "cmi.interactions.0.type", "choice", result="true"),
        c(set_, "cmi.interactions.0.description", "{lang=en}Question one",
          result="true"),
        c(set_, "cmi.interactions.0.learner_response", "a", result="true"),
        c(set_, "cmi.interactions.0.correct_responses.0.pattern", "b",
          result="true"),
        c(set_, "cmi.interactions.0.result", "incorrect", result="true"),
        c(set_, "cmi.interactions.0.weighting", "1", result="true"),
        c(set_, "cmi.interactions.0.latency", "PT5S", result="true"),
        c(set_, "cmi.interactions.0.objectives.0.id", "obj-1", result="true"),
        c(set_, "cmi.interactions.0.objectives.1.id", "obj-1", result="false",
          error="351", book=f"{B04_DM}, cmi.interactions.n.objectives.n.id: unique"),
        c(get, "cmi.interactions.0.correct_responses._count", result="1"),
        c(get, "cmi.interactions.0.id", result="q1", book=B04_DM),
        c(get, "cmi.interactions.0.type", result="choice", book=B04_DM),
        c(set_, "cmi.objectives.0.success_status", "passed", result="false",
          error="408", book=f"{B04_DM}, cmi.objectives.n.id first"),
        c(set_, "cmi.objectives.0.id", "obj-1", result="true"),
        # Objective ids are unique within the SCO, and set once.
        c(set_, "cmi.objectives.1.id", "obj-1", result="false", error="351",
          book=f"{B04_DM}, cmi.objectives.n.id: unique"),
        c(set_, "cmi.objectives.0.id", "obj-2", result="false", error="351",
          book=f"{B04_DM}, cmi.objectives.n.id: set once"),
        c(set_, "cmi.objectives.0.score.scaled", "0.4", result="true"),
        c(set_, "cmi.objectives.0.completion_status", "incomplete", result="true"),
        c(set_, "cmi.comments_from_learner.0.comment", "{lang=en}First note",
          result="true"),
        c(set_, "cmi.comments_from_learner.0.location", "page-3", result="true"),
        c(get, "cmi.comments_from_learner.0.timestamp", result="", error="403",
          book=B04_ERR),
        c(set_, "cmi.comments_from_learner.0.timestamp", "yesterday",
          result="false", error="406", book=f"{B04_DM}, time (second,10,0)"),
        c(get, "cmi.comments_from_lms._count", result="0", book=B04_DM),
        c(set_, "cmi.location", "page-3", result="true"),
        c(get, "cmi.location", result="page-3"),
        c(set_, "cmi.suspend_data", "state=A;B", result="true"),
        c(set_, "cmi.score.raw", "40", result="true"),
        c(set_, "cmi.score.min", "0", result="true"),
        c(set_, "cmi.score.max", "100", result="true"),
        c(set_, "cmi.score.scaled", "0.4", result="true"),
        # With a scaled passing score the LMS answers the success status by the
        # score, whatever the SCO set (cmi.success_status, evaluation).
        c(set_, "cmi.success_status", "passed", result="true"),
        c(get, "cmi.success_status", result="failed",
          book=f"{B04_DM}, cmi.success_status with cmi.scaled_passing_score"),
        c(set_, "cmi.completion_status", "incomplete", result="true"),
        c(set_, "cmi.progress_measure", "0.5", result="true"),
        c(set_, "cmi.session_time", f"PT{int(first_time)}S", result="true"),
        c(set_, "cmi.exit", "suspend", result="true"),
        c("Commit", "", result="true", book=B04_API),
        c("GetErrorString", "406", result="Data Model Element Type Mismatch",
          book=B04_ERR),
        # An error code the LMS does not know: the only empty answer.
        c("GetErrorString", "999", result="", book=f"{B04_API}, GetErrorString"),
        c("Terminate", "", result="true", book=B04_API),
        c(get, "cmi.location", result="", error="123", book=B04_ERR),
        c(set_, "cmi.location", "late", result="false", error="133", book=B04_ERR),
        c("Commit", "", result="false", error="143", book=B04_ERR),
        c("Terminate", "", result="false", error="113", book=B04_ERR),
        c("Initialize", "", result="false", error="104", book=B04_ERR),
    ]  # fmt: skip
    second = [
        c(get, "cmi.location", result="page-3", book=f"{B04_DM}, cmi.entry resume"),
        c(get, "cmi.suspend_data", result="state=A;B", book=B04_DM),
        c(get, "cmi.total_time", result=lasting(first_time, edition="2004"),
          book=f"{B04_DM}, cmi.total_time: the sum of the session times"),
        c(get, "cmi.completion_status", result="incomplete", book=B04_DM),
        c(get, "cmi.score.raw", result="40", book=B04_DM),
        c(get, "cmi.interactions._count", result="1", book=B04_DM),
        c(get, "cmi.interactions.0.result", result="incorrect", book=B04_DM),
        c(get, "cmi.objectives.0.id", result="obj-1", book=B04_DM),
        c(get, "cmi.comments_from_learner._count", result="1", book=B04_DM),
        c(get, "cmi.comments_from_learner.0.comment", result="{lang=en}First note",
          book=B04_DM),
        c(set_, "cmi.interactions.1.id", "q2", result="true"),
        c(set_, "cmi.interactions.1.type", "true-false", result="true"),
        c(set_, "cmi.interactions.1.learner_response", "true", result="true"),
        c(set_, "cmi.interactions.1.result", "correct", result="true"),
        c(set_, "cmi.objectives.0.success_status", "passed", result="true"),
        c(set_, "cmi.objectives.0.completion_status", "completed", result="true"),
        c(set_, "cmi.objectives.0.score.scaled", "0.9", result="true"),
        c(set_, "cmi.comments_from_learner.1.comment", "Second note",
          result="true"),
        c(set_, "cmi.score.raw", "85", result="true"),
        c(set_, "cmi.score.scaled", "0.85", result="true"),
        c(set_, "cmi.completion_status", "completed", result="true"),
        c(set_, "cmi.success_status", "passed", result="true"),
        c(set_, "cmi.session_time", f"PT{int(second_time)}S", result="true"),
        c(set_, "cmi.exit", "normal", result="true"),
        c("Commit", "", result="true", book=B04_API),
        c("Terminate", "", result="true", book=B04_API),
    ]  # fmt: skip
    return Script("API_1484_11", opening, {"ab-initio": first, "resume": second})


def scorm2004_conformance_package(version: str = "2004 4th Edition") -> bytes:
    """One SCO with launch data (adlcp:dataFromLMS, CAM 4th ed.)."""
    sco = Sco(
        "sco1",
        f"Conformance {version}",
        scorm2004_script(),
        item_extra=f"<adlcp:dataFromLMS>{LAUNCH_DATA}</adlcp:dataFromLMS>"
        + passing_score(0.8),
    )
    return scorm2004_package([sco], version=version)


def passing_score(measure: float, *objective_ids: str) -> str:
    """An item's sequencing with a primary objective satisfied by a measure of
    ``measure`` (SN 4th ed. imsss:primaryObjective); named by the first of
    ``objective_ids``, with one more objective for each of the others."""
    primary, *others = objective_ids or ("",)
    name = f' objectiveID="{primary}"' if primary else ""
    return (
        "<imsss:sequencing><imsss:objectives>"
        f'<imsss:primaryObjective{name} satisfiedByMeasure="true">'
        f"<imsss:minNormalizedMeasure>{measure}</imsss:minNormalizedMeasure>"
        "</imsss:primaryObjective>"
        + "".join(f'<imsss:objective objectiveID="{o}"/>' for o in others)
        + "</imsss:objectives></imsss:sequencing>"
    )


def scorm2004_objectives_script() -> Script:
    """The SCO's activity defines two objectives by id: the LMS lists them in
    cmi.objectives from the start (RTE 4th ed. §4.2.17, cmi.objectives: run-time
    objectives are initialized for the objective IDs of the sequencing
    information, their order not significant)."""
    listed = re.compile("PRIMARY|obj-extra")
    return _finishing_script(
        "API_1484_11",
        [],
        extra=[
            call("GetValue", "cmi.objectives._count", result="2",
                 book="RTE 4th ed. §4.2.17, cmi.objectives: initialization"),
            call("GetValue", "cmi.objectives.0.id", result=listed),
            call("GetValue", "cmi.objectives.1.id", result=listed),
        ],
    )  # fmt: skip


def scorm2004_objectives_package() -> bytes:
    sco = Sco(
        "sco1",
        "Objectives",
        scorm2004_objectives_script(),
        passing_score(0.8, "PRIMARY", "obj-extra"),
    )
    return scorm2004_package([sco])


# --- SCORM 1.2: a mastery score; two SCOs with a prerequisite ------------------


def scorm12_mastery_script() -> Script:
    """Session 1 reports a low score and "incomplete", and suspends; session 2
    reports "completed" with a score over the mastery score of 80."""
    get, set_, c = "LMSGetValue", "LMSSetValue", call
    opening = [
        c("LMSInitialize", "", result="true"),
        c(get, "cmi.core.entry", result=re.compile("ab-initio|resume")),
    ]
    first = [
        c(get, "cmi.student_data.mastery_score", result="80",
          book=f"{B12_DM}, cmi.student_data.mastery_score: adlcp:masteryscore"),
        c(set_, "cmi.core.score.raw", "40", result="true"),
        c(set_, "cmi.core.lesson_status", "incomplete", result="true"),
        c(set_, "cmi.core.exit", "suspend", result="true"),
        c("LMSFinish", "", result="true"),
    ]  # fmt: skip
    second = [
        # Only "completed" is compared with the mastery score (RTE 1.2 §3.4.4
        # cmi.core.lesson_status: "After setting the cmi.core.lesson_status to
        # completed, the LMS should now check ... Mastery Score"); an
        # "incomplete" the SCO set stays.
        c(get, "cmi.core.lesson_status", result="incomplete",
          book="RTE 1.2 §3.4.4, cmi.core.lesson_status"),
        c(set_, "cmi.core.score.raw", "85", result="true"),
        c(set_, "cmi.core.lesson_status", "completed", result="true"),
        c(set_, "cmi.core.exit", "", result="true"),
        c("LMSFinish", "", result="true"),
    ]  # fmt: skip
    return Script("API", opening, {"ab-initio": first, "resume": second})


def scorm12_mastery_package() -> bytes:
    sco = Sco(
        "sco1",
        "Mastery 1.2",
        scorm12_mastery_script(),
        item_extra="<adlcp:masteryscore>80</adlcp:masteryscore>",
    )
    return scorm12_package([sco])


def scorm12_score_range_script() -> Script:
    """Scores outside 0..100 are refused (RTE 1.2 §3.4.4 cmi.core.score.raw: "a
    normalized value between 0 and 100"; 405 for a value of the wrong type)."""
    book = "RTE 1.2 §3.4.4, cmi.core.score.raw: 0 to 100"
    return _finishing_script(
        "API",
        [],
        extra=[
            call("LMSSetValue", "cmi.core.score.raw", "101", result="false",
                 error="405", book=book),
            call("LMSSetValue", "cmi.core.score.raw", "-1", result="false",
                 error="405", book=book),
        ],
    )  # fmt: skip


def scorm12_score_range_package() -> bytes:
    return scorm12_package(
        [Sco("sco1", "Score range 1.2", scorm12_score_range_script())]
    )


def _finishing_script(api: str, sets: list[tuple[str, str]], *, extra=()) -> Script:
    """Initialize, set ``sets`` (and the ``extra`` calls), then terminate."""
    prefix = "LMS" if api == "API" else ""
    entry = "cmi.core.entry" if api == "API" else "cmi.entry"
    start = "LMSInitialize" if api == "API" else "Initialize"
    finish = "LMSFinish" if api == "API" else "Terminate"
    calls = [call(f"{prefix}SetValue", k, v, result="true") for k, v in sets]
    return Script(
        api,
        [call(start, "", result="true"), call(f"{prefix}GetValue", entry)],
        {"*": [*calls, *extra, call(finish, "", result="true")]},
    )


def scorm12_prerequisites_package() -> bytes:
    """A lesson, then a quiz that opens once the lesson is completed
    (adlcp:prerequisites, CAM 1.2 §2.3.2.5.1)."""
    lesson = _finishing_script(
        "API",
        [
            ("cmi.core.lesson_status", "completed"),
            ("cmi.core.session_time", "00:00:30"),
        ],
    )
    quiz = _finishing_script(
        "API",
        [
            ("cmi.core.score.raw", "90"),
            ("cmi.core.lesson_status", "passed"),
            ("cmi.core.session_time", "00:01:00"),
        ],
    )
    return scorm12_package(
        [
            Sco("lesson", "Lesson", lesson),
            Sco(
                "quiz",
                "Quiz",
                quiz,
                item_extra='<adlcp:prerequisites type="aicc_script">lesson'
                "</adlcp:prerequisites>",
            ),
        ]
    )


# --- SCORM 2004: two SCOs, the first asks to continue ---------------------------

FLOW = (
    '<imsss:sequencing><imsss:controlMode choice="true" flow="true"/>'
    "</imsss:sequencing>"
)


def scorm2004_continue_scripts() -> tuple[Script, Script]:
    """Two SCOs in a flow cluster (SN 4th ed. controlMode flow): the first sets
    adl.nav.request to "continue" (RTE 4th ed. §4.4.2) and terminates. Each asks
    adl.nav.request_valid (§4.4.3) first: the player knows where it can go."""
    book = "RTE 4th ed. §4.4.3, adl.nav.request_valid"

    def valid(request: str, answer: str):
        return call("GetValue", f"adl.nav.request_valid.{request}", result=answer,
                    book=book)  # fmt: skip

    one = _finishing_script(
        "API_1484_11",
        [("cmi.completion_status", "completed")],
        extra=[
            valid("continue", "true"),
            valid("previous", "false"),
            valid("choice.{target=two}", "true"),
            valid("jump.{target=two}", "true"),
            valid("choice.{target=elsewhere}", "false"),
            call("GetValue", "adl.nav.request", result="_none_",
                 book="RTE 4th ed. §4.4.2, adl.nav.request: _none_ at first"),
            call("SetValue", "adl.nav.request", "continue", result="true"),
            call("GetValue", "adl.nav.request", result="continue"),
        ],
    )  # fmt: skip
    two = _finishing_script(
        "API_1484_11",
        [
            ("cmi.completion_status", "completed"),
            ("cmi.success_status", "passed"),
            ("cmi.score.scaled", "0.9"),
        ],
        extra=[valid("continue", "false"), valid("previous", "true")],
    )
    return one, two


def scorm2004_continue_package() -> bytes:
    one, two = scorm2004_continue_scripts()
    return scorm2004_package(
        [Sco("one", "One", one), Sco("two", "Two", two)], org_extra=FLOW
    )


def scorm2004_threshold_script() -> Script:
    """With a completion threshold the LMS answers the completion status by the
    progress measure, whatever the SCO set: "unknown" without one (RTE 4th ed.
    §4.2.4.1, completion_status evaluation)."""
    book = "RTE 4th ed. §4.2.4.1, cmi.completion_status with a threshold"
    get, set_ = "GetValue", "SetValue"
    return _finishing_script(
        "API_1484_11",
        [],
        extra=[
            call(get, "cmi.completion_threshold", result="0.6",
                 book=f"{B04_DM}, cmi.completion_threshold = adlcp:completionThreshold"),
            call(get, "cmi.completion_status", result="unknown", book=book),
            call(set_, "cmi.completion_status", "completed", result="true"),
            call(get, "cmi.completion_status", result="unknown", book=book),
            call(set_, "cmi.progress_measure", "0.5", result="true"),
            call(get, "cmi.completion_status", result="incomplete", book=book),
            call(set_, "cmi.progress_measure", "0.7", result="true"),
            call(get, "cmi.completion_status", result="completed", book=book),
        ],
    )  # fmt: skip


#: adlcp:completionThreshold of 0.6: an attribute in the 4th edition (CAM 4th ed.),
#: the element's text in the 3rd.
THRESHOLD = {
    "2004 4th Edition": '<adlcp:completionThreshold completedByMeasure="true" '
    'minProgressMeasure="0.6"/>',
    "2004 3rd Edition": "<adlcp:completionThreshold>0.6</adlcp:completionThreshold>",
}


def scorm2004_threshold_package(version: str) -> bytes:
    sco = Sco("sco1", "Threshold", scorm2004_threshold_script(), THRESHOLD[version])
    return scorm2004_package([sco], version=version)


# --- SCORM 2004: the last attempt opened for review --------------------------------


def scorm2004_review_script() -> Script:
    """Session 1 completes and passes with a normal exit. Past the course's attempt
    limit the next launch shows that attempt in review mode: cmi.mode "review" (RTE
    4th ed. §4.2.13), never for credit (§4.2.6), cmi.entry "" (§4.2.7); the SCO may
    still set values, and Commit / Terminate succeed."""
    get, set_ = "GetValue", "SetValue"
    first = [
        call(set_, "cmi.location", "page-9", result="true"),
        call(set_, "cmi.completion_status", "completed", result="true"),
        call(set_, "cmi.success_status", "passed", result="true"),
        call(set_, "cmi.score.scaled", "0.85", result="true"),
        call(set_, "cmi.exit", "normal", result="true"),
        call("Terminate", "", result="true"),
    ]
    review = [
        call(get, "cmi.mode", result="review", book=f"{B04_DM}, cmi.mode"),
        call(get, "cmi.credit", result="no-credit", book=f"{B04_DM}, cmi.credit"),
        call(get, "cmi.completion_status", result="completed"),
        call(get, "cmi.success_status", result="passed"),
        call(get, "cmi.score.scaled", result="0.85"),
        call(get, "cmi.location", result="page-9"),
        call(set_, "cmi.location", "page-1", result="true"),
        call(set_, "cmi.completion_status", "incomplete", result="true"),
        call("Commit", "", result="true"),
        call("Terminate", "", result="true"),
    ]
    return Script(
        "API_1484_11",
        [call("Initialize", "", result="true"), call(get, "cmi.entry")],
        {"ab-initio": first, "": review},
    )


def scorm2004_review_package() -> bytes:
    return scorm2004_package([Sco("sco1", "Review", scorm2004_review_script())])


# --- a staff preview: browse mode -------------------------------------------------


def preview_script(api: str) -> Script:
    """A SCO previewed by staff runs in browse mode, never for credit (RTE 4th ed.
    §4.2.13 cmi.mode, §4.2.6 cmi.credit; RTE 1.2 §3.4.4 cmi.core.lesson_mode and
    cmi.core.credit); it may set values, and Commit / Terminate succeed."""
    if api == "API":
        mode, credit, status = (
            "cmi.core.lesson_mode",
            "cmi.core.credit",
            ("cmi.core.lesson_status"),
        )
        book = B12_DM
    else:
        mode, credit, status = "cmi.mode", "cmi.credit", "cmi.completion_status"
        book = B04_DM
    prefix = "LMS" if api == "API" else ""
    return _finishing_script(
        api,
        [(status, "completed")],
        extra=[
            call(f"{prefix}GetValue", mode, result="browse", book=f"{book}, mode"),
            call(f"{prefix}GetValue", credit, result="no-credit",
                 book=f"{book}, credit"),
            call(f"{prefix}Commit", "", result="true"),
        ],
    )  # fmt: skip


def preview_package(api: str) -> bytes:
    sco = Sco("sco1", "Preview", preview_script(api))
    return scorm12_package([sco]) if api == "API" else scorm2004_package([sco])


# --- SCORM 2004: exit ends the SCO, exitAll the course ----------------------------


def scorm2004_exit_package() -> bytes:
    """Two SCOs: the first requests "exit" (SN 4th ed.: end this activity), the
    second "exitAll" (end the sequencing session) before Terminate."""

    def leaving(request: str) -> Script:
        return _finishing_script(
            "API_1484_11",
            [("cmi.completion_status", "completed"), ("adl.nav.request", request)],
        )

    return scorm2004_package(
        [Sco("one", "One", leaving("exit")), Sco("two", "Two", leaving("exitAll"))],
        org_extra=FLOW,
    )


def scorm2004_time_out_package() -> bytes:
    """Two SCOs; the first exits with "time-out" and asks to continue: RTE 4th ed.
    §4.2.10 cmi.exit has the LMS process Exit All instead of the pending request."""
    script = _finishing_script(
        "API_1484_11",
        [
            ("cmi.completion_status", "incomplete"),
            ("cmi.exit", "time-out"),
            ("adl.nav.request", "continue"),
        ],
    )
    second = _finishing_script("API_1484_11", [])
    return scorm2004_package(
        [Sco("one", "One", script), Sco("two", "Two", second)], org_extra=FLOW
    )


def scorm12_logout_package() -> bytes:
    """Two SCOs; the first exits with "logout" (RTE 1.2 §3.4.4 cmi.core.exit: the
    LMS logs the student out of the course after LMSFinish)."""
    script = _finishing_script(
        "API",
        [("cmi.core.lesson_status", "completed"), ("cmi.core.exit", "logout")],
    )
    second = _finishing_script("API", [])
    return scorm12_package([Sco("one", "One", script), Sco("two", "Two", second)])


def timestamp_package() -> bytes:
    """A SCO that sets a timestamp with a time zone but no fraction of a second:
    the default settings take it, strict SCORM refuses it (406, RTE 4th ed.
    §4.1.1.6); neither answer is checked here, the preview's API log shows it."""
    script = _finishing_script(
        "API_1484_11",
        [("cmi.comments_from_learner.0.comment", "note")],
        extra=[
            call("SetValue", "cmi.comments_from_learner.0.timestamp",
                 "2020-01-01T10:00:00Z", result=None, error=None),
        ],
    )  # fmt: skip
    return scorm2004_package([Sco("sco1", "Timestamps", script)])
