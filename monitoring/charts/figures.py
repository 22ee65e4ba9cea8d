"""Figure builders. Plain dicts (what plotly.js reads) keep the endpoints fast and the output testable.

Every figure shares one calm layout: small margins, muted grid, the legend on top, hover per x. Time
axes are pinned to the requested range so an empty stretch reads as "nothing happened", not as zoom.

Builders put names and texts in as they are (the CSV export wants them raw); ``plotly_safe`` escapes
them for plotly.js on the way out (``response.figure_json``, the one serialiser of every chart).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PALETTE = ("#2458c6", "#1d7f46", "#b36b00", "#8a5cc2", "#0e7490", "#b3261e", "#6b7280", "#c2410c")
STATE_COLORS = {
    "active": "#1d7f46",
    "idle": "#9aa3b5",
    "idle in transaction": "#b36b00",
    "other": "#8a5cc2",
}


@dataclass(frozen=True)
class Series:
    name: str
    x: Sequence[Any]
    y: Sequence[float | int | None]
    kind: str = "line"  # line | area | bar | markers
    color: str | None = None
    hover: Sequence[str] | None = None


@dataclass(frozen=True)
class Limit:
    """A dashed reference line, e.g. max_connections."""

    value: float
    label: str


def base_layout(*, height: int = 260, y_title: str = "", x_title: str = "") -> dict[str, Any]:
    return {
        "height": height,
        "margin": {"l": 48, "r": 12, "t": 28, "b": 32},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 11, "color": "#1d2330"},
        "legend": {"orientation": "h", "x": 0, "y": 1.12, "font": {"size": 11}},
        "xaxis": {"title": {"text": x_title}, "gridcolor": "#eef1f6", "zeroline": False},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#eef1f6", "zeroline": False, "rangemode": "tozero"},
        "hoverlabel": {"font": {"size": 11}},
    }


def time_series(series: Sequence[Series], *, window: tuple[dt.datetime, dt.datetime] | None = None,
                y_title: str = "", stacked: bool = False, limit: Limit | None = None,
                height: int = 260) -> dict[str, Any]:
    layout = base_layout(height=height, y_title=y_title)
    layout["xaxis"]["type"] = "date"
    layout["hovermode"] = "x unified"
    layout["legend"]["traceorder"] = "normal"
    if window is not None:
        layout["xaxis"]["range"] = [window[0], window[1]]
    if any(s.kind == "bar" for s in series):
        layout["barmode"] = "stack" if stacked else "group"
        layout["bargap"] = 0.1
    traces = [_trace(s, i, stacked=stacked) for i, s in enumerate(series)]
    if limit is not None:
        layout.setdefault("shapes", []).append(_hline(limit.value))
        layout.setdefault("annotations", []).append(_limit_label(limit, horizontal=True))
    return {"data": traces, "layout": layout}


def bars(categories: Sequence[str], series: Sequence[Series], *, horizontal: bool = True,
         stacked: bool = True, limit: Limit | None = None, value_title: str = "",
         height: int | None = None) -> dict[str, Any]:
    """Bars per category, one trace per series (e.g. connections per database, stacked by state)."""
    rows = max(len(categories), 1)
    layout = base_layout(height=height or (max(200, 120 + 30 * rows) if horizontal else 260))
    layout["barmode"] = "stack" if stacked else "group"
    layout["bargap"] = 0.3
    # Legend under the plot, in trace order (plotly reverses it for stacked bars otherwise); the top
    # edge stays free for the limit's label.
    layout["legend"].update(y=-0.22, yanchor="top", traceorder="normal")
    layout["margin"]["b"] = 64
    traces = []
    for i, s in enumerate(series):
        trace: dict[str, Any] = {
            "type": "bar", "name": s.name, "marker": {"color": s.color or PALETTE[i % len(PALETTE)]},
            "hovertemplate": "%{fullData.name}: %{" + ("x" if horizontal else "y") + "}<extra></extra>",
        }
        if horizontal:
            trace.update(orientation="h", y=list(categories), x=list(s.y))
        else:
            trace.update(x=list(categories), y=list(s.y))
        traces.append(trace)
    value_axis, category_axis = ("xaxis", "yaxis") if horizontal else ("yaxis", "xaxis")
    layout[value_axis]["title"] = {"text": value_title}
    layout[value_axis]["rangemode"] = "tozero"
    layout[category_axis].update({"type": "category", "automargin": True, "gridcolor": "rgba(0,0,0,0)"})
    if horizontal:
        layout["yaxis"]["autorange"] = "reversed"  # the biggest first, read top-down
    if limit is not None:
        layout.setdefault("shapes", []).append(_vline(limit.value) if horizontal else _hline(limit.value))
        layout.setdefault("annotations", []).append(_limit_label(limit, horizontal=not horizontal))
        # Keep the limit in view even when usage is far below it: that distance is the message.
        layout[value_axis]["range"] = [0, limit.value * 1.05]
    return {"data": traces, "layout": layout}


def empty(message: str, *, height: int = 200) -> dict[str, Any]:
    layout = base_layout(height=height)
    layout["xaxis"].update(visible=False)
    layout["yaxis"].update(visible=False)
    layout["annotations"] = [{"text": message, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                              "showarrow": False, "font": {"size": 13, "color": "#5d6678"}}]
    return {"data": [], "layout": layout}


def _trace(s: Series, index: int, *, stacked: bool) -> dict[str, Any]:
    color = s.color or PALETTE[index % len(PALETTE)]
    trace: dict[str, Any] = {"name": s.name, "x": list(s.x), "y": list(s.y)}
    if s.hover is not None:
        trace["text"] = list(s.hover)
        trace["hovertemplate"] = "%{text}<extra></extra>"
    if s.kind == "bar":
        trace.update(type="bar", marker={"color": color})
    elif s.kind == "markers":
        trace.update(type="scatter", mode="markers", marker={"color": color, "size": 7})
    else:
        trace.update(type="scatter", mode="lines", line={"color": color, "width": 1.6})
        if s.kind == "area" or stacked:
            trace.update(fill="tonexty" if stacked and index else "tozeroy", stackgroup="one" if stacked else None)
    return {k: v for k, v in trace.items() if v is not None}


def _hline(value: float) -> dict[str, Any]:
    return {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": value, "y1": value,
            "line": {"color": "#b3261e", "width": 1, "dash": "dash"}}


def _vline(value: float) -> dict[str, Any]:
    return {"type": "line", "yref": "paper", "y0": 0, "y1": 1, "xref": "x", "x0": value, "x1": value,
            "line": {"color": "#b3261e", "width": 1, "dash": "dash"}}


def _limit_label(limit: Limit, *, horizontal: bool) -> dict[str, Any]:
    text = f"{limit.label} {limit.value:g}"
    if horizontal:
        return {"text": text, "xref": "paper", "x": 1, "xanchor": "right", "yref": "y", "y": limit.value,
                "yanchor": "bottom", "showarrow": False, "font": {"size": 10, "color": "#b3261e"}}
    return {"text": text, "xref": "x", "x": limit.value, "xanchor": "right", "yref": "paper", "y": 1,
            "yanchor": "bottom", "showarrow": False, "font": {"size": 10, "color": "#b3261e"}}


# Plotly templates written in our code (``%{x}``, ``<extra></extra>``): their markup is meant. Every
# other string in a figure may carry a name from a monitored database.
TEMPLATE_KEYS = frozenset({"hovertemplate", "texttemplate"})


def plotly_safe(value: Any, key: str = "") -> Any:
    """A copy of a figure (or any part of one) with ``&``, ``<`` and ``>`` escaped in every string.

    plotly.js renders a subset of HTML in trace names, legend entries, hover texts, annotations, axis
    titles and category tick labels — ``<a href=…>`` becomes a live link, ``<b>`` bold. Escaped, a name
    like ``<a href="https://evil.example/">x</a>`` shows as those characters (plotly turns the entities
    back into text) and no tag can form. Colours, dates and numbers contain none of the three characters
    and pass unchanged; only the code-authored templates under ``TEMPLATE_KEYS`` are left as they are.
    """
    if isinstance(value, str):
        return value if key in TEMPLATE_KEYS else html.escape(value, quote=False)
    if isinstance(value, dict):
        return {k: plotly_safe(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plotly_safe(v, key) for v in value]
    return value

