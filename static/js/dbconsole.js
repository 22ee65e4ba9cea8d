/* dbconsole — the little the pages need beyond htmx: pausing live regions, ticking ages, charts,
   and the confirmation dialog. Loaded in <head>; everything hangs off `document`. */
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
    if (elt && elt.matches && elt.matches("[data-chart]") && evt.detail.xhr.status !== 204) {
      drawChart(elt, evt.detail.xhr);
    }
  });

  /* Operator confirmations are fetched into the dialog; open it when they arrive. */
  document.addEventListener("htmx:afterSwap", function (evt) {
    stamp(document);  /* an outerHTML swap leaves evt.detail.target detached */
    var dialog = document.getElementById("confirm-dialog");
    if (dialog && !dialog.open && dialog.contains(evt.detail.target)) dialog.showModal();
  });
  document.addEventListener("htmx:afterSettle", function () { stamp(document); });

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

  document.addEventListener("change", function (evt) {
    if (evt.target.matches("[data-autosubmit]")) evt.target.form.submit();
    if (evt.target.matches("#id_analyze")) revealConfirm(evt.target.form);
  });
  function revealConfirm(form) {
    var box = form && form.querySelector(".confirm-writes");
    if (box) box.classList.remove("hidden-until-needed");
  }

  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () { stamp(document); });
})();
