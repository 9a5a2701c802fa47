/*
 * assay web UI: live updates of the delivery dashboards.
 *
 * The page names its stream in #delivery-live[data-delivery-stream]
 * (/delivery/stream, server-sent events). On each `update` event the headline
 * tiles (#delivery-headline) are fetched again from the page's own URL with
 * the HX-Request header (the server answers with the fragment only) and
 * swapped in; an empty dashboard (data-delivery-empty="true") reloads instead,
 * since its first events bring every chart. Updates that arrive while a fetch
 * runs, or within MIN_INTERVAL_MS of the last one, are folded into one more
 * fetch: a steady flow of events does not recompute the numbers every poll. The stream ends by itself now and then;
 * EventSource reconnects, sending the last event id so nothing is missed.
 * No inline script: a Content-Security-Policy of script-src 'self' holds.
 */
(function () {
  "use strict";

  var live = document.getElementById("delivery-live");
  if (!live || !window.EventSource) {
    return;
  }
  var url = live.getAttribute("data-delivery-stream");
  var empty = live.getAttribute("data-delivery-empty") === "true";
  var MIN_INTERVAL_MS = 5000;
  var busy = false;
  var again = false;
  var last = 0;

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("delivery-headline");
    var current = document.getElementById("delivery-headline");
    if (fresh && current) {
      current.replaceWith(document.importNode(fresh, true));
      live.setAttribute("data-updated", String(Date.now()));
    }
  }

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    var wait = last + MIN_INTERVAL_MS - Date.now();
    if (wait > 0) {
      busy = true;
      window.setTimeout(function () {
        busy = false;
        again = false; // the fetch that follows covers them
        refresh();
      }, wait);
      return;
    }
    busy = true;
    last = Date.now();
    fetch(window.location.href, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("delivery: refresh answered " + response.status);
        }
        return response.text();
      })
      .then(swap)
      .catch(function (error) {
        console.warn(error);
      })
      .finally(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  var source = new EventSource(url);
  source.addEventListener("update", function () {
    if (empty) {
      source.close();
      window.location.reload();
      return;
    }
    refresh();
  });
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
