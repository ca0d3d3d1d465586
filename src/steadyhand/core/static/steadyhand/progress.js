// Follow a background job without reloading the page.
//
// Every element with `data-progress-url` and `data-polling` is a job's progress block (see
// jobs/_progress.html). This script asks the URL for the job's progress every second, updates
// the <progress> bar, the status and the message, and reloads the page once the job has
// ended so the page can show the result. Without JavaScript a <noscript> meta refresh does
// the same, more coarsely.
(function () {
  "use strict";

  var INTERVAL_MS = 1000;
  var BACKOFF_MS = 5000;

  function setText(block, selector, text) {
    var el = block.querySelector(selector);
    if (el) {
      el.textContent = text;
    }
  }

  function update(block, data) {
    var bar = block.querySelector("[data-job-bar]");
    if (bar) {
      if (data.percent === null || data.percent === undefined) {
        bar.removeAttribute("value");
      } else {
        bar.max = 100;
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
      }
    }
    setText(block, "[data-job-status]", data.status_label);
    setText(block, "[data-job-message]", data.message ? " — " + data.message : "");
    var count = "";
    if (data.total) {
      count = data.done + " of " + data.total;
      if (data.percent !== null && data.percent !== undefined) {
        count += " (" + data.percent + "%)";
      }
    }
    setText(block, "[data-job-count]", count);
    var queued = block.querySelector("[data-job-queued]");
    if (queued) {
      queued.hidden = data.status !== "queued";
    }
  }

  function poll(block) {
    var url = block.getAttribute("data-progress-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        update(block, data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(function () { poll(block); }, INTERVAL_MS);
        }
      })
      .catch(function () {
        // A dropped connection or a restarting server: try again, less often.
        window.setTimeout(function () { poll(block); }, BACKOFF_MS);
      });
  }

  function start() {
    var blocks = document.querySelectorAll("[data-progress-url][data-polling]");
    Array.prototype.forEach.call(blocks, poll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
