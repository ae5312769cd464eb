/*
 * Interop Hub SCORM API adapter: window.API (SCORM 1.2) and window.API_1484_11
 * (SCORM 2004), answered synchronously from an in-memory CMI cache.
 *
 * Hand-written, no framework, no build step. Validation is driven by the JSON of
 * scorm_runtime.definitions_json(version, settings), interpreted exactly like
 * scorm_runtime/validation.py and scorm_runtime/cmi.py, so the browser and the server
 * accept and reject the same values (tests/scorm_runtime/test_scorm_js_parity.py).
 *
 * Interface
 * ---------
 *   var adapter = InteropScorm.install({
 *     definitions: <object>,     // parsed definitions_json(version, settings)
 *     state: {cmi: {...}},       // AttemptState.to_dict() (only cmi is read)
 *     transport: {
 *       commit: function (changes, seq, meta) { return Promise },   // required
 *       commitSync: function (changes, seq, meta) { return bool },  // optional
 *       beacon: function (changes, seq, meta) { return bool }       // optional
 *     },
 *     attemptKey: "attempt-42",  // names the localStorage queue and tab lock
 *     storage: window.localStorage,  // optional; offline queue and tab lock
 *     target: window,            // where window.API / API_1484_11 is installed
 *     onTerminate: function (cmi) {}, // optional; the player navigates on it
 *     onTimeLimit: function (action) {} // optional; max_time_allowed is used up,
 *                                       // action is the time_limit_action value
 *   });
 *   adapter.dispose();  // the player unloads the SCO: flush, stop timers/listeners
 *
 *   changes: [[element, value], ...] of the successful SetValue calls, in order.
 *   seq: 1, 2, ... per attempt and tab;
 *   meta: {terminate: bool, tab: "<tab id>", attempt: "<attemptKey>"}; the server
 *   applies a batch only to the attempt it names (a queue can outlive its page).
 *   The server applies a batch with
 *     apply_commit(state, changes, version=..., settings=..., seq=seq,
 *                  tab=meta.tab, terminate=meta.terminate)
 *   which ignores a (tab, seq) it already applied, so every retry is idempotent.
 *   commit() resolves once the batch is durable on the server and rejects otherwise.
 *   - Commit / Terminate seal the pending changes into a batch, store it in the
 *     localStorage queue (durable on this device) and send it with commit(); with
 *     commitSync they return "true" only once the server stored it (else 391/111
 *     for 2004, 101 for 1.2, and the batch stays queued).
 *   - Autocommit every definitions.settings.autocommit_seconds; on pagehide and
 *     visibilitychange(hidden) the queue goes out through beacon() (sendBeacon or
 *     fetch keepalive: browsers block synchronous XHR during unload).
 *   - Failed sends are retried with backoff and on the "online" event. A queue left
 *     by a closed page is handed to the server before the next launch of the
 *     registration (player.js, InteropScorm.queuedBatches / forgetBatches), and
 *     whatever is left of it is sent again when the attempt is opened again.
 *   - A second tab on the same attempt takes the lock; this one then seals its
 *     changes and refuses further SetValue/Commit/Terminate (391/111, 1.2: 101).
 */
(function (root) {
  "use strict";

  var KEYWORDS = ["_children", "_count", "_version"];
  var TARGETED = ["adl.nav.request_valid.choice.", "adl.nav.request_valid.jump."];
  var TARGET_RE = /^\{target=[^\x00-\x20\x7f{}]+\}$/u;
  var INDEX_RE = /^(?:0|[1-9][0-9]*)$/;
  var PREFIX_RE = /^\{(case_matters|order_matters)=(true|false)\}/u;
  var LANG_RE = /^\{lang=([^}]*)\}/u;
  var LANGUAGE_RE = "^(?:[a-zA-Z]{2,3}|[iIxX])(?:-[a-zA-Z0-9]{1,8})*$";
  var regexCache = {};

  function own(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function ScormError(condition, defs, detail) {
    this.condition = condition;
    this.code = defs.conditions[condition];
    var base = defs.diagnostics[condition];
    this.diagnostic = detail ? base + ": " + detail : base;
  }

  /* ---- validation.py ---------------------------------------------------- */

  function matches(pattern, value) {
    if (!own(regexCache, pattern)) {
      regexCache[pattern] = new RegExp("^(?:" + pattern + ")$", "u");
    }
    return regexCache[pattern].test(value);
  }

  function length(text) {
    return Array.from(text).length; // code points, like Python len()
  }

  function limitLength(value, spec) {
    var hard = spec.max !== undefined ? spec.max : spec.spm;
    if (hard !== undefined && hard !== null && length(value) > hard) {
      return ["spm_exceeded", null];
    }
    if (spec.spm !== undefined && spec.spm !== null && length(value) > spec.spm) {
      return [null, "spm-exceeded"];
    }
    return [null, null];
  }

  function real(value, spec) {
    if (value === "" && spec.blank) return [null, null];
    if (!matches(spec.re, value)) return ["type_mismatch", null];
    var number = Number(value);
    if ((spec.min !== null && spec.min !== undefined && number < spec.min) ||
        (spec.max !== null && spec.max !== undefined && number > spec.max)) {
      return ["out_of_range", null];
    }
    return [null, null];
  }

  function splitPrefixes(value, allowed) {
    var seen = {};
    var found;
    while ((found = PREFIX_RE.exec(value)) !== null) {
      var name = found[1];
      if (allowed.indexOf(name) < 0) break;
      if (own(seen, name)) return [false, value];
      seen[name] = true;
      value = value.slice(found[0].length);
    }
    return [true, value];
  }

  function localized(value, spec) {
    var split = splitPrefixes(value, spec.prefixes || []);
    if (!split[0]) return ["type_mismatch", null];
    value = split[1];
    var lang = LANG_RE.exec(value);
    if (lang !== null) {
      if (!matches(LANGUAGE_RE, lang[1])) return ["type_mismatch", null];
      value = value.slice(lang[0].length);
    }
    return limitLength(value, spec);
  }

  function countLimits(count, spec, outcome) {
    if (spec.max !== undefined && spec.max !== null && count > spec.max) {
      return ["spm_exceeded", null];
    }
    if (spec.spm !== undefined && spec.spm !== null && count > spec.spm) {
      return [null, outcome[1] || "spm-exceeded"];
    }
    return outcome;
  }

  function list(value, spec) {
    var split = splitPrefixes(value, spec.prefixes || []);
    if (!split[0]) return ["type_mismatch", null];
    value = split[1];
    var minimum = spec.min === undefined ? 1 : spec.min;
    if (value === "" && minimum === 0) return [null, null];
    var items = value.split(spec.sep);
    if (spec.unique && new Set(items).size !== items.length) {
      return ["type_mismatch", null];
    }
    var outcome = [null, null];
    for (var i = 0; i < items.length; i++) {
      var result = validate(spec.item, items[i]);
      if (result[0] !== null) return [result[0], null];
      outcome = [null, outcome[1] || result[1]];
    }
    return countLimits(items.length, spec, outcome);
  }

  function partition(value, sep) {
    var at = value.indexOf(sep);
    if (at < 0) return [value, "", ""];
    return [value.slice(0, at), sep, value.slice(at + sep.length)];
  }

  function pair(value, spec) {
    var parts = partition(value, spec.sep);
    if (!parts[1]) return ["type_mismatch", null];
    var left;
    if (parts[0] === "" && spec.left_optional) {
      left = parts[2] !== "" ? [null, null] : ["type_mismatch", null];
    } else {
      left = validate(spec.left, parts[0]);
    }
    if (left[0] !== null) return left;
    var right = validate(spec.right, parts[2]);
    return [right[0], left[1] || right[1]];
  }

  function numrange(value, spec) {
    var parts = partition(value, "[:]");
    var values = parts[1] ? [parts[0], parts[2]] : [parts[0]];
    for (var i = 0; i < values.length; i++) {
      if (values[i] !== "" && !matches(spec.re, values[i])) {
        return ["type_mismatch", null];
      }
    }
    if (parts[1] && parts[0] !== "" && parts[2] !== "" &&
        Number(parts[0]) > Number(parts[2])) {
      return ["type_mismatch", null];
    }
    return [null, null];
  }

  function either(value, spec) {
    var first = null;
    for (var i = 0; i < spec.options.length; i++) {
      var outcome = validate(spec.options[i], value);
      if (outcome[0] === null) return outcome;
      first = first || outcome;
    }
    return first || ["type_mismatch", null];
  }

  var HANDLERS = {
    real: real, localized: localized, list: list, pair: pair,
    numrange: numrange, either: either
  };

  function strict(value, spec) {
    if (spec.kind === "string") return limitLength(value, spec);
    if (spec.kind === "regex") {
      if (!matches(spec.re, value)) return ["type_mismatch", null];
      return limitLength(value, spec);
    }
    if (spec.kind === "vocab") {
      return spec.values.indexOf(value) >= 0 ? [null, null] : ["type_mismatch", null];
    }
    return HANDLERS[spec.kind](value, spec);
  }

  function validate(spec, value) {
    var outcome = strict(value, spec);
    var tolerance = spec.tolerate;
    if ((outcome[0] === "type_mismatch" || outcome[0] === "out_of_range") && tolerance) {
      if (strict(value, tolerance.spec)[0] === null) {
        return [null, "tolerated-format:" + tolerance.name];
      }
    }
    return outcome;
  }

  /* ---- paths.py ----------------------------------------------------------- */

  function parse(element) {
    for (var t = 0; t < TARGETED.length; t++) {
      if (element.indexOf(TARGETED[t]) === 0) {
        var target = element.slice(TARGETED[t].length);
        if (!TARGET_RE.test(target)) return null;
        return [TARGETED[t] + "{target}", []];
      }
    }
    var segments = element.split(".");
    var indices = [];
    var template = [];
    for (var i = 0; i < segments.length; i++) {
      if (segments[i] === "" || segments[i] === "n") return null;
      if (INDEX_RE.test(segments[i])) {
        indices.push(Number(segments[i]));
        template.push("n");
      } else {
        template.push(segments[i]);
      }
    }
    return [template.join("."), indices];
  }

  function fill(template, indices) {
    var next = 0;
    return template.split(".").map(function (part) {
      if (part !== "n") return part;
      return next < indices.length ? String(indices[next++]) : "n";
    }).join(".");
  }

  function levels(template, indices) {
    var parts = template.split(".");
    var found = [];
    var seen = 0;
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === "n") {
        var collection = parts.slice(0, i).join(".");
        found.push([collection, fill(collection, indices), indices[seen++]]);
      }
    }
    return found;
  }

  /* ---- status.py (evaluated_status) ----------------------------------- */

  function toNumber(text) {
    if (text === undefined || text === null || text === "") return null;
    var number = Number(text);
    return isNaN(number) ? null : number;
  }

  /* timespan.py parse_duration: CMITimespan or ISO 8601 duration -> centiseconds
     (a year counts 365 days and a month 30, as on the server). */
  var TIMESPAN_RE = /^([0-9]{1,4}):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]+))?$/;
  var DURATION_RE = new RegExp("^P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?" +
    "(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:\\.([0-9]+))?S)?)?$");
  var UNIT_SECONDS = [365 * 86400, 30 * 86400, 86400, 3600, 60, 1];

  function centiseconds(fraction) {
    return fraction ? Number((fraction + "00").slice(0, 2)) : 0;
  }

  function durationCs(value) {
    var match = TIMESPAN_RE.exec(value || "");
    if (match) {
      return (Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])) *
        100 + centiseconds(match[4]);
    }
    match = DURATION_RE.exec(value || "");
    if (!match || value === "P" || /T$/.test(value)) return null;
    var total = 0;
    for (var i = 0; i < UNIT_SECONDS.length; i++) {
      total += Number(match[i + 1] || 0) * UNIT_SECONDS[i] * 100;
    }
    return total + centiseconds(match[7]);
  }

  function evaluatedStatus(version, store, element) {
    if (version === "1.2") return null;
    var limit, measure, outcomes;
    if (element === "cmi.completion_status") {
      limit = "cmi.completion_threshold"; measure = "cmi.progress_measure";
      outcomes = ["completed", "incomplete"];
    } else if (element === "cmi.success_status") {
      limit = "cmi.scaled_passing_score"; measure = "cmi.score.scaled";
      outcomes = ["passed", "failed"];
    } else {
      return null;
    }
    var threshold = toNumber(own(store, limit) ? store[limit] : null);
    if (threshold === null) return null;
    var value = toNumber(own(store, measure) ? store[measure] : null);
    if (value === null) return "unknown";
    return value >= threshold ? outcomes[0] : outcomes[1];
  }

  /* ---- cmi.py ----------------------------------------------------------- */

  function count(store, collection) {
    var key = collection + "._count";
    return own(store, key) ? Number(store[key]) : 0;
  }

  /* paths.ACCESS_PREFIX: the LMS's access override of one concrete element (an
     adl.data store the manifest does not let the SCO read or write). */
  var ACCESS_PREFIX = ".";

  function access(store, spec, element) {
    var key = ACCESS_PREFIX + element;
    return own(store, key) ? store[key] : spec.access;
  }

  function knownParent(defs, parent) {
    return own(defs.groups, parent) || own(defs.collections, parent) ||
      own(defs.elements, parent);
  }

  function checkGetIndices(defs, store, template, indices) {
    var found = levels(template, indices);
    for (var i = 0; i < found.length; i++) {
      if (found[i][2] >= count(store, found[i][1])) {
        throw new ScormError("get_out_of_range", defs, found[i][1]);
      }
    }
  }

  function resolve(defs, element, forSet) {
    if (element === "") throw new ScormError(forSet ? "set_empty" : "get_empty", defs);
    var parsed = parse(element);
    if (parsed === null) throw new ScormError("undefined", defs, element);
    return parsed;
  }

  function lastSegment(template) {
    var at = template.lastIndexOf(".");
    return [template.slice(0, Math.max(at, 0)), template.slice(at + 1)];
  }

  function keywordGet(defs, store, template, element, indices) {
    var split = lastSegment(template);
    var parent = split[0], keyword = split[1];
    if (element === "cmi._version") return defs.version_value;
    if (!knownParent(defs, parent)) throw new ScormError("undefined", defs, element);
    checkGetIndices(defs, store, parent, indices);
    if (keyword === "_children") {
      var children = own(defs.groups, parent) ? defs.groups[parent] : null;
      if (!children && own(defs.collections, parent)) {
        children = defs.collections[parent].children;
      }
      if (children === null || children === undefined) {
        throw new ScormError("no_children", defs, element);
      }
      return children;
    }
    if (keyword === "_count") {
      if (!own(defs.collections, parent)) throw new ScormError("no_count", defs, element);
      return String(count(store, fill(parent, indices)));
    }
    throw new ScormError("no_version", defs, element);
  }

  function getValue(defs, store, element) {
    var parsed = resolve(defs, element, false);
    var template = parsed[0], indices = parsed[1];
    if (KEYWORDS.indexOf(lastSegment(template)[1]) >= 0) {
      return keywordGet(defs, store, template, element, indices);
    }
    if (!own(defs.elements, template)) throw new ScormError("undefined", defs, element);
    var spec = defs.elements[template];
    if (["RO", "RW"].indexOf(access(store, spec, element)) < 0) {
      throw new ScormError("write_only", defs, element);
    }
    checkGetIndices(defs, store, template, indices);
    var evaluated = evaluatedStatus(defs.version, store, element);
    if (evaluated !== null) return evaluated;
    if (own(store, element)) return store[element];
    // adl.nav.request_valid.choice/jump: the launch may answer for every target it
    // does not name (a target outside the package is "false").
    if (own(store, template)) return store[template];
    if (spec["default"] !== null) return spec["default"];
    throw new ScormError("not_initialized", defs, element);
  }

  function collectionLimits(defs, store, collection, indices, rules) {
    var spm = rules.spm, limit = rules.max;
    if (collection === "cmi.interactions.n.correct_responses") {
      var typeKey = fill("cmi.interactions.n.type", indices);
      var kind = own(store, typeKey) ? store[typeKey] : "";
      var limits = defs.interactions.pattern_limits;
      if (own(limits, kind)) {
        spm = limits[kind];
        if (spm === 1 || defs.settings.strict) limit = spm;
      }
    }
    return [spm, limit];
  }

  function checkSetIndices(defs, store, template, indices) {
    var created = [];
    var found = levels(template, indices);
    for (var i = 0; i < found.length; i++) {
      var size = count(store, found[i][1]);
      var index = found[i][2];
      var rules = defs.collections[found[i][0]];
      if (index > size || (index === size && !rules.creatable)) {
        throw new ScormError("set_out_of_order", defs, found[i][1]);
      }
      if (index === size) {
        var limits = collectionLimits(defs, store, found[i][0], indices, rules);
        if (index >= limits[1]) throw new ScormError("spm_exceeded", defs, found[i][1]);
        created.push(found[i][1]);
      }
    }
    return created;
  }

  function typeSpec(defs, store, spec, indices) {
    if (spec.type.kind !== "interaction") return spec.type;
    var typeKey = fill("cmi.interactions.n.type", indices);
    var kind = own(store, typeKey) ? store[typeKey] : "";
    return defs.interactions[spec.type.role][kind];
  }

  function checkConstraints(defs, store, spec, template, indices, element, value) {
    if (spec.immutable && own(store, element) && store[element] !== value) {
      throw new ScormError("immutable", defs, element);
    }
    if (spec.unique) {
      var found = levels(template, indices);
      var last = found[found.length - 1];
      var suffix = element.slice(last[1].length + String(last[2]).length + 2);
      for (var other = 0; other < count(store, last[1]); other++) {
        var key = last[1] + "." + other + "." + suffix;
        if (other !== last[2] && own(store, key) && store[key] === value) {
          throw new ScormError("unique", defs, element);
        }
      }
    }
  }

  function setValue(defs, store, element, value) {
    var parsed = resolve(defs, element, true);
    var template = parsed[0], indices = parsed[1];
    var split = lastSegment(template);
    if (KEYWORDS.indexOf(split[1]) >= 0) {
      var known = element === "cmi._version" || knownParent(defs, split[0]);
      throw new ScormError(known ? "set_keyword" : "undefined", defs, element);
    }
    if (!own(defs.elements, template)) throw new ScormError("undefined", defs, element);
    var spec = defs.elements[template];
    if (["WO", "RW"].indexOf(access(store, spec, element)) < 0) {
      throw new ScormError("read_only", defs, element);
    }
    var created = checkSetIndices(defs, store, template, indices);
    for (var r = 0; r < spec.requires.length; r++) {
      if (!own(store, fill(spec.requires[r], indices))) {
        throw new ScormError("dependency", defs, fill(spec.requires[r], indices));
      }
    }
    var outcome = validate(typeSpec(defs, store, spec, indices), value);
    if (outcome[0] !== null) throw new ScormError(outcome[0], defs, element);
    checkConstraints(defs, store, spec, template, indices, element, value);
    store[element] = value;
    for (var c = 0; c < created.length; c++) {
      store[created[c] + "._count"] = String(count(store, created[c]) + 1);
    }
    return outcome[1];
  }

  /* ---- the API object (rte.py) and the commit pipeline ------------------ */

  function Adapter(options) {
    var defs = options.definitions;
    var state = options.state || {};
    this.defs = defs;
    this.version = defs.version;
    this.cmi = Object.create(null);
    var cmi = state.cmi || {};
    for (var key in cmi) if (own(cmi, key)) this.cmi[key] = String(cmi[key]);
    this.phase = "not-initialized";
    this.seq = 0; // sequence numbers count per tab (AttemptState.seqs)
    this.pending = [];
    this.lastError = 0;
    this.lastDiagnostic = "";
    this.deviations = [];
    this.transport = options.transport;
    this.storage = options.storage || null;
    this.attemptKey = options.attemptKey || "default";
    this.queueKey = queueKey(this.attemptKey);
    this.lockKey = "interop-scorm-lock:" + this.attemptKey;
    this.tabId = String(Date.now()) + "-" + String(Math.random()).slice(2);
    this.superseded = false;
    this.onTerminate = options.onTerminate || null;
    this.onTimeLimit = options.onTimeLimit || null;
    this.sending = false;
    this.retryDelay = 1000;
    this.queue = this.loadQueue();
  }

  Adapter.prototype.ok = function () {
    this.lastError = 0;
    this.lastDiagnostic = "";
  };

  Adapter.prototype.guard = function (before, after, superseded) {
    if (this.phase === "not-initialized") throw new ScormError(before, this.defs);
    if (this.phase === "terminated") throw new ScormError(after, this.defs);
    if (superseded && this.superseded) {
      throw new ScormError(superseded, this.defs, "attempt opened in another tab");
    }
  };

  Adapter.prototype.run = function (fn, onError) {
    try {
      return fn.call(this);
    } catch (error) {
      if (!(error instanceof ScormError)) throw error;
      this.lastError = error.code;
      this.lastDiagnostic = error.diagnostic;
      return onError;
    }
  };

  Adapter.prototype.initialize = function (parameter) {
    return this.run(function () {
      if (text(parameter) !== "") throw new ScormError("argument", this.defs);
      if (this.phase === "running") throw new ScormError("already_initialized", this.defs);
      if (this.phase === "terminated") throw new ScormError("init_after_term", this.defs);
      this.phase = "running";
      this.claimLock();
      this.startClock();
      this.ok();
      return "true";
    }, "false");
  };

  Adapter.prototype.getValue = function (element) {
    return this.run(function () {
      this.guard("get_before_init", "get_after_term");
      var value = getValue(this.defs, this.cmi, text(element));
      this.ok();
      return value;
    }, "");
  };

  Adapter.prototype.setValue = function (element, value) {
    return this.run(function () {
      this.guard("set_before_init", "set_after_term", "commit_failure");
      element = text(element);
      value = text(value);
      var deviation = setValue(this.defs, this.cmi, element, value);
      if (deviation) this.deviations.push([deviation, element]);
      this.pending.push([element, value]);
      this.ok();
      return "true";
    }, "false");
  };

  Adapter.prototype.commit = function (parameter) {
    return this.run(function () {
      if (text(parameter) !== "") throw new ScormError("argument", this.defs);
      this.guard("commit_before_init", "commit_after_term", "commit_failure");
      this.seal(false, "commit_failure");
      this.ok();
      return "true";
    }, "false");
  };

  Adapter.prototype.terminate = function (parameter) {
    return this.run(function () {
      if (text(parameter) !== "") throw new ScormError("argument", this.defs);
      this.guard("term_before_init", "term_after_term", "term_failure");
      this.seal(true, "term_failure");
      this.phase = "terminated";
      this.stopTimers();
      this.ok();
      if (this.onTerminate) this.onTerminate(this.cmi);
      return "true";
    }, "false");
  };

  Adapter.prototype.errorString = function (code) {
    code = text(code);
    if (!/^[0-9]+$/.test(code)) return "";
    var key = String(Number(code));
    return own(this.defs.errors, key) ? this.defs.errors[key] : "";
  };

  Adapter.prototype.diagnostic = function (code) {
    code = text(code);
    if (code === "" || code === String(this.lastError)) {
      return this.lastDiagnostic || this.errorString(String(this.lastError));
    }
    return this.errorString(code);
  };

  function text(value) {
    return value === undefined || value === null ? "" : String(value);
  }

  /* Seal pending changes into the next batch, keep it durable, then send it. */
  Adapter.prototype.seal = function (terminate, failure) {
    if (this.pending.length === 0 && !terminate) {
      this.flushQueue();
      return;
    }
    var batch = this.newBatch(terminate);
    if (this.transport.commitSync) {
      var stored = false;
      try {
        stored = this.transport.commitSync(batch.changes, batch.seq, meta(batch));
      } catch (error) {
        stored = false;
      }
      if (stored) {
        this.acknowledge(batch);
      } else {
        this.scheduleRetry();
        throw new ScormError(failure, this.defs, "batch " + batch.seq + " queued");
      }
    }
    this.flushQueue();
  };

  Adapter.prototype.newBatch = function (terminate) {
    var batch = {attempt: this.attemptKey, tab: this.tabId, seq: ++this.seq,
      changes: this.pending, terminate: terminate};
    this.pending = [];
    this.queue.push(batch);
    this.saveQueue();
    return batch;
  };

  function meta(batch) {
    return {terminate: batch.terminate, tab: batch.tab, attempt: batch.attempt};
  }

  Adapter.prototype.acknowledge = function (sent) {
    this.queue = this.queue.filter(function (batch) { return batch !== sent; });
    this.saveQueue();
  };

  Adapter.prototype.flushQueue = function () {
    if (this.sending || this.queue.length === 0) return;
    var self = this;
    var batch = this.queue[0];
    this.sending = true;
    Promise.resolve()
      .then(function () {
        return self.transport.commit(batch.changes, batch.seq, meta(batch));
      })
      .then(function () {
        self.sending = false;
        self.retryDelay = 1000;
        self.acknowledge(batch);
        self.flushQueue();
      }, function () {
        self.sending = false;
        self.scheduleRetry();
      });
  };

  Adapter.prototype.scheduleRetry = function () {
    var self = this;
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(function () {
      self.retryTimer = null;
      self.flushQueue();
    }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, 60000);
  };

  Adapter.prototype.loadQueue = function () {
    return queuedBatches(this.storage, this.attemptKey);
  };

  function queueKey(attemptKey) {
    return "interop-scorm-queue:" + attemptKey;
  }

  /* The batches queued on this device for an attempt, by any of its pages. */
  function queuedBatches(storage, attemptKey) {
    if (!storage) return [];
    try {
      var saved = JSON.parse(storage.getItem(queueKey(attemptKey)) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (error) {
      return [];
    }
  }

  /* Drop from an attempt's queue the batches the server stored (by tab and seq):
     another page may have queued more meanwhile. */
  function forgetBatches(storage, attemptKey, stored) {
    if (!storage) return;
    var done = {};
    stored.forEach(function (batch) { done[batch.tab + "#" + batch.seq] = true; });
    var left = queuedBatches(storage, attemptKey).filter(function (batch) {
      return !done[batch.tab + "#" + batch.seq];
    });
    try {
      if (left.length) {
        storage.setItem(queueKey(attemptKey), JSON.stringify(left));
      } else {
        storage.removeItem(queueKey(attemptKey));
      }
    } catch (error) {
      // Storage disabled: the batches are sent again and skipped as duplicates.
    }
  }

  Adapter.prototype.saveQueue = function () {
    if (!this.storage) return;
    try {
      if (this.queue.length) {
        this.storage.setItem(this.queueKey, JSON.stringify(this.queue));
      } else {
        this.storage.removeItem(this.queueKey);
      }
    } catch (error) {
      // Storage full or disabled: the batch stays in memory and is still sent.
      this.storageFailed = true;
    }
  };

  /* pagehide / visibilitychange: seal and hand the queue to beacon(). */
  Adapter.prototype.pageHidden = function () {
    if (this.phase === "running" && this.pending.length && !this.superseded) {
      this.newBatch(false);
    }
    var beacon = this.transport.beacon;
    // One request for the whole queue: separate beacons may arrive in any order,
    // and a Terminate that overtakes the batch before it loses that batch.
    if (this.transport.beaconAll && this.queue.length &&
        this.transport.beaconAll(this.queue.map(function (batch) {
          return {changes: batch.changes, seq: batch.seq, meta: meta(batch)};
        })) !== false) {
      return;
    }
    for (var i = 0; beacon && i < this.queue.length; i++) {
      beacon(this.queue[i].changes, this.queue[i].seq, meta(this.queue[i]));
    }
    if (!beacon) this.flushQueue();
  };

  Adapter.prototype.claimLock = function () {
    if (!this.storage) return;
    try {
      this.storage.setItem(this.lockKey, this.tabId);
    } catch (error) {
      this.storageFailed = true;
    }
  };

  Adapter.prototype.lockTaken = function (owner) {
    if (owner === null || owner === this.tabId || this.phase !== "running") return;
    this.pageHidden();
    this.superseded = true;
    this.stopTimers();
  };

  Adapter.prototype.startTimers = function (target) {
    var self = this;
    var seconds = (this.defs.settings || {}).autocommit_seconds || 0;
    if (seconds > 0) {
      this.autocommitTimer = setInterval(function () {
        if (self.phase === "running" && self.pending.length && !self.superseded) {
          self.run(function () { this.seal(false, "commit_failure"); }, null);
        }
      }, seconds * 1000);
    }
    this.listeners = [];
    if (!target.addEventListener) return;
    var doc = target.document;
    this.listen(target, "pagehide", function () { self.pageHidden(); });
    if (doc && doc.addEventListener) {
      this.listen(doc, "visibilitychange", function () {
        if (doc.visibilityState === "hidden") self.pageHidden();
      });
    }
    this.listen(target, "online", function () { self.flushQueue(); });
    this.listen(target, "storage", function (event) {
      if (event.key === self.lockKey) self.lockTaken(event.newValue);
    });
  };

  Adapter.prototype.listen = function (on, type, handler) {
    on.addEventListener(type, handler);
    this.listeners.push([on, type, handler]);
  };

  /* The player unloads this SCO: send what is pending, stop listening. */
  Adapter.prototype.dispose = function () {
    this.pageHidden();
    this.stopTimers();
    (this.listeners || []).forEach(function (entry) {
      entry[0].removeEventListener(entry[1], entry[2]);
    });
    this.listeners = [];
  };

  /* max_time_allowed (RTE 1.2 §3.4.4, RTE 4th ed. §4.2.15): tell the player when
     the attempt's time runs out; it acts on time_limit_action. */
  Adapter.prototype.startClock = function () {
    var v12 = this.version === "1.2";
    var prefix = v12 ? "cmi.student_data." : "cmi.";
    var limit = durationCs(this.cmi[prefix + "max_time_allowed"]);
    if (limit === null || !this.onTimeLimit) return;
    var used = durationCs(this.cmi[v12 ? "cmi.core.total_time" : "cmi.total_time"]) || 0;
    var action = this.cmi[prefix + "time_limit_action"] || "continue,no message";
    var self = this;
    this.clockTimer = setTimeout(function () {
      if (self.phase === "running") self.onTimeLimit(action);
    }, Math.max(0, limit - used) * 10);
  };

  Adapter.prototype.stopTimers = function () {
    if (this.autocommitTimer) clearInterval(this.autocommitTimer);
    if (this.clockTimer) clearTimeout(this.clockTimer);
    this.clockTimer = null;
    this.autocommitTimer = null;
  };

  function api12(adapter) {
    return {
      LMSInitialize: function (p) { return adapter.initialize(p); },
      LMSFinish: function (p) { return adapter.terminate(p); },
      LMSGetValue: function (e) { return adapter.getValue(e); },
      LMSSetValue: function (e, v) { return adapter.setValue(e, v); },
      LMSCommit: function (p) { return adapter.commit(p); },
      LMSGetLastError: function () { return String(adapter.lastError); },
      LMSGetErrorString: function (c) { return adapter.errorString(c); },
      LMSGetDiagnostic: function (c) { return adapter.diagnostic(c); }
    };
  }

  function api2004(adapter) {
    return {
      version: "1.0",
      Initialize: function (p) { return adapter.initialize(p); },
      Terminate: function (p) { return adapter.terminate(p); },
      GetValue: function (e) { return adapter.getValue(e); },
      SetValue: function (e, v) { return adapter.setValue(e, v); },
      Commit: function (p) { return adapter.commit(p); },
      GetLastError: function () { return String(adapter.lastError); },
      GetErrorString: function (c) { return adapter.errorString(c); },
      GetDiagnostic: function (c) { return adapter.diagnostic(c); }
    };
  }

  function install(options) {
    var adapter = new Adapter(options);
    var target = options.target || root;
    adapter.api = adapter.version === "1.2" ? api12(adapter) : api2004(adapter);
    target[adapter.version === "1.2" ? "API" : "API_1484_11"] = adapter.api;
    adapter.startTimers(target);
    adapter.flushQueue(); // batches a closed tab left behind
    return adapter;
  }

  root.InteropScorm = {install: install, validate: validate, getValue: getValue,
    setValue: setValue, durationCs: durationCs, queuedBatches: queuedBatches,
    forgetBatches: forgetBatches};
})(typeof window !== "undefined" ? window : this);
