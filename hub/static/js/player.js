// The player page: hands the server what a closed page left queued on this device,
// starts the SCO (the launch answers the adapter's configuration), installs the SCORM
// API adapter (scorm-api.js) with a transport to the hub's commit endpoint, loads the
// SCO, and navigates between SCOs so that the SCO always gets the chance to Terminate
// (and its data to reach the server) first. A course set to open in a new window
// runs its SCOs in a window of their own, which finds the API through its opener.
(function () {
  "use strict";

  var boot = JSON.parse(document.getElementById("player-boot").textContent);
  var frame = document.getElementById("sco");
  var statusLine = document.querySelector("[data-status]");
  var finished = document.querySelector("[data-finished]");
  var newWindow = document.querySelector("[data-new-window]");
  var notRecorded = document.querySelector("[data-not-recorded]");
  var pendingNavigation = null;
  var popup = null; // the SCO's own window, when the course opens one
  var config = null; // set by the launch

  function body(changes, seq, meta) {
    return JSON.stringify({ key: config.commitKey, seq: seq, tab: meta.tab,
      changes: changes, terminate: !!meta.terminate });
  }

  var transport = {
    // Asynchronous commit (autocommit, retries): resolves once the server stored it.
    commit: function (changes, seq, meta) {
      return fetch(config.commitUrl, {
        method: "POST", credentials: "same-origin", keepalive: true,
        headers: { "Content-Type": "application/json" }, body: body(changes, seq, meta)
      }).then(function (response) {
        if (!response.ok) throw new Error("commit failed: " + response.status);
        return response.json();
      });
    },
    // Commit / Terminate: SCORM's calls are synchronous and must only say "true"
    // once the data is stored, so this one waits for the server.
    commitSync: function (changes, seq, meta) {
      try {
        var xhr = new XMLHttpRequest();
        xhr.open("POST", config.commitUrl, false);
        xhr.setRequestHeader("Content-Type", "application/json");
        xhr.send(body(changes, seq, meta));
        return xhr.status === 200;
      } catch (e) {
        return false;
      }
    },
    // Page hidden or closing: synchronous requests are blocked, a beacon is not.
    beacon: function (changes, seq, meta) {
      if (!navigator.sendBeacon) return false;
      return navigator.sendBeacon(config.commitUrl,
        new Blob([body(changes, seq, meta)], { type: "application/json" }));
    },
    // The whole queue in one beacon, so that its batches are applied in order.
    beaconAll: function (batches) {
      if (!navigator.sendBeacon) return false;
      var all = JSON.stringify({ key: config.commitKey, batches: batches.map(
        function (b) {
          return { seq: b.seq, tab: b.meta.tab, changes: b.changes,
            terminate: !!b.meta.terminate };
        }) });
      return navigator.sendBeacon(config.commitUrl,
        new Blob([all], { type: "application/json" }));
    }
  };

  // A session that records nothing (a review of the last attempt; a staff preview
  // in browse mode): nothing the SCO sets is sent anywhere.
  var noTransport = {
    commit: function () { return Promise.resolve({ ok: true }); },
    commitSync: function () { return true; },
    beacon: function () { return true; },
    beaconAll: function () { return true; }
  };

  function go(url) {
    window.location.href = url;
  }

  // Load the SCO: in the page's frame, or in a window of its own. A browser that
  // blocks the window (no click led here) gets a button, the learner's click.
  function loadSco(url) {
    if (!boot.newWindow) {
      frame.src = url;
      return;
    }
    popup = window.open(url, "hub-sco");
    newWindow.hidden = popup !== null;
    if (popup === null) return;
    var watch = setInterval(function () {
      if (!popup.closed) return;
      clearInterval(watch);
      popup = null;
      scoWindowClosed();
    }, 500);
  }

  // Unload the SCO, so that its unload handlers can Terminate.
  function unloadSco() {
    if (popup) {
      popup.close();
    } else {
      frame.src = "about:blank";
    }
  }

  // The learner closed the SCO's window: what it queued goes out now, and one that
  // did not Terminate can be opened again.
  function scoWindowClosed() {
    var adapter = window.hubPlayer.adapter;
    adapter.pageHidden();
    if (adapter.phase === "running") newWindow.hidden = false;
  }

  function exitsCourse(cmi) {
    // RTE 1.2 §3.4.4 cmi.core.exit "logout": the LMS logs the learner out of the
    // course once the SCO has finished. SCORM 2004 RTE 4th ed. §4.2.10 cmi.exit:
    // "logout" and "time-out" make the LMS process an Exit All navigation request
    // when the SCO is taken away, instead of any pending navigation request.
    var exit = cmi["cmi.core.exit"] || cmi["cmi.exit"];
    var scorm2004 = config.definitions.version !== "1.2";
    return exit === "logout" || (scorm2004 && exit === "time-out");
  }

  function navigationFor(cmi) {
    // SCORM 2004 RTE §4.4.2 adl.nav.request: the SCO asks the LMS to move on.
    var request = cmi["adl.nav.request"] || "_none_";
    var index = config.order.indexOf(config.current);
    if (request === "continue" && index + 1 < config.order.length) {
      return config.activityUrls[config.order[index + 1]];
    }
    if (request === "previous" && index > 0) {
      return config.activityUrls[config.order[index - 1]];
    }
    // exitAll, suspendAll and abandonAll end the whole course; exit and abandon end
    // this SCO only (SN 4th ed.), which leaves the learner here to go on.
    if (request === "exitAll" || request === "suspendAll" || request === "abandonAll") {
      return config.exitUrl;
    }
    var choice = /^\{target=([^}]+)\}(choice|jump)$/.exec(request);
    if (choice && config.activityUrls[choice[1]]) return config.activityUrls[choice[1]];
    return null;
  }

  function localStorageOrNull() {
    try {
      return window.localStorage; // throws where the browser blocks storage
    } catch (error) {
      return null;
    }
  }

  // Batches that an earlier page of this registration left queued (it closed
  // offline, or before its last beacon landed): the launch stores them first.
  function leftovers(storage) {
    var found = [];
    Object.keys(boot.attemptKeys).forEach(function (id) {
      // The oldest first; what is left over goes out with the adapter's own queue.
      var batches = window.InteropScorm.queuedBatches(storage, boot.attemptKeys[id])
        .slice(0, boot.maxLeftoverBatches);
      if (batches.length) {
        found.push({ attempt_id: Number(id), batches: batches.map(function (b) {
          return { seq: b.seq, tab: b.tab, changes: b.changes, terminate: !!b.terminate };
        }) });
      }
    });
    return found;
  }

  function launch() {
    var storage = localStorageOrNull();
    var sent = leftovers(storage);
    return fetch(boot.launchUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": boot.csrfToken },
      body: JSON.stringify({ activity: boot.activity, leftovers: sent,
        new_attempt: !!boot.newAttempt })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || !data.config) {
          throw new Error((data.error && data.error.message) || "HTTP " + response.status);
        }
        sent.forEach(function (leftover) {
          if (data.delivered.indexOf(leftover.attempt_id) !== -1) {
            window.InteropScorm.forgetBatches(
              storage, boot.attemptKeys[leftover.attempt_id], leftover.batches);
          }
        });
        return data.config;
      });
    });
  }

  function run(launched) {
    config = launched;
    if (!config.record) {
      if (config.notice) {
        notRecorded.querySelector("[data-notice]").textContent = config.notice;
      }
      if (config.newAttemptUrl) {
        var again = notRecorded.querySelector("[data-new-attempt]");
        again.href = config.newAttemptUrl;
        again.hidden = false;
      }
      notRecorded.hidden = false;
    }
    var adapter = window.InteropScorm.install({
      definitions: config.definitions,
      state: config.state,
      transport: config.record ? transport : noTransport,
      attemptKey: config.attemptKey,
      // Nothing recorded: no offline queue, and no tab lock on an attempt.
      storage: config.record ? localStorageOrNull() : null,
      target: window,
      // adlcp:timelimitaction once the learner passes adlcp:maxtimeallowed:
      // "exit,..." ends the SCO, "...,message" tells the learner.
      onTimeLimit: function (action) {
        if (action.indexOf("message") !== -1) {
          statusLine.textContent = "The time allowed for this part is up.";
        }
        if (action.indexOf("exit") === 0) unloadSco();
      },
      onTerminate: function (cmi) {
        var target = exitsCourse(cmi) ? config.exitUrl
          : pendingNavigation || navigationFor(cmi);
        if (target) {
          go(target);
        } else {
          // Keep the SCO on screen (it may be showing the learner's result) and offer
          // the way on.
          finished.hidden = false;
        }
      }
    });

    // A bounded log of the content's API calls and their error codes, for support and
    // for tests (window.hubPlayer.calls); the API object the SCO sees is the same.
    var calls = [];
    var apiLog = document.querySelector("[data-api-log]"); // the preview's table
    Object.keys(adapter.api).forEach(function (name) {
      var call = adapter.api[name];
      adapter.api[name] = function () {
        var result = call.apply(null, arguments);
        if (!/^(LMS)?Get(LastError|ErrorString|Diagnostic)$/.test(name) && calls.length < 500) {
          var entry = { method: name, args: Array.prototype.slice.call(arguments),
            result: result, error: adapter.lastError };
          calls.push(entry);
          if (apiLog) logCall(entry);
        }
        return result;
      };
    });

    function logCall(entry) {
      var row = document.createElement("tr");
      var code = String(entry.error);
      var cells = [
        entry.method + "(" + entry.args.map(function (a) {
          return JSON.stringify(String(a));
        }).join(", ") + ")",
        String(entry.result),
        code === "0" ? "0" : code + " " + adapter.errorString(code)
      ];
      cells.forEach(function (text) {
        var cell = document.createElement("td");
        cell.textContent = text.length > 200 ? text.slice(0, 200) + "…" : text;
        row.appendChild(cell);
      });
      if (code !== "0") row.className = "api-error";
      apiLog.appendChild(row);
    }
    window.hubPlayer = { adapter: adapter, calls: calls, config: config };

    // Leaving through the player's own links: unload the SCO first, so that it can
    // Terminate; then go, whether or not it did (a missing Terminate is handled by the
    // course's settings on the server).
    document.querySelectorAll("a[data-nav]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (adapter.phase !== "running") return;
        event.preventDefault();
        pendingNavigation = link.href;
        statusLine.textContent = "Saving…";
        unloadSco();
        setTimeout(function () { go(link.href); }, 1500);
      });
    });

    if (newWindow) {
      newWindow.querySelector("button").addEventListener("click", function () {
        loadSco(config.contentUrl);
      });
    }
    loadSco(config.contentUrl);
  }

  if (boot.config) {  // a preview: the page carries its configuration
    run(boot.config);
    return;
  }
  statusLine.textContent = "Starting…";
  launch().then(function (launched) {
    statusLine.textContent = "";
    run(launched);
  }, function (error) {
    statusLine.textContent = "The course could not start: " + error.message +
      " Reload the page to try again.";
  });
})();
