/* SCORM 1.2 runtime helper for the Interop Hub demo content.
 *
 * Finds the LMS's API object the way SCORM 1.2 RTE §3.3 describes it: walk up
 * the parent frames (at most a few levels), then try the window opener and its
 * parents. Every call is guarded, so the pages also open outside an LMS.
 */
(function (global) {
  "use strict";

  var MAX_DEPTH = 10;

  function findIn(win) {
    var depth = 0;
    while (win && !win.API && win.parent && win.parent !== win && depth < MAX_DEPTH) {
      depth += 1;
      win = win.parent;
    }
    return win && win.API ? win.API : null;
  }

  function findApi() {
    var api = findIn(global);
    if (!api && global.opener) {
      api = findIn(global.opener);
    }
    return api;
  }

  var api = null;
  var started = false;
  var finished = false;

  function status(text) {
    var el = global.document.getElementById("lms-status");
    if (el) { el.textContent = text; }
  }

  var Scorm12 = {
    start: function () {
      api = findApi();
      if (!api) {
        status("No LMS found: your progress will not be saved.");
        return false;
      }
      started = api.LMSInitialize("") === "true";
      status(started ? "Connected to your LMS." : "The LMS refused to start this lesson.");
      return started;
    },
    get: function (name) {
      return started ? api.LMSGetValue(name) : "";
    },
    set: function (name, value) {
      return started && api.LMSSetValue(name, String(value)) === "true";
    },
    commit: function () {
      return started && api.LMSCommit("") === "true";
    },
    finish: function () {
      if (!started || finished) { return false; }
      finished = true;
      Scorm12.commit();
      return api.LMSFinish("") === "true";
    }
  };

  global.Scorm12 = Scorm12;
  // Leaving before the end: suspend, so that the next launch resumes here
  // (RTE 1.2 §3.4.4 cmi.core.exit; entry is "resume" only after "suspend").
  global.addEventListener("beforeunload", function () {
    if (started && !finished && api.LMSGetValue("cmi.core.lesson_status") === "incomplete") {
      api.LMSSetValue("cmi.core.exit", "suspend");
    }
    Scorm12.finish();
  });
})(window);
