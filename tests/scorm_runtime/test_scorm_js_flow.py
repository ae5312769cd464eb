"""End to end in Chromium: SCO sessions through the adapter and apply_commit.

A SCO drives window.API / API_1484_11, the batches go through apply_commit, the next
launch resumes and completion rolls up (the issue 4 flow).
"""

from pathlib import Path

import pytest

from scorm_runtime import (
    activity_result,
    apply_commit,
    definitions,
    new_attempt_state,
    start_session,
)

CHROMIUM = Path("/usr/bin/chromium")
ADAPTER = Path(__file__).resolve().parents[2] / "hub/static/js/scorm-api.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium not installed at /usr/bin/chromium"
    ),
]

# The page loads the adapter, installs it on window with a transport that records
# batches, then "the SCO" (SCO_SCRIPT) finds window.API / API_1484_11 and runs.
LAUNCHER = """
window.launch = function (defs, state, scoSource) {
  window.batches = [];
  delete window.API; delete window.API_1484_11;  // fresh per launch
  var adapter = InteropScorm.install({
    definitions: defs, state: state, attemptKey: "flow",
    transport: {commit: function (changes, seq, meta) {
      window.batches.push({changes: changes, seq: seq, meta: meta});
      return Promise.resolve();
    }}
  });
  var log = new Function("API", "API_1484_11", scoSource)(window.API, window.API_1484_11);
  adapter.stopTimers();
  return new Promise(function (resolve) {
    setTimeout(function () { resolve({log: log, batches: window.batches}); }, 30);
  });
};
"""

SCO_2004_FIRST = """
var api = API_1484_11, log = [];
log.push(api.Initialize(""));
log.push(api.GetValue("cmi.entry"));
api.SetValue("cmi.location", "page-3");
api.SetValue("cmi.suspend_data", "{\\"p\\":3}");
api.SetValue("cmi.progress_measure", "0.4");
api.SetValue("cmi.interactions.0.id", "q1");
api.SetValue("cmi.interactions.0.type", "choice");
api.SetValue("cmi.interactions.0.learner_response", "b");
api.SetValue("cmi.interactions.0.result", "incorrect");
api.SetValue("cmi.session_time", "PT2M");
api.SetValue("cmi.exit", "suspend");
log.push(api.Terminate(""));
return log;
"""

SCO_2004_SECOND = """
var api = API_1484_11, log = [];
log.push(api.Initialize(""));
log.push(api.GetValue("cmi.entry"));
log.push(api.GetValue("cmi.location"));
log.push(api.GetValue("cmi.suspend_data"));
log.push(api.GetValue("cmi.interactions._count"));
log.push(api.GetValue("cmi.total_time"));
api.SetValue("cmi.progress_measure", "1");
api.SetValue("cmi.score.scaled", "0.9");
api.SetValue("cmi.session_time", "PT3M");
api.SetValue("cmi.exit", "normal");
log.push(api.GetValue("cmi.completion_status"));
log.push(api.GetValue("cmi.success_status"));
log.push(api.Terminate(""));
return log;
"""

SCO_12 = """
var api = API, log = [];
log.push(api.LMSInitialize(""));
api.LMSSetValue("cmi.core.score.raw", "85");
api.LMSSetValue("cmi.core.session_time", "00:05:00");
api.LMSSetValue("cmi.suspend_data", new Array(5001).join("x"));
log.push(api.LMSGetLastError());
log.push(api.LMSFinish(""));
return log;
"""


@pytest.fixture(scope="module")
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
            ],
        )
        page = browser.new_page()
        script = ADAPTER.read_text(encoding="utf-8")
        page.set_content(
            f"<html><body><script>{script}\n{LAUNCHER}</script></body></html>"
        )
        yield page
        browser.close()


def session(page, state, sco):
    """Run one SCO session in the browser and commit its batches on the server."""
    result = page.evaluate(
        "([d, s, sco]) => window.launch(d, s, sco)",
        [definitions(state.version), state.to_dict(), sco],
    )
    for batch in result["batches"]:
        outcome = apply_commit(
            state,
            batch["changes"],
            version=state.version,
            seq=batch["seq"],
            tab=batch["meta"]["tab"],
            terminate=batch["meta"]["terminate"],
        )
        assert outcome.errors == []
        state = outcome.state
    return result["log"], state


def test_flow_2004_suspend_resume_complete_rollup(page):
    state = new_attempt_state(
        "2004-4th",
        learner_id="u-7",
        learner_name="Ada",
        completion_threshold="0.8",
        scaled_passing_score="0.6",
    )
    log, state = session(page, start_session(state).state, SCO_2004_FIRST)
    assert log == ["true", "ab-initio", "true"]
    assert state.phase == "terminated"
    assert state.cmi["cmi.completion_status"] == "incomplete"

    launch = start_session(state)
    assert launch.decision == "resume"
    log, state = session(page, launch.state, SCO_2004_SECOND)
    assert log == [
        "true",
        "resume",
        "page-3",
        '{"p":3}',
        "1",
        "PT0H2M0S",
        "completed",
        "passed",
        "true",
    ]
    result = activity_result(state)
    assert (result.completion, result.success, result.scaled) == (
        "completed",
        "passed",
        0.9,
    )
    assert result.total_cs == 5 * 60 * 100
    assert start_session(state).decision == "new-attempt"


def test_flow_12_mastery_and_lenient_suspend_data(page):
    state = new_attempt_state(
        "1.2", learner_id="u-8", learner_name="Bo", mastery_score=80
    )
    log, state = session(page, start_session(state).state, SCO_12)
    assert log == ["true", "0", "true"]
    assert state.cmi["cmi.core.lesson_status"] == "passed"
    assert state.cmi["cmi.core.total_time"] == "0000:05:00.00"
    assert len(state.cmi["cmi.suspend_data"]) == 5000
