/* dbconsole — the little the pages need beyond htmx: polling and pausing live regions, ticking ages,
   charts, bar geometry and the confirmation dialogs. Loaded in <head>; everything hangs off `document`.

   The Content-Security-Policy allows no inline script, no eval and no style="" attribute, so:
   - polling is not htmx's `every Ns [filter]` (the filter is eval'd) but `data-poll="N"` here, which
     sends `dbconsole:poll` to the element every N seconds while the page is live;
   - bars and indents carry numbers in data-width / data-height / data-left / data-min-height /
     data-depth, applied here through the CSSOM (which CSP does not restrict);
   - a form's confirmation is `data-confirm="question"`, not an onsubmit handler. */
(function () {
  "use strict";

  var paused = false;
  var plotlyLoading = null;

  window.dbconsole = {
    /* hx-trigger filters call this: poll only while the tab is visible, not paused, and no
       confirmation is open (a redraw must never pull a row out from under the operator). */
    live: function () {
      return document.visibilityState === "visible" && !paused && !document.querySelector("dialog[open]");
    },
    formatAge: formatAge
  };

  /* Mirrors monitoring.templatetags.dbconsole_ui.format_duration. */
  function formatAge(seconds) {
    if (seconds < 1) return seconds > 0 ? Math.round(seconds * 1000) + " ms" : "0 s";
    if (seconds < 60) return Math.round(seconds) + " s";
    var s = Math.floor(seconds);
    if (s < 3600) return Math.floor(s / 60) + " m " + pad(s % 60) + " s";
    if (s < 86400) return Math.floor(s / 3600) + " h " + pad(Math.floor((s % 3600) / 60)) + " m";
    return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
  }
  function pad(n) { return n < 10 ? "0" + n : String(n); }

  /* Ages are rendered with the server's value at sampling time (data-age) and advance from when the
     fragment arrived, so the browser's clock never matters. */
  function stamp(root) {
    var now = performance.now();
    (root || document).querySelectorAll("[data-age]:not([data-t0])").forEach(function (el) {
      el.setAttribute("data-t0", String(now));
    });
  }
  function tick() {
    if (paused || document.visibilityState !== "visible") return;
    var now = performance.now();
    document.querySelectorAll("[data-age][data-t0]").forEach(function (el) {
      var age = parseFloat(el.getAttribute("data-age")) + (now - parseFloat(el.getAttribute("data-t0"))) / 1000;
      el.textContent = formatAge(age);
    });
  }
  setInterval(tick, 1000);

  /* Polling: each [data-poll] element gets "dbconsole:poll" every N seconds (counted from when it
     appeared) while the page is live; a poll missed while paused or hidden fires as soon as it is live
     again. A 286 answer (htmx's "stop polling") removes data-poll. */
  var lastPoll = new WeakMap();
  function poll() {
    var now = performance.now();
    var live = window.dbconsole.live();
    document.querySelectorAll("[data-poll]").forEach(function (el) {
      var every = parseFloat(el.getAttribute("data-poll")) * 1000;
      if (!(every > 0)) return;
      var last = lastPoll.get(el);
      if (last === undefined) { lastPoll.set(el, now); return; }
      if (live && now - last >= every) {
        lastPoll.set(el, now);
        htmx.trigger(el, "dbconsole:poll");
      }
    });
  }
  setInterval(poll, 500);
  document.addEventListener("visibilitychange", function () {
    if (window.dbconsole.live()) htmx.trigger(document.body, "dbconsole:refresh");
  });

  /* Geometry from data- attributes (numbers only): widths, heights and offsets in %, heights in px,
     and the --depth custom property that indents plan nodes and lock-tree rows. */
  var GEOMETRY = [
    ["data-width", "width", "%"], ["data-height", "height", "%"], ["data-left", "left", "%"],
    ["data-min-height", "minHeight", "px"], ["data-depth", "--depth", ""]
  ];
  function applyGeometry() {
    GEOMETRY.forEach(function (g) {
      document.querySelectorAll("[" + g[0] + "]").forEach(function (el) {
        var n = parseFloat(el.getAttribute(g[0]));
        if (!isFinite(n)) return;
        if (g[1].charAt(0) === "-") el.style.setProperty(g[1], String(n));
        else el.style[g[1]] = n + g[2];
      });
    });
  }

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotlyLoading) {
      plotlyLoading = new Promise(function (resolve, reject) {
        var meta = document.querySelector('meta[name="plotly-src"]');
        var script = document.createElement("script");
        script.src = meta ? meta.content : "";
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = function () { plotlyLoading = null; reject(new Error("plotly.js failed to load")); };
        document.head.appendChild(script);
      });
    }
    return plotlyLoading;
  }

  function chartStatus(figure, text) {
    var status = figure.querySelector(".chart-status");
    if (status) status.textContent = text;
  }

  /* A chart element fetches its figure JSON with hx-get + hx-swap="none"; we draw it. */
  function drawChart(figure, xhr) {
    var payload;
    try {
      payload = JSON.parse(xhr.responseText);
    } catch (e) {
      figure.setAttribute("data-state", "error");
      chartStatus(figure, "The chart could not be loaded (HTTP " + xhr.status + ").");
      return;
    }
    if (payload.error) {
      figure.setAttribute("data-state", "error");
      chartStatus(figure, payload.error.status + ": " + payload.error.message +
        (payload.error.hint ? " — " + payload.error.hint : ""));
      return;
    }
    loadPlotly().then(function (Plotly) {
      var plot = figure.querySelector(".plot");
      Plotly.react(plot, payload.data, payload.layout, {
        displaylogo: false, responsive: true,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]
      });
      figure.setAttribute("data-state", "ready");
      chartStatus(figure, "");
    }).catch(function (err) {
      figure.setAttribute("data-state", "error");
      chartStatus(figure, err.message);
    });
  }

  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.removeAttribute && evt.detail.xhr && evt.detail.xhr.status === 286) elt.removeAttribute("data-poll");
    if (elt && elt.matches && elt.matches("[data-chart]") && evt.detail.xhr.status !== 204) {
      drawChart(elt, evt.detail.xhr);
    }
  });

  /* Operator confirmations are fetched into the dialog; open it when they arrive. */
  document.addEventListener("htmx:afterSwap", function (evt) {
    stamp(document);  /* an outerHTML swap leaves evt.detail.target detached */
    applyGeometry();
    var dialog = document.getElementById("confirm-dialog");
    if (dialog && !dialog.open && dialog.contains(evt.detail.target)) dialog.showModal();
  });
  document.addEventListener("htmx:afterSettle", function () { stamp(document); applyGeometry(); });

  document.addEventListener("click", function (evt) {
    var closer = evt.target.closest("[data-close-dialog]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) { evt.preventDefault(); dialog.close(); }
      return;
    }
    var pause = evt.target.closest("[data-pause]");
    if (pause) {
      paused = !paused;
      pause.setAttribute("aria-pressed", String(paused));
      pause.textContent = paused ? "Resume" : "Pause";
      document.body.classList.toggle("paused", paused);
      if (!paused) htmx.trigger(document.body, "dbconsole:refresh");
    }
  });

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) evt.preventDefault();
  });

  document.addEventListener("change", function (evt) {
    if (evt.target.matches("[data-autosubmit]")) evt.target.form.submit();
    if (evt.target.matches("#id_analyze")) revealConfirm(evt.target.form);
  });
  function revealConfirm(form) {
    var box = form && form.querySelector(".confirm-writes");
    if (box) box.classList.remove("hidden-until-needed");
  }

  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () { stamp(document); applyGeometry(); });
})();
