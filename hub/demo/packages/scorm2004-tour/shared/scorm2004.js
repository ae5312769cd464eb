/* SCORM 2004 runtime helper for the Interop Hub demo content.
 *
 * Finds API_1484_11 as SCORM 2004 4th ed. RTE §3.1.2.1 describes: up the chain
 * of parent frames, then through the opener and its parents. Every call is
 * guarded, so the pages also open outside an LMS.
 */
(function (global) {
  "use strict";

  var MAX_DEPTH = 500;

  function findIn(win) {
    var depth = 0;
    while (win && !win.API_1484_11 && win.parent && win.parent !== win && depth < MAX_DEPTH) {
      depth += 1;
      win = win.parent;
    }
    return win && win.API_1484_11 ? win.API_1484_11 : null;
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

  var Scorm2004 = {
    start: function () {
      api = findApi();
      if (!api) {
        status("No LMS found: your progress will not be saved.");
        return false;
      }
      started = api.Initialize("") === "true";
      status(started ? "Connected to your LMS." : "The LMS refused to start this lesson.");
      return started;
    },
    get: function (name) {
      return started ? api.GetValue(name) : "";
    },
    set: function (name, value) {
      return started && api.SetValue(name, String(value)) === "true";
    },
    commit: function () {
      return started && api.Commit("") === "true";
    },
    finish: function (exitMode) {
      if (!started || finished) { return false; }
      finished = true;
      Scorm2004.set("cmi.exit", exitMode || "normal");
      Scorm2004.commit();
      return api.Terminate("") === "true";
    }
  };

  global.Scorm2004 = Scorm2004;
  global.addEventListener("beforeunload", function () { Scorm2004.finish("suspend"); });
})(window);
