"""The browser adapter's commit pipeline: batches, retries, pagehide, second tab.

Runs hub/static/js/scorm-api.js in Chromium with a scripted transport, storage and
window, then applies the batches it produced with the server-side apply_commit.
"""

import copy
from pathlib import Path

import pytest

from scorm_runtime import apply_commit, definitions, new_attempt_state

CHROMIUM = Path("/usr/bin/chromium")
ADAPTER = Path(__file__).resolve().parents[2] / "hub/static/js/scorm-api.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium not installed at /usr/bin/chromium"
    ),
]

HARNESS = """
window.makeHarness = function (defs, state, options) {
  var h = {sent: [], beacons: [], synced: [], failing: options.failing || false,
           storage: {}, target: new EventTarget()};
  h.target.document = new EventTarget();
  h.target.document.visibilityState = "visible";
  var storage = {
    getItem: function (k) { return k in h.storage ? h.storage[k] : null; },
    setItem: function (k, v) { h.storage[k] = String(v); },
    removeItem: function (k) { delete h.storage[k]; }
  };
  var transport = {
    commit: function (changes, seq, meta) {
      if (h.failing) return Promise.reject(new Error("offline"));
      h.sent.push({changes: changes, seq: seq, meta: meta});
      return Promise.resolve();
    }
  };
  if (options.beacon) {
    transport.beacon = function (changes, seq, meta) {
      h.beacons.push({changes: changes, seq: seq, meta: meta});
      return true;
    };
  }
  if (options.beaconAll) {
    transport.beaconAll = function (batches) {
      h.beacons.push({all: batches});
      return true;
    };
  }
  if (options.sync !== undefined) {
    transport.commitSync = function (changes, seq, meta) {
      h.synced.push({changes: changes, seq: seq, meta: meta});
      return options.sync;
    };
  }
  if (options.queue) storage.setItem("interop-scorm-queue:a1", JSON.stringify(options.queue));
  h.limits = [];
  h.adapter = InteropScorm.install({definitions: defs, state: state, transport: transport,
    storage: storage, attemptKey: "a1", target: h.target,
    onTimeLimit: function (action) { h.limits.push(action); }});
  h.api = h.target.API || h.target.API_1484_11;
  h.settle = function () { return new Promise(function (r) { setTimeout(r, 30); }); };
  window.h = h;
  return true;
};
"""


@pytest.fixture(scope="module")
def browser_page():
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
            f"<html><body><script>{script}\n{HARNESS}</script></body></html>"
        )
        yield page
        browser.close()


def harness(page, version="2004-4th", autocommit=None, launch=None, **options):
    defs = copy.deepcopy(definitions(version))
    if autocommit is not None:
        defs["settings"]["autocommit_seconds"] = autocommit
    state = new_attempt_state(
        version, learner_id="l", learner_name="n", **(launch or {})
    ).to_dict()
    page.evaluate("([d, s, o]) => window.makeHarness(d, s, o)", [defs, state, options])


def run(page, script):
    return page.evaluate(f"async () => {{ var h = window.h; {script} }}")


def test_adapter_commit_and_terminate_send_ordered_batches(browser_page):
    harness(browser_page)
    result = run(
        browser_page,
        """
        var api = h.api;
        api.Initialize("");
        api.SetValue("cmi.location", "p1");
        api.SetValue("cmi.score.scaled", "2");
        api.SetValue("cmi.exit", "suspend");
        var commit = api.Commit("");
        api.SetValue("cmi.session_time", "PT5M");
        var term = api.Terminate("");
        await h.settle();
        return {commit: commit, term: term, sent: h.sent,
                queue: h.storage["interop-scorm-queue:a1"] || null};
        """,
    )
    assert (result["commit"], result["term"]) == ("true", "true")
    sent = result["sent"]
    assert [batch["seq"] for batch in sent] == [1, 2]
    assert sent[0]["changes"] == [["cmi.location", "p1"], ["cmi.exit", "suspend"]]
    assert [batch["meta"]["terminate"] for batch in sent] == [False, True]
    assert sent[0]["meta"]["tab"] == sent[1]["meta"]["tab"] != ""
    assert result["queue"] is None
    state = new_attempt_state("2004-4th", learner_id="l", learner_name="n")
    for batch in sent:
        outcome = apply_commit(
            state,
            batch["changes"],
            version="2004-4th",
            seq=batch["seq"],
            tab=batch["meta"]["tab"],
            terminate=batch["meta"]["terminate"],
        )
        assert outcome.errors == []
        state = outcome.state
    assert state.phase == "terminated"
    assert state.cmi["cmi.total_time"] == "PT0H5M0S"
    assert state.cmi["cmi.exit"] == "suspend"


def test_adapter_offline_batches_kept_then_sent_when_online(browser_page):
    harness(browser_page, failing=True)
    queued = run(
        browser_page,
        """
        h.api.Initialize("");
        h.api.SetValue("cmi.suspend_data", "state-1");
        var result = h.api.Commit("");
        await h.settle();
        return [result, JSON.parse(h.storage["interop-scorm-queue:a1"]).length];
        """,
    )
    assert queued == ["true", 1]
    sent = run(
        browser_page,
        """
        h.failing = false;
        h.target.dispatchEvent(new Event("online"));
        await h.settle();
        return [h.sent.map(function (b) { return b.seq; }),
                h.storage["interop-scorm-queue:a1"] || null];
        """,
    )
    assert sent == [[1], None]


def test_adapter_queue_left_by_closed_tab_sent_at_install(browser_page):
    leftover = [
        {
            "attempt": "a1",
            "tab": "old",
            "seq": 4,
            "changes": [["cmi.location", "x"]],
            "terminate": False,
        }
    ]
    harness(browser_page, queue=leftover)
    sent = run(browser_page, "await h.settle(); return h.sent;")
    assert sent == [
        {
            "changes": [["cmi.location", "x"]],
            "seq": 4,
            "meta": {"terminate": False, "tab": "old", "attempt": "a1"},
        }
    ]


def test_adapter_commit_sync_failure_returns_391_and_keeps_batch(browser_page):
    harness(browser_page, sync=False, failing=True)
    result = run(
        browser_page,
        """
        h.api.Initialize("");
        h.api.SetValue("cmi.location", "p9");
        var commit = h.api.Commit("");
        return [commit, h.api.GetLastError(), h.synced.length,
                JSON.parse(h.storage["interop-scorm-queue:a1"]).length];
        """,
    )
    assert result == ["false", "391", 1, 1]


def test_adapter_commit_sync_success_acknowledged(browser_page):
    harness(browser_page, version="1.2", sync=True)
    result = run(
        browser_page,
        """
        h.api.LMSInitialize("");
        h.api.LMSSetValue("cmi.core.lesson_status", "completed");
        var finish = h.api.LMSFinish("");
        await h.settle();
        return [finish, h.synced.length, h.sent.length,
                h.storage["interop-scorm-queue:a1"] || null];
        """,
    )
    assert result == ["true", 1, 0, None]


def test_adapter_pagehide_seals_pending_into_beacon(browser_page):
    harness(browser_page, beacon=True)
    beacons = run(
        browser_page,
        """
        h.api.Initialize("");
        h.api.SetValue("cmi.location", "p4");
        h.target.document.visibilityState = "hidden";
        h.target.document.dispatchEvent(new Event("visibilitychange"));
        h.target.dispatchEvent(new Event("pagehide"));
        return h.beacons;
        """,
    )
    assert beacons[0]["changes"] == [["cmi.location", "p4"]]
    assert beacons[0]["seq"] == 1
    assert all(beacon["seq"] == 1 for beacon in beacons)


def test_adapter_pagehide_sends_the_whole_queue_in_one_ordered_beacon(browser_page):
    # Offline: two batches wait in the queue when the page closes.
    harness(browser_page, beaconAll=True, failing=True)
    beacons = run(
        browser_page,
        """
        h.api.Initialize("");
        h.api.SetValue("cmi.location", "p1");
        h.api.Commit("");
        h.api.SetValue("cmi.location", "p2");
        h.target.dispatchEvent(new Event("pagehide"));
        return h.beacons;
        """,
    )
    assert len(beacons) == 1
    batches = beacons[0]["all"]
    assert [b["seq"] for b in batches] == [1, 2]
    assert [b["changes"] for b in batches] == [
        [["cmi.location", "p1"]],
        [["cmi.location", "p2"]],
    ]


def test_adapter_second_tab_takes_lock_first_refuses_writes(browser_page):
    harness(browser_page)
    result = run(
        browser_page,
        """
        h.api.Initialize("");
        h.api.SetValue("cmi.location", "before");
        var event = new Event("storage");
        event.key = "interop-scorm-lock:a1";
        event.newValue = "another-tab";
        h.target.dispatchEvent(event);
        await h.settle();
        return [h.api.SetValue("cmi.location", "after"), h.api.GetLastError(),
                h.api.GetValue("cmi.location"), h.api.Terminate(""),
                h.api.GetLastError(), h.sent.length];
        """,
    )
    assert result == ["false", "391", "before", "false", "111", 1]


def test_adapter_autocommit_interval_sends_pending(browser_page):
    harness(browser_page, autocommit=0.02)
    sent = run(
        browser_page,
        """
        h.api.Initialize("");
        h.api.SetValue("cmi.location", "auto");
        for (var i = 0; i < 250 && h.sent.length === 0; i++) {
          await new Promise(function (r) { setTimeout(r, 20); });
        }
        h.adapter.stopTimers();
        return h.sent;
        """,
    )
    assert sent[0]["changes"] == [["cmi.location", "auto"]]


def test_adapter_dispose_flushes_and_stops_listening(browser_page):
    harness(browser_page, beacon=True)
    result = run(
        browser_page,
        """
        h.api.Initialize("");
        h.api.SetValue("cmi.location", "last");
        h.adapter.dispose();
        var before = h.beacons.length;
        h.target.dispatchEvent(new Event("pagehide"));
        return [before, h.beacons.length, h.beacons[0].changes];
        """,
    )
    assert result == [1, 1, [["cmi.location", "last"]]]


@pytest.mark.parametrize(
    ("version", "limit", "action"),
    [
        ("2004-4th", "PT0.05S", "exit,message"),
        ("1.2", "00:00:00.05", "exit,no message"),
    ],
)
def test_adapter_time_limit_reached_calls_back_with_action(
    browser_page, version, limit, action
):
    harness(
        browser_page,
        version=version,
        launch={"max_time_allowed": limit, "time_limit_action": action},
    )
    initialize = "LMSInitialize" if version == "1.2" else "Initialize"
    limits = run(
        browser_page,
        f"""
        h.api.{initialize}("");
        for (var i = 0; i < 100 && h.limits.length === 0; i++) {{
          await new Promise(function (r) {{ setTimeout(r, 20); }});
        }}
        h.adapter.stopTimers();
        return h.limits;
        """,
    )
    assert limits == [action]


def test_adapter_no_time_limit_no_callback(browser_page):
    harness(browser_page)
    limits = run(
        browser_page,
        """
        h.api.Initialize("");
        await new Promise(function (r) { setTimeout(r, 100); });
        return h.limits;
        """,
    )
    assert limits == []
