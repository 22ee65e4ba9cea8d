"""How time charts draw markers: each kind has its colour, dash and a one-letter tag at the top of
the plot; hovering the tag gives the label. Which events become which marker is ``monitoring.events``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from monitoring.events import (
    MARK_ALERT_FIRING,
    MARK_ALERT_RESOLVED,
    MARK_HISTORY_START,
    MARK_LOCK_INCIDENT,
    MARK_RESTART,
    MARK_SETTINGS_CHANGE,
    MARK_STATS_RESET,
    Marker,
)

STYLES: dict[str, dict[str, str]] = {
    MARK_STATS_RESET: {"color": "#8a5cc2", "dash": "dot", "tag": "R"},
    MARK_RESTART: {"color": "#b3261e", "dash": "dash", "tag": "S"},
    MARK_SETTINGS_CHANGE: {"color": "#b36b00", "dash": "dot", "tag": "C"},
    MARK_LOCK_INCIDENT: {"color": "#c2410c", "dash": "solid", "tag": "L"},
    MARK_HISTORY_START: {"color": "#5f6b7a", "dash": "dot", "tag": "H"},
    MARK_ALERT_FIRING: {"color": "#d93025", "dash": "solid", "tag": "A"},
    MARK_ALERT_RESOLVED: {"color": "#1e8e3e", "dash": "dot", "tag": "A"},
}


def apply_markers(figure: dict[str, Any], markers: Iterable[Marker],
                  window: tuple[dt.datetime, dt.datetime] | None = None) -> dict[str, Any]:
    """Add a line and a hoverable tag per marker (only those inside ``window`` when given).

    Markers sit on the x axis, which must be a time axis: a figure without one (``figures.empty``)
    gets one over ``window``, so an event still shows where nothing was collected (without a window
    and without data, ``figures.drawable`` drops the markers: plotly.js could not place them)."""
    layout = figure.setdefault("layout", {})
    shapes = layout.setdefault("shapes", [])
    annotations = layout.setdefault("annotations", [])
    shown = [m for m in markers if window is None or window[0] <= m.at <= window[1]]
    if not shown:
        return figure
    xaxis = layout.setdefault("xaxis", {})
    if not xaxis.get("type"):   # markers are moments: the axis they sit on is a time axis
        xaxis.update(type="date", visible=True)
        if window is not None and not xaxis.get("range"):
            xaxis["range"] = [window[0], window[1]]
    for m in sorted(shown, key=lambda m: m.at):
        style = STYLES[m.kind]
        shapes.append({
            "type": "line", "xref": "x", "yref": "paper", "x0": m.at, "x1": m.at, "y0": 0, "y1": 1,
            "line": {"color": style["color"], "width": 1.2, "dash": style["dash"]},
            "name": m.kind,
        })
        annotations.append({
            "x": m.at, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom",
            "text": style["tag"], "hovertext": f"{m.title} · {m.at:%Y-%m-%d %H:%M:%S}",
            "showarrow": False, "font": {"size": 10, "color": "#fff"},
            "bgcolor": style["color"], "borderpad": 2, "name": m.kind,
        })
    return figure
