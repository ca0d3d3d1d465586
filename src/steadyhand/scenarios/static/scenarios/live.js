// The trainer's live view of a group session: every few seconds, ask the session's JSON
// endpoint for the trainees' runs and rewrite the table's rows (text only, never HTML from
// the server). Without JavaScript a <noscript> meta refresh reloads the whole page instead.
(function () {
  "use strict";

  var BACKOFF_MS = 10000;

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    row.appendChild(td);
    return td;
  }

  function render(tbody, runs) {
    var rows = document.createDocumentFragment();
    if (!runs.length) {
      var empty = document.createElement("tr");
      cell(empty, "Nobody has joined yet.").colSpan = 10;
      rows.appendChild(empty);
    }
    runs.forEach(function (run) {
      var tr = document.createElement("tr");
      cell(tr, run.trainee);
      cell(tr, run.turn);
      cell(tr, run.status_label + (run.outcome_label ? ": " + run.outcome_label : ""));
      cell(tr, run.demeanour);
      cell(tr, run.distance_m === null ? "" : Number(run.distance_m).toFixed(1) + " m");
      cell(tr, run.last_action);
      cell(tr, run.last_line);
      cell(tr, (run.agitation === null ? "" : run.agitation) + " / " +
        (run.rapport === null ? "" : run.rapport));
      cell(tr, run.pending.join(", "));
      var link = document.createElement("a");
      link.href = run.url;
      link.textContent = "Run " + run.run_id;
      cell(tr, "").appendChild(link);
      rows.appendChild(tr);
    });
    tbody.replaceChildren(rows);
  }

  function poll(table, tbody, status, intervalMs) {
    fetch(table.getAttribute("data-live-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        render(tbody, data.runs);
        status.textContent = "(updated " + new Date().toLocaleTimeString() + ")";
        window.setTimeout(function () { poll(table, tbody, status, intervalMs); }, intervalMs);
      })
      .catch(function () {
        status.textContent = "(connection lost; retrying)";
        window.setTimeout(function () { poll(table, tbody, status, intervalMs); }, BACKOFF_MS);
      });
  }

  function start() {
    var table = document.querySelector("table[data-live-url]");
    if (!table) {
      return;
    }
    var tbody = table.querySelector("[data-live-rows]");
    var status = table.querySelector("[data-live-status]");
    var seconds = parseInt(table.getAttribute("data-poll-seconds"), 10) || 3;
    window.setTimeout(function () { poll(table, tbody, status, seconds * 1000); }, seconds * 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
