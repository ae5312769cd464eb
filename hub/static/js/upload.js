// Package upload with progress: the upload itself (XHR progress events), then the
// import job (polled until it succeeds or fails). Without JavaScript the forms post
// normally and the job page shows the result on reload.
(function () {
  "use strict";

  function pollJob(url, onUpdate) {
    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          onUpdate(job);
          if (job.state === "pending" || job.state === "running") setTimeout(tick, 700);
        })
        .catch(function () { setTimeout(tick, 2000); });
    }
    tick();
  }

  function jobPage(section) {
    var badge = section.querySelector("[data-job-badge]");
    var bar = section.querySelector("[data-job-bar]");
    var message = section.querySelector("[data-job-message]");
    pollJob(section.getAttribute("data-job-url"), function (job) {
      bar.style.width = job.percent + "%";
      badge.textContent = job.state;
      message.textContent = job.message;
      if (job.state === "succeeded" || job.state === "failed") window.location.reload();
    });
  }

  function uploadForm(form) {
    form.addEventListener("submit", function (event) {
      var box = form.querySelector("[data-upload-progress]");
      if (!window.XMLHttpRequest || !box) return;
      event.preventDefault();
      var bar = form.querySelector("[data-upload-bar]");
      var label = form.querySelector("[data-upload-label]");
      var button = form.querySelector("button[type=submit]");
      box.hidden = false;
      button.disabled = true;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var pct = Math.round((100 * e.loaded) / e.total);
          bar.style.width = pct + "%";
          label.textContent = "Uploading… " + pct + "%";
        }
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status >= 400 || !body.job_url) {
          button.disabled = false;
          label.textContent = (body.error && body.error.message) || "The upload failed.";
          return;
        }
        label.textContent = "Processing…";
        bar.style.width = "0%";
        pollJob(body.job_url, function (job) {
          bar.style.width = job.percent + "%";
          label.textContent = "Processing: " + job.message;
          if (job.state === "succeeded" || job.state === "failed") {
            window.location.href = body.page_url;
          }
        });
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        label.textContent = "The connection failed; try again.";
      });
      xhr.send(new FormData(form));
    });
  }

  document.querySelectorAll("[data-upload-form]").forEach(uploadForm);
  var section = document.querySelector("[data-job-url]");
  if (section) {
    var state = section.getAttribute("data-job-state");
    if (state === "pending" || state === "running") jobPage(section);
  }
})();
