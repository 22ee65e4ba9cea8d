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
    MARK_ALERT_FIRING: {"color": "#d93025", "dash": "solid", "tag": "A"},
    MARK_ALERT_RESOLVED: {"color": "#1e8e3e", "dash": "dot", "tag": "A"},
}


def apply_markers(figure: dict[str, Any], markers: Iterable[Marker],
                  window: tuple[dt.datetime, dt.datetime] | None = None) -> dict[str, Any]:
    """Add a line and a hoverable tag per marker (only those inside ``window`` when given)."""
    layout = figure.setdefault("layout", {})
    shapes = layout.setdefault("shapes", [])
    annotations = layout.setdefault("annotations", [])
    for m in sorted(markers, key=lambda m: m.at):
        if window is not None and not window[0] <= m.at <= window[1]:
            continue
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
