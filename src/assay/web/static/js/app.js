/*
 * assay web UI: the little JavaScript the server-rendered pages need.
 *
 * 1. htmx sends the session's CSRF token (from <meta name="csrf-token">) as
 *    the X-CSRF-Token header on every request that is not a GET.
 * 2. assayChart(el, option) draws an Apache ECharts chart. Pages pass data,
 *    not code: the option is JSON in a <script type="application/json">
 *    right after the element (see the `chart` macro in _macros.html), and
 *    every element with a data-assay-chart attribute is drawn on load and
 *    after each htmx swap. Charts follow the window size and the user's
 *    light/dark preference (prefers-color-scheme). Tooltips are drawn on the
 *    canvas: ECharts' HTML tooltips use inline styles the CSP forbids.
 *
 * No inline script is needed anywhere, so a Content-Security-Policy of
 * script-src 'self' holds.
 */
(function () {
  "use strict";

  var SAFE_METHODS = { GET: true, HEAD: true, OPTIONS: true };
  var charts = new Set();
  var darkScheme = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var verb = String(event.detail.verb || "get").toUpperCase();
    var token = csrfToken();
    if (!SAFE_METHODS[verb] && token) {
      event.detail.headers["X-CSRF-Token"] = token;
    }
  });

  function theme() {
    return darkScheme && darkScheme.matches ? "dark" : null;
  }

  /* The option stored next to the element: the first following sibling that is a JSON script. */
  function embeddedOption(el) {
    var node = el.nextElementSibling;
    while (node && !(node.tagName === "SCRIPT" && node.type === "application/json")) {
      node = node.nextElementSibling;
    }
    if (!node) {
      throw new Error("assayChart: no <script type=\"application/json\"> after #" + el.id);
    }
    return JSON.parse(node.textContent || "{}");
  }

  /*
   * The option as drawn: a transparent background (the page's colours show through, in both
   * schemes) and tooltips drawn on the canvas. ECharts' default HTML tooltips carry inline
   * style attributes, which the pages' Content-Security-Policy (style-src 'self') blocks.
   */
  function prepared(option) {
    var copy = Object.assign({ backgroundColor: "transparent" }, option);
    function onCanvas(tooltip) {
      return Object.assign({ renderMode: "richText" }, tooltip);
    }
    if (Array.isArray(copy.tooltip)) {
      copy.tooltip = copy.tooltip.map(onCanvas);
    } else if (copy.tooltip) {
      copy.tooltip = onCanvas(copy.tooltip);
    }
    return copy;
  }

  function draw(el, option) {
    var existing = window.echarts.getInstanceByDom(el);
    if (existing) {
      charts.delete(existing);
      existing.dispose();
    }
    var chart = window.echarts.init(el, theme(), { renderer: "canvas" });
    chart.setOption(prepared(option));
    el.assayOption = option;
    charts.add(chart);
    return chart;
  }

  function assayChart(el, option) {
    if (!window.echarts) {
      return null; // echarts.min.js not loaded (page without charts, or vendor files not built)
    }
    return draw(el, option === undefined ? embeddedOption(el) : option);
  }

  function forEachLiveChart(callback) {
    // A copy: redrawing replaces charts in the set while we walk it.
    Array.from(charts).forEach(function (chart) {
      var el = chart.getDom();
      if (chart.isDisposed() || !el || !el.isConnected) {
        if (!chart.isDisposed()) {
          chart.dispose();
        }
        charts.delete(chart);
        return;
      }
      callback(chart, el);
    });
  }

  /* Draw every chart element on the page that has no chart yet (on load, after htmx swaps). */
  function drawPending() {
    document.querySelectorAll("[data-assay-chart]").forEach(function (el) {
      if (!window.echarts) {
        // The vendor files were not built (`make web`): the page works, without its charts.
        el.textContent = "Chart unavailable: the charting library is not installed.";
        el.removeAttribute("data-assay-chart");
        return;
      }
      if (window.echarts.getInstanceByDom(el)) {
        return;
      }
      try {
        assayChart(el);
      } catch (error) {
        el.textContent = "This chart could not be drawn.";
        el.removeAttribute("data-assay-chart");
        console.error(error);
      }
    });
  }

  var resizePending = false;
  window.addEventListener("resize", function () {
    if (resizePending) {
      return;
    }
    resizePending = true;
    window.requestAnimationFrame(function () {
      resizePending = false;
      forEachLiveChart(function (chart) {
        chart.resize();
      });
    });
  });

  if (darkScheme && darkScheme.addEventListener) {
    darkScheme.addEventListener("change", function () {
      forEachLiveChart(function (chart, el) {
        draw(el, el.assayOption);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", drawPending);
  document.addEventListener("htmx:afterSettle", drawPending);

  window.assayChart = assayChart;
})();
